"""The article table: records apart from the manifest, sorted, checksummed, parsed when read."""

from __future__ import annotations

import pytest

from embeddings.index.articles import (
    ArticleTable,
    decode_articles,
    encode_articles,
    mentioning,
)
from embeddings.index.manifest import ArticleRecord, IndexCorruptError, manifest_checksum


def _records(count: int) -> dict[str, ArticleRecord]:
    return {
        f"a{n:04d}": ArticleRecord(
            f"{n:064x}",
            f"عنوان {n}" if n % 3 else None,
            f"corpus/{n}.txt",
            n % 7 + 1,
            date="2015-07-21",
            outlet="okaz" if n % 2 else None,
            author="واس" if n % 5 == 0 else None,
        )
        for n in reversed(range(count))  # not in id order: the table sorts them
    }


def test_round_trip_keeps_every_field_in_id_order() -> None:
    records = _records(50)
    table = ArticleTable(encode_articles(records))
    assert len(table) == 50
    assert list(table) == sorted(records)
    assert dict(table.items()) == records
    assert table == records  # a Mapping equals the dict it was made from
    assert encode_articles(table) == encode_articles(records)


def test_nothing_is_parsed_until_read_and_a_lookup_parses_one_record() -> None:
    table = ArticleTable(encode_articles(_records(1_000)))
    assert table._records == {}
    assert table["a0500"].chunks == 500 % 7 + 1
    assert len(table._records) == 1
    assert "a0999" in table and "a1000" not in table and "" not in table
    assert table.get("nope") is None
    assert table.row_of("a0000") == 0 and table.article_id(999) == "a0999"


def test_damage_is_refused_with_what_to_run() -> None:
    data = encode_articles(_records(3))
    with pytest.raises(IndexCorruptError, match=r"damaged \(it does not match.*--rebuild"):
        decode_articles(data.replace(b"okaz", b"okay"), manifest_checksum(data), "t")
    with pytest.raises(IndexCorruptError, match="no checksum"):
        decode_articles(data, "", "t")
    with pytest.raises(IndexCorruptError, match="truncated"):
        ArticleTable(data[:-3])


def test_a_table_out_of_order_or_with_a_bad_line_is_refused_when_read() -> None:
    lines = encode_articles(_records(3)).splitlines(keepends=True)
    swapped = ArticleTable(b"".join([lines[1], lines[0], lines[2]]))
    with pytest.raises(IndexCorruptError, match="not sorted"):
        list(swapped)
    broken = ArticleTable(lines[0] + b'"a0001"\t{"chunks": "2"}\n')
    assert broken["a0000"].chunks == 1
    with pytest.raises(IndexCorruptError, match=r"line 2: .*--rebuild"):
        broken["a0001"]
    with pytest.raises(IndexCorruptError, match="no article id"):
        ArticleTable(b"7\t{}\n").article_id(0)


def test_an_empty_table() -> None:
    table = ArticleTable(encode_articles({}))
    assert len(table) == 0 and list(table) == [] and table.get("a") is None


def test_mentioning_parses_only_the_lines_that_hold_the_text() -> None:
    records = _records(300)
    records["a0007"] = ArticleRecord("0" * 64, None, "corpus/uploads/x.txt", 1)
    # In another field, and with a character JSON escapes: found as encoded.
    records["a0100"] = ArticleRecord("1" * 64, 'عن "uploads"', "corpus/100.txt", 1)
    table = ArticleTable(encode_articles(records))
    found = mentioning(table, "uploads")
    assert [r.source for r in found] == ["corpus/uploads/x.txt", "corpus/100.txt"]
    assert sorted(table._records) == [7, 100]  # the other 298 records were not parsed
    assert [r.title for r in mentioning(table, '"uploads"')] == ['عن "uploads"']
    assert mentioning(table, "no such text") == [] and len(table._records) == 2
    assert mentioning(records, "uploads") == list(records.values())  # not a table: every record
