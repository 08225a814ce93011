import pytest

from corpus import DEFAULT_CORPUS_DIR, clean_text, normalize_text
from corpus.cleaning import CleanedText

# Written out here rather than imported, so the test checks the cleaner against the markers the
# project promises to remove, not against whatever list the cleaner happens to hold.
BOILERPLATE_MARKERS = [
    "مقالات ذات صلة",
    "مقالات قد تعجبك",
    "مقالات قد تعجبك أيضاً",
    "اقرأ أيضاً",
    "اقرأ أيضا",
    "اترك تعليقاً",
    "اترك تعليقا",
    "أضف تعليق",
    "لن يتم نشر عنوان بريدك الإلكتروني",
    "زر الذهاب إلى الأعلى",
    "العودة إلى الأعلى",
    "شارك",
    "شارك المقال",
    "Related articles",
    "Read more",
    "You may also like",
    "Leave a comment",
    "Leave a reply",
    "Your email address will not be published",
    "Back to top",
    "Share this",
]


def seed(name: str) -> CleanedText:
    (path,) = DEFAULT_CORPUS_DIR.glob(f"{name}_*.txt")
    return clean_text(path.read_text(encoding="utf-8"))


def raw_paragraphs(name: str) -> list[str]:
    (path,) = DEFAULT_CORPUS_DIR.glob(f"{name}_*.txt")
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def is_marker_line(line: str) -> bool:
    key = normalize_text(line).strip(" .:|-»«*")
    return any(
        key == normalize_text(marker) or key.startswith(normalize_text(marker) + ".")
        for marker in BOILERPLATE_MARKERS
    )


SEEDS = ["000", "001", "002", "003", "004"]


@pytest.mark.parametrize("name", SEEDS)
def test_no_boilerplate_marker_line_remains_in_a_seed(name):
    lines = seed(name).body.split("\n")
    assert [line for line in lines if is_marker_line(line)] == []


def test_seed_footers_are_cut():
    assert "مقالات قد تعجبك" not in seed("001").body
    body = seed("004").body
    for text in ("مقالات ذات صلة", "اترك تعليقاً", "لن يتم نشر", "زر الذهاب إلى الأعلى"):
        assert text not in body
    assert body.endswith("ضرورة احترام الطبيعة الاستراتيجية والتاريخية لعلاقاتنا”.")
    assert "boilerplate: مقالات ذات صلة" in seed("004").removed


@pytest.mark.parametrize("name", SEEDS)
def test_seed_bodies_are_clean_paragraph_lines(name):
    cleaned = seed(name)
    lines = cleaned.body.split("\n")
    assert all(line and line == line.strip() and "  " not in line for line in lines)
    assert cleaned.title is None or cleaned.title not in lines


def test_seed_000_title():
    cleaned = seed("000")
    assert cleaned.title is not None
    assert cleaned.title.startswith("لقاء بوتين- الشيباني")
    assert cleaned.body.startswith("أكدت وزارة الخارجية السورية")
    # Short section headings inside the article are content and stay.
    assert "رفض تقسيم سوريا" in cleaned.body.split("\n")


def test_seed_001_title_subtitle_byline_and_duplicate():
    cleaned = seed("001")
    first_paragraph = raw_paragraphs("001")[3]
    assert cleaned.title == "لقاء سوري–روسي رفيع في موسكو"
    assert cleaned.body.split("\n")[0].startswith("الرئيس أحمد الشرع يبحث مع بوتين")
    assert "فريق التحرير" not in cleaned.body
    assert cleaned.body.count(first_paragraph) == 1
    assert any(note.startswith("duplicate paragraph") for note in cleaned.removed)
    assert "byline: فريق التحرير" in cleaned.removed


@pytest.mark.parametrize("name", ["002", "003"])
def test_seeds_starting_with_a_long_paragraph_have_no_title(name):
    cleaned = seed(name)
    assert cleaned.title is None
    assert cleaned.body.split("\n")[0] == raw_paragraphs(name)[0]


def test_seed_004_category_label_is_dropped():
    cleaned = seed("004")
    assert cleaned.title == "لافروف: وجهنا دعوة لوزير الخارجية السوري لزيارة روسيا"
    assert "أخبار سوريا" not in cleaned.body
    assert cleaned.body.startswith("أعلنت روسيا، اليوم الثلاثاء")


def test_body_keeps_original_spelling_and_diacritics():
    body = seed("001").body
    assert "لقاءً رسمياً" in body
    assert "يُذكر" in body


def test_nfkc_and_newline_normalization():
    cleaned = clean_text("Title line here\r\nﻻ يوجد  تعليق\ton this.\rSecond\u00a0paragraph.\r\n")
    assert cleaned.title == "Title line here"
    assert cleaned.body == "لا يوجد تعليق on this.\nSecond paragraph."


def test_lines_of_only_invisible_marks_are_empty():
    cleaned = clean_text("First sentence of the story.\n\u200b\u200f\nSecond sentence.")
    assert cleaned.body == "First sentence of the story.\nSecond sentence."


ENGLISH_ARTICLE = """World

Markets rally as central bank cuts rates
By John Smith
Share prices rose sharply on Monday after the central bank cut its main interest rate by half a point, traders said.
Read more: Why the bank changed course
Analysts expect further cuts later in the year as inflation continues to ease across the region.
Background
The bank had held rates steady for eighteen months before the decision.
Officials said the move was widely anticipated.
Investors welcomed the news.
Related articles
Bank holds rates steady
Leave a reply
Your email address will not be published. Required fields are marked *
Back to top
"""


def test_english_article():
    cleaned = clean_text(ENGLISH_ARTICLE)
    assert cleaned.title == "Markets rally as central bank cuts rates"
    lines = cleaned.body.split("\n")
    assert lines[0].startswith("Share prices rose sharply")
    assert "World" not in lines
    assert "By John Smith" not in cleaned.body
    assert "Read more: Why the bank changed course" not in lines
    assert "Background" in lines
    assert lines[-1] == "Investors welcomed the news."
    assert "category label: World" in cleaned.removed
    assert "byline: By John Smith" in cleaned.removed
    assert "boilerplate: Related articles" in cleaned.removed
    assert "after boilerplate: Bank holds rates steady" in cleaned.removed


def test_marker_early_in_the_article_removes_only_its_line():
    paragraphs = [f"Paragraph number {i} of the story goes here." for i in range(8)]
    cleaned = clean_text("\n".join([paragraphs[0], "Share this", *paragraphs[1:]]))
    assert cleaned.body.split("\n") == paragraphs


def test_marker_variants_without_hamza_or_tanween_match():
    body = [f"فقرة رقم {i} من نص الخبر الطويل." for i in range(4)]
    cleaned = clean_text("\n".join([*body, "اقرا ايضا: عنوان خبر آخر", "اترك تعليقا", "شكرا"]))
    assert cleaned.body.split("\n") == body


def test_long_sentence_containing_a_marker_phrase_is_kept():
    sentence = (
        "Read more about the plan, the minister said, adding that citizens can leave a comment "
        "on the official website until the end of the month."
    )
    paragraphs = ["One.", "Two.", "Three.", sentence, "اقرأ أيضاً المزيد من التقارير عن الاقتصاد"]
    assert clean_text("\n".join(paragraphs)).body.split("\n") == paragraphs


def test_duplicate_paragraph_compares_normalized_text():
    cleaned = clean_text("أكد الوزير أهمية اللقاء.\nنص آخر.\nأَكَّدَ الوزير أهمية اللقاء.")
    assert cleaned.body == "أكد الوزير أهمية اللقاء.\nنص آخر."


def test_repeated_title_is_removed_as_duplicate():
    cleaned = clean_text("Storm hits the coast\nStorm hits the coast\nThe storm arrived at night.")
    assert cleaned.title == "Storm hits the coast"
    assert cleaned.body == "The storm arrived at night."


@pytest.mark.parametrize(
    "first_line",
    [
        "This first line ends like a sentence.",
        "Is this first line a question?",
        "هل هذا سؤال؟",
        "خبر ينتهي بفاصلة،",
        "A first line that is far too long to be a headline because it keeps going on and on with"
        " many more words than any title",
    ],
)
def test_first_line_that_is_not_title_like_stays_in_body(first_line):
    cleaned = clean_text(f"{first_line}\nThe story continues here.")
    assert cleaned.title is None
    assert cleaned.body.split("\n")[0] == first_line


def test_single_paragraph_has_no_title():
    assert clean_text("Short line") == CleanedText(title=None, body="Short line", removed=[])


def test_short_line_is_a_byline_only_when_long_text_follows():
    cleaned = clean_text("Storm hits the coast\nEditorial team\nShort line.\nMore.")
    assert cleaned.body.startswith("Editorial team")


def test_short_line_elsewhere_is_not_a_byline():
    text = "Storm hits the coast\n" + "The storm arrived at night and flooded the town. " * 3
    cleaned = clean_text(text + "\nFrom the scene\n" + "Rescuers worked through the night. " * 5)
    assert "From the scene" in cleaned.body.split("\n")


def test_stated_title_is_not_detected_and_its_repeat_is_dropped():
    cleaned = clean_text("Storm hits\nSubhead line\nThe storm arrived.", title="Storm hits")
    assert cleaned.title == "Storm hits"
    assert cleaned.body == "Subhead line\nThe storm arrived."


def test_detection_can_be_disabled():
    cleaned = clean_text("Short first line\nThe story.", detect_title=False)
    assert cleaned.title is None
    assert cleaned.body == "Short first line\nThe story."


def test_everything_boilerplate_gives_empty_body():
    assert clean_text("Share this\nBack to top\n").body == ""
