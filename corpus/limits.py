"""Hard limits that hold for any input, whatever its script or shape.

Each one bounds the work or the size of what one article can produce, so that no file can make
loading, splitting or chunking slow, and no unit of text can grow past what its consumer (the
embedding model, an answer quote) can take.
"""

# A file larger than this is rejected before it is read.
MAX_FILE_BYTES = 10 * 1024 * 1024
# A file that takes longer than this to parse in an isolated worker is reported, not loaded.
PARSE_TIME_LIMIT_SECONDS = 20.0
# Answer units: sentences longer than this are cut at commas, then at whitespace, then anywhere
# that does not split a character from its marks, so an answer quotes the clause that matters.
MAX_ANSWER_CHARS = 400
# Arabic and English news run at about 3.5-4 characters per e5 token. Sentences are pre-cut to
# max_tokens times this many characters before any token is counted, so every piece the chunker
# tokenizes is short; the token budget itself is always checked with the real tokenizer.
CHARS_PER_TOKEN = 4
# A sentence longer than max_tokens times this is taken not to fit max_tokens without being
# tokenized, so the chunker looks a bounded distance ahead. No e5 token is longer than 16
# characters; only text the tokenizer drops (zero-width marks, runs of spaces) could fit anyway.
MAX_CHARS_PER_TOKEN = 16
