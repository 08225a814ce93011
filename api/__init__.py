"""The app's HTTP side beyond the page: the OpenAI-compatible endpoint and the MCP tools over the
application (`service/`), and the guards every request passes (body limits and the login
throttle, the origin policy, the API key). It never imports the page (`ui/`)."""
