import hashlib
import json
from pathlib import Path

import pytest

from corpus import DEFAULT_CORPUS_DIR, LoadError, load_corpus, load_file, loader

ARABIC_BODY = (
    "أعلنت الوزارة اليوم عن خطة جديدة لدعم المزارعين في المناطق الريفية خلال العام المقبل."
)


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def only_error(path: Path) -> LoadError:
    result = load_file(path)
    assert result.articles == []
    (error,) = result.errors
    assert error.source == str(path)
    return error


def test_seed_corpus_loads_without_errors(seed_paths):
    result = load_corpus(DEFAULT_CORPUS_DIR)
    assert result.errors == []
    assert [article.id for article in result.articles] == [path.stem for path in seed_paths]
    for article, path in zip(result.articles, seed_paths, strict=True):
        assert article.source == str(path)
        assert article.text and article.url is None and article.date is None
        seen = f"{article.title or ''}\n{article.text}"
        if article.outlet:  # what is known of the article is part of what a change is
            seen += f"\n\n\n{article.outlet}\n"
        assert article.fingerprint == hashlib.sha256(seen.encode()).hexdigest()


def test_fingerprint_changes_with_title_or_text(tmp_path):
    first = load_file(write(tmp_path / "a.txt", f"Old title\n{ARABIC_BODY}")).articles[0]
    retitled = load_file(write(tmp_path / "a.txt", f"New title\n{ARABIC_BODY}")).articles[0]
    edited = load_file(write(tmp_path / "a.txt", f"Old title\n{ARABIC_BODY} ")).articles[0]
    changed = load_file(write(tmp_path / "a.txt", f"Old title\n{ARABIC_BODY}!")).articles[0]
    assert first.fingerprint != retitled.fingerprint
    assert first.fingerprint == edited.fingerprint  # whitespace is cleaned away
    assert first.fingerprint != changed.fingerprint


def test_txt(tmp_path):
    path = write(tmp_path / "story-1.txt", f"عنوان الخبر\n\n{ARABIC_BODY}\n")
    (article,) = load_file(path).articles
    assert (article.id, article.title, article.text) == ("story-1", "عنوان الخبر", ARABIC_BODY)


def test_utf8_bom_is_stripped(tmp_path):
    path = write(tmp_path / "bom.txt", b"\xef\xbb\xbf" + f"عنوان\n{ARABIC_BODY}".encode())
    (article,) = load_file(path).articles
    assert article.title == "عنوان"


def test_markdown(tmp_path):
    markdown = (
        "# عنوان **المقال**\n\n"
        "فقرة فيها *تأكيد* و__خط__ ورابط [سانا](https://sana.sy) وصورة ![صورة](a.png) هنا.\n"
        "تكمل الفقرة على سطر ثانٍ.\n\n"
        "## عنوان فرعي\n\n"
        "- البند الأول\n"
        "* البند الثاني\n"
        "1. البند الثالث\n\n"
        "> اقتباس من `البيان`\n\n"
        "---\n"
        "variable_name stays and 2*3 too.\n"
    )
    (article,) = load_file(write(tmp_path / "m.md", markdown)).articles
    assert article.title == "عنوان المقال"
    assert article.text.split("\n") == [
        "فقرة فيها تأكيد وخط ورابط سانا وصورة هنا. تكمل الفقرة على سطر ثانٍ.",
        "عنوان فرعي",
        "البند الأول",
        "البند الثاني",
        "البند الثالث",
        "اقتباس من البيان",
        "variable_name stays and 2*3 too.",
    ]


def test_markdown_without_heading_detects_title(tmp_path):
    (article,) = load_file(write(tmp_path / "m.md", f"عنوان قصير\n\n{ARABIC_BODY}")).articles
    assert article.title == "عنوان قصير"
    assert article.text == ARABIC_BODY


HTML_PAGE = """<!doctype html>
<html><head><title>Page title | Site</title>
<style>body { color: red }</style><script>var tracking = "script text";</script></head>
<body>
<nav><a href="/">Home</a> <a href="/news">Navigation link</a></nav>
<header class="site"><h1>Site banner</h1></header>
<main>
  <article>
    <header><h1>Real &amp; headline</h1><p>Header text</p></header>
    <p>First paragraph with an entity &eacute; and
       a line break in the source.</p>
    <div>Second <b>bold</b> paragraph<br>after a break</div>
    <ul><li>Item one</li><li>Item two</li></ul>
    <table><tr><td>cell a</td><td>cell b</td></tr></table>
    <aside>Aside related story</aside>
    <form><input name="q"> Form text</form>
    <script>inline("script in article")</script><noscript>Enable JS</noscript>
  </article>
</main>
<footer>Footer copyright</footer>
</body></html>
"""


def test_html_keeps_main_text_only(tmp_path):
    (article,) = load_file(write(tmp_path / "page.html", HTML_PAGE)).articles
    assert article.id == "page"
    assert article.title == "Real & headline"
    assert article.text.split("\n") == [
        "First paragraph with an entity é and a line break in the source.",
        "Second bold paragraph",
        "after a break",
        "Item one",
        "Item two",
        "cell a cell b",
    ]
    for noise in ("Home", "Navigation", "banner", "script", "Aside", "Form", "Footer", "JS", "|"):
        assert noise not in article.text


def test_html_without_article_uses_body_and_page_title(tmp_path):
    page = (
        "<html><head><title>The page title</title></head><body><nav>Menu</nav>"
        "<p>Only paragraph of the page.</p><footer>Foot</footer></body></html>"
    )
    (article,) = load_file(write(tmp_path / "plain.htm", page)).articles
    assert article.title == "The page title"
    assert article.text == "Only paragraph of the page."


def test_html_with_unclosed_tags_and_no_title(tmp_path):
    page = "<div><p>First paragraph of text.<p>Second paragraph<aside>x<p>hidden</div><p>After."
    (article,) = load_file(write(tmp_path / "broken.html", page)).articles
    assert article.title is None
    assert article.text == "First paragraph of text.\nSecond paragraph\nAfter."


def jsonl_line(**record: object) -> str:
    return json.dumps(record, ensure_ascii=False)


def test_jsonl_loads_good_lines_and_reports_bad_ones(tmp_path):
    path = tmp_path / "feed.jsonl"
    lines = [
        jsonl_line(id="a", title="عنوان أ", text=f"عنوان أ\n{ARABIC_BODY}", url="https://x/a"),
        '{"id": "b", "text": broken json}',
        "",
        jsonl_line(id="c", title=None, text=f"سطر قصير\n{ARABIC_BODY}", date="2025-01-02"),
        jsonl_line(id="d", title="t", text="   "),
        jsonl_line(id=5, title="t", text="text"),
        jsonl_line(id="e", title=["t"], text="text"),
        "[1, 2]",
        jsonl_line(id="a", title="again", text="Duplicate id in the same file."),
        jsonl_line(id="f/g", title="t", text="text"),
        jsonl_line(id="h\u0007", title="t", text="text"),
        jsonl_line(id="u", title="t", text="نص\u2028فيه فاصل أسطر يونيكود."),
    ]
    result = load_file(write(path, "\n".join(lines) + "\n"))
    assert [article.id for article in result.articles] == ["a", "c", "u"]
    first, second, third = result.articles
    assert first.source == f"{path}:1"
    assert (first.title, first.text, first.url) == ("عنوان أ", ARABIC_BODY, "https://x/a")
    # No title stated, so the short first line is body, not a guessed title.
    assert (second.title, second.text, second.date) == (
        None,
        f"سطر قصير\n{ARABIC_BODY}",
        "2025-01-02",
    )
    assert third.text == "نص\nفيه فاصل أسطر يونيكود."
    errors = {error.source: error.reason for error in result.errors}
    assert list(errors) == [f"{path}:{n}" for n in (2, 5, 6, 7, 8, 10, 11, 9)]
    assert errors[f"{path}:2"].startswith("invalid JSON")
    assert errors[f"{path}:5"] == "missing or empty 'text'"
    assert "'id' must be a string" in errors[f"{path}:6"]
    assert "'title' must be a string" in errors[f"{path}:7"]
    assert "expected a JSON object" in errors[f"{path}:8"]
    assert "duplicate article id 'a'" in errors[f"{path}:9"]
    assert "path" in errors[f"{path}:10"]
    assert "control characters" in errors[f"{path}:11"]


def test_a_deeply_nested_jsonl_line_fails_alone(tmp_path):
    good = jsonl_line(id="a", title="t", text=ARABIC_BODY)
    result = load_file(write(tmp_path / "deep.jsonl", f"{good}\n{'[' * 100_000}\n"))
    assert [article.id for article in result.articles] == ["a"]
    assert result.errors == [
        LoadError(f"{tmp_path / 'deep.jsonl'}:2", "invalid JSON: nested too deeply")
    ]


def test_invalid_utf8_reports_the_byte_offset(tmp_path):
    error = only_error(write(tmp_path / "bad.txt", "عنوان".encode() + b"\xff rest"))
    assert error.reason == "not valid UTF-8 (invalid byte at offset 10)"


def test_invalid_utf8_offset_counts_the_bom(tmp_path):
    error = only_error(write(tmp_path / "bad.txt", b"\xef\xbb\xbfab\xc3"))
    assert error.reason == "not valid UTF-8 (invalid byte at offset 5)"


@pytest.mark.parametrize("content", [b"", b"  \n\t\r\n "])
def test_empty_file(tmp_path, content):
    assert only_error(write(tmp_path / "empty.txt", content)).reason.startswith("empty file")


def test_binary_file(tmp_path):
    error = only_error(write(tmp_path / "blob.txt", b"text\x00\x01\x02more"))
    assert "binary" in error.reason and "NUL" in error.reason


def test_too_large_file(tmp_path, monkeypatch):
    monkeypatch.setattr(loader, "MAX_FILE_BYTES", 10)
    error = only_error(write(tmp_path / "big.txt", "x" * 11))
    assert error.reason == "file too large: 11 bytes (limit 10 bytes)"


def test_unreadable_file(tmp_path):
    directory = tmp_path / "folder.txt"
    directory.mkdir()
    assert only_error(directory).reason.startswith("unreadable: ")


@pytest.mark.parametrize(("name", "shown"), [("notes.doc", ".doc"), ("README", "(no extension)")])
def test_unsupported_file_type(tmp_path, name, shown):
    error = only_error(write(tmp_path / name, "text"))
    assert error.reason == f"unsupported file type {shown}"


def test_file_with_only_boilerplate(tmp_path):
    error = only_error(write(tmp_path / "junk.txt", "Share this\nBack to top\n"))
    assert error.reason == "no article text left after cleaning"


def test_corpus_is_recursive_sorted_and_skips_hidden(tmp_path):
    write(tmp_path / "b.txt", ARABIC_BODY)
    write(tmp_path / "a" / "z.md", ARABIC_BODY)
    write(tmp_path / "c.html", f"<p>{ARABIC_BODY}</p>")
    write(tmp_path / ".hidden.txt", ARABIC_BODY)
    write(tmp_path / ".git" / "inside.txt", ARABIC_BODY)
    result = load_corpus(tmp_path)
    assert result.errors == []
    assert [article.id for article in result.articles] == ["z", "b", "c"]


def test_one_bad_file_does_not_stop_the_others(tmp_path):
    write(tmp_path / "1.txt", ARABIC_BODY)
    write(tmp_path / "2.txt", b"\xff\xfe")
    write(tmp_path / "3.doc", "x")
    write(tmp_path / "4.jsonl", jsonl_line(id="j", title="t", text=ARABIC_BODY))
    result = load_corpus(tmp_path)
    assert [article.id for article in result.articles] == ["1", "j"]
    assert [Path(error.source).name for error in result.errors] == ["2.txt", "3.doc"]


def test_duplicate_id_across_files_keeps_the_first(tmp_path):
    first = write(tmp_path / "a" / "same.txt", ARABIC_BODY)
    second = write(tmp_path / "b" / "same.md", ARABIC_BODY)
    result = load_corpus(tmp_path)
    assert [article.source for article in result.articles] == [str(first)]
    (error,) = result.errors
    assert error.source == str(second)
    assert error.reason == f"duplicate article id 'same' (already loaded from {first})"


def test_missing_directory(tmp_path):
    result = load_corpus(tmp_path / "nope")
    assert result.articles == []
    assert result.errors == [LoadError(str(tmp_path / "nope"), "not a directory")]
