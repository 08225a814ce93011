"""Readers for the formats a newsroom keeps beside plain text: PDF, Word (.docx), web pages and
RSS/Atom feeds. Each turns a file into a `Document` (the text, one paragraph per line, with the
title, date, outlet, author and address the file states) or raises `FormatError` with a reason a
user can act on. Nothing here fetches: pages and feeds arrive as files (service/fetching.py)."""

from corpus.formats.document import Document, FormatError, iso_day
from corpus.formats.feed import Feed, FeedItem, read_feed
from corpus.formats.pdf import read_pdf
from corpus.formats.web import read_web_page
from corpus.formats.word import read_docx

__all__ = [
    "Document",
    "Feed",
    "FeedItem",
    "FormatError",
    "iso_day",
    "read_docx",
    "read_feed",
    "read_pdf",
    "read_web_page",
]
