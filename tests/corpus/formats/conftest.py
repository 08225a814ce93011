import pytest

from tests.corpus.formats.samples import Sample, make_samples


@pytest.fixture(scope="session")
def documents(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Sample]:
    """The real documents of samples.py, made once a session by Chromium and LibreOffice."""
    return make_samples(tmp_path_factory.mktemp("documents"))
