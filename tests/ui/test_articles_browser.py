"""Uploads, the article list and removal in real Chromium: reports written for users in both
languages, one size limit, a picker that offers only supported types, and removal of an uploaded
article (never a shipped one) after a confirmation. Screenshots go to artifacts/screenshots/.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.serving.app_process import running_app
from tests.ui.browser import ANSWER_TIMEOUT_MS, SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PORT_ARTICLE = (
    "توسعة ميناء طرطوس\n"
    "أعلنت إدارة ميناء طرطوس خطة لتوسعة محطة الحاويات بإضافة رصيفين جديدين خلال ثلاث سنوات.\n"
)
LIBRARY = json.dumps(
    {"id": "library-2025", "title": "مكتبة حلب العامة", "text": "افتتحت مكتبة عامة في حلب."},
    ensure_ascii=False,
)


@pytest.fixture(scope="module")
def app(tmp_path_factory, embedder, seed_index):
    with running_app(tmp_path_factory.mktemp("articles"), embedder, seed_index) as running:
        yield running


@pytest.fixture
def page(app, browser, request):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(app.url)
    page.wait_for_selector("#question textarea")
    page.click("#settings button, #settings .label-wrap")
    page.wait_for_selector("#article-list table", state="visible", timeout=30_000)
    yield page
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{request.node.name}.png"), full_page=True)
    context.close()
    assert not errors, errors


def _upload(page, paths: list[Path]) -> None:
    page.locator("#upload input[type=file]").set_input_files([str(p) for p in paths])
    page.wait_for_selector("#upload-report [data-phase=done]", timeout=ANSWER_TIMEOUT_MS)


def _write(folder: Path, files: dict[str, str | bytes]) -> list[Path]:
    paths = []
    for name, data in files.items():
        path = folder / name
        path.write_bytes(data if isinstance(data, bytes) else data.encode())
        paths.append(path)
    return paths


def test_upload_report_speaks_to_users_in_both_languages(app, page, tmp_path):
    paths = _write(
        tmp_path,
        {
            "tartus_port.txt": PORT_ARTICLE,
            "notes.doc": b"\xd0\xcf\x11\xe0",
            "scan.txt": b"\x00\x01binary",
            "empty.md": "  \n",
            "library.jsonl": LIBRARY + "\n{not json\n",
        },
    )
    _upload(page, paths)
    report = page.locator("#upload-report")
    outcomes = report.locator(".outcome")
    # Every file gets its line in the report, an unsupported type too (no toast of Gradio's).
    assert page.locator(".toast-body").count() == 0
    assert outcomes.count() == 5
    for index in range(5):
        outcome = outcomes.nth(index)
        assert outcome.locator(":scope > p[lang=en][dir=ltr]").count() == 1
        assert outcome.locator(":scope > p[lang=ar][dir=rtl]").count() == 1
    text = report.inner_text()
    assert "tartus_port.txt: 1 article(s) added" in text
    assert (
        "notes.doc: Files of type .doc are not supported; use .txt" in text
        and ".pdf, .docx" in text
    )
    assert "scan.txt: Binary file" in text and "الملف ثنائي" in text
    assert "empty.md: Empty file" in text and "الملف فارغ" in text
    assert "Line 2 skipped: Invalid JSON" in text
    assert "Index updated: 7 articles (2 new" in text and "حُدّث الفهرس" in text
    for leak in (str(app.corpus_dir), str(app.index_dir), "/tmp/", "chunks/s"):
        assert leak not in text

    listing = page.locator("#article-list")
    uploaded = listing.locator("tr.uploaded")
    assert uploaded.count() == 2
    assert "توسعة ميناء طرطوس" in uploaded.first.inner_text() + uploaded.last.inner_text()
    assert listing.locator("tr.uploaded bdi[dir=auto]").count() >= 4
    page.wait_for_function("document.querySelector('#status').innerText.includes('7')")


def test_picker_and_size_limit_agree(app, page, tmp_path):
    # The picker does not filter types (the report refuses the others, in both languages); its
    # label lists the supported ones.
    assert not page.locator("#upload input[type=file]").get_attribute("accept")
    label = page.locator("#upload").inner_text()
    assert ".pdf, .docx" in label
    assert "up to 10 MB each" in label and "حتى 10 ميغابايت" in label
    folder = Path(app.built.blocks.server_app.uploaded_file_dir)
    before = {p.name for p in folder.rglob("*") if p.is_file()}
    (big,) = _write(tmp_path, {"too_big.txt": b"a" * (10 * 1024 * 1024 + 1)})
    page.locator("#upload input[type=file]").set_input_files([str(big)])
    page.wait_for_selector(".toast-body", timeout=30_000)
    assert "10.0 Mb" in page.locator(".toast-body").inner_text()  # Gradio's own check, 10 MB
    after = {p.name for p in folder.rglob("*") if p.is_file()}
    assert "too_big.txt" not in after - before


def test_removing_an_uploaded_article_asks_first_then_reindexes(app, page, tmp_path):
    _upload(
        page, _write(tmp_path, {"wheat_harvest.txt": "موسم القمح\nتجاوز إنتاج القمح التقديرات.\n"})
    )
    page.click("#remove-choice input")
    options = page.locator("[data-testid='dropdown-option']")
    labels = options.all_inner_texts()
    assert any("wheat_harvest" in label for label in labels)
    assert not any("000_" in label for label in labels)  # shipped articles are not offered
    options.filter(has_text="wheat_harvest").click()

    page.click("#remove")
    confirm = page.locator("#remove-question")
    confirm.wait_for(state="visible")
    question = confirm.inner_text()
    assert "Remove موسم القمح?" in question and "wheat_harvest.txt" in question
    assert confirm.locator("bdi[dir=auto]").count() >= 2
    page.screenshot(path=str(SCREENSHOTS / "remove_confirmation.png"), full_page=True)
    page.click("#remove-no")
    confirm.wait_for(state="hidden")
    assert (app.corpus_dir / "uploads" / "wheat_harvest.txt").exists()
    assert "wheat_harvest" in app.indexed_ids()

    page.click("#remove")
    confirm.wait_for(state="visible")
    page.click("#remove-yes")
    page.wait_for_function(
        "document.querySelector('#upload-report').innerText.includes('wheat_harvest.txt removed')",
        timeout=ANSWER_TIMEOUT_MS,
    )
    page.wait_for_selector("#upload-report [data-phase=done]", timeout=ANSWER_TIMEOUT_MS)
    assert "wheat_harvest" not in page.locator("#article-list").inner_text()
    assert not (app.corpus_dir / "uploads" / "wheat_harvest.txt").exists()
    assert "wheat_harvest" not in app.indexed_ids()
    assert "1 removed" in page.locator("#upload-report").inner_text()


def test_the_article_list_pages_and_searches_by_title_and_date(app, page, tmp_path):
    """More articles than a page: the list says where it is, the buttons move between pages,
    and the search box keeps the articles whose title or date holds what is typed."""
    lines = [
        json.dumps(
            {
                "id": f"bulletin-{n:02d}",
                "title": f"نشرة الطقس {n}",
                "text": f"توقعت الأرصاد طقساً حاراً في المدينة رقم {n} خلال الأسبوع.",
                "date": f"2015-08-{n % 28 + 1:02d}",
            },
            ensure_ascii=False,
        )
        for n in range(55)
    ]
    _upload(page, _write(tmp_path, {"bulletins.jsonl": "\n".join(lines) + "\n"}))
    listing = page.locator("#article-list")
    page.wait_for_function(
        "document.querySelector('#article-list').innerText.includes('Page 1 of 2')",
        timeout=ANSWER_TIMEOUT_MS,
    )
    assert listing.locator("tbody tr").count() == 50
    assert "الصفحة 1 من 2" in listing.inner_text()
    first_page = set(
        listing.locator("tbody tr").evaluate_all("rows => rows.map(r => r.dataset.id)")
    )
    page.click("#article-next")
    page.wait_for_function("document.querySelector('#article-list').innerText.includes('Page 2')")
    second_page = set(
        listing.locator("tbody tr").evaluate_all("rows => rows.map(r => r.dataset.id)")
    )
    assert second_page and not first_page & second_page
    page.click("#article-next")  # no page 3: it stays on the last
    page.wait_for_timeout(500)
    assert "Page 2 of 2" in listing.inner_text()
    page.click("#article-previous")
    page.wait_for_function("document.querySelector('#article-list').innerText.includes('Page 1')")

    page.fill("#article-search input, #article-search textarea", "نشرة الطقس 7")
    page.wait_for_function("document.querySelectorAll('#article-list tbody tr').length === 1")
    assert listing.locator("tbody tr").evaluate_all("r => r.map(x => x.dataset.id)") == [
        "bulletin-07"
    ]
    page.fill("#article-search input, #article-search textarea", "2015-08-03")
    page.wait_for_function("document.querySelectorAll('#article-list tbody tr').length === 2")
    assert sorted(listing.locator("tbody tr").evaluate_all("r => r.map(x => x.dataset.id)")) == [
        "bulletin-02",
        "bulletin-30",
    ]
    page.fill("#article-search input, #article-search textarea", "لا شيء هنا")
    page.wait_for_function(
        "document.querySelector('#article-list').innerText.includes('No article matches')"
    )
    assert "لا مقال يطابق البحث" in listing.inner_text()
