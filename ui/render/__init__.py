"""HTML of the page, with no Gradio in it: the chat's answers (`answer`), the sources panel and
the article view (`sources`), and the upload report and article list (`report`)."""
