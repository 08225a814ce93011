"""Experiment (issue #7): late-chunked sentence vectors against the separate sentence pass.

Usage: python -m bench.late_chunking [--paragraphs 240] [--rounds 2]

An ingest embeds every chunk and, separately, every answer sentence. Late chunking would run the
model once per chunk and take each sentence's vector as the unit mean of the chunk's contextual
token embeddings over the sentence's characters (from the chunk where the sentence is most
central), so the sentence pass disappears. This script measures both sides on the XQuAD Arabic
paragraphs:
- speed: the embedding work of one ingest (chunks, then sentences) for fp32 torch and onnx-int8,
  each with separate sentences and late-chunked; variants take turns for `--rounds` rounds and the
  best round counts, printed with the load average;
- sentence quality, fp32: the sentence vectors alone as a retriever (paragraphs ranked by their
  best sentence, nDCG@10) and as an answer selector (does the best sentence of the gold paragraph
  contain the answer), for ar-ar and en-ar questions.
It was not adopted: sentence vectors pooled in context barely tell the sentences of one chunk
apart, so answer selection and en-ar retrieval lose (figures in README.md, Performance).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from bench.common import XQUAD_AR, XQUAD_EN, loadavg
from corpus import Article, Chunk, ChunkerSettings, Span, answer_spans, chunk_article
from embeddings.ingest.local import EMBED_BATCH, embed_passages_sorted
from embeddings.model.embedder import Embedder
from eval.datasets import load_squad
from eval.metrics import ndcg_at_k
from eval.runs import passage_articles

K = 10


@dataclass
class Work:
    """What an ingest of `articles` embeds, and where each sentence sits in its chunk."""

    chunks: list[Chunk]
    sentences: list[tuple[str, Span]]  # (article id, span in the article)
    spans: list[list[tuple[int, int]]]  # per chunk: its sentences' spans in its search text
    rows: list[list[int]]  # per chunk: those sentences' rows in `sentences`
    alone: list[int]  # rows of sentences no chunk holds whole


def plan(articles: Sequence[Article], embedder: Embedder) -> Work:
    work = Work([], [], [], [], [])
    for article in articles:
        chunks = chunk_article(article, embedder.count_tokens, ChunkerSettings())
        first = len(work.chunks)
        work.chunks += chunks
        work.spans += [[] for _ in chunks]
        work.rows += [[] for _ in chunks]
        for span in answer_spans(article.text):
            holders = [
                i for i, c in enumerate(chunks) if c.start <= span.start <= span.end <= c.end
            ]
            home = max(
                holders,
                key=lambda i: min(span.start - chunks[i].start, chunks[i].end - span.end),
                default=None,
            )
            if home is None:
                work.alone.append(len(work.sentences))
            else:
                chunk = chunks[home]
                shift = (len(chunk.title) + 1 if chunk.title else 0) - chunk.start
                work.spans[first + home].append((span.start + shift, span.end + shift))
                work.rows[first + home].append(len(work.sentences))
            work.sentences.append((article.id, span))
    return work


def separate(embedder: Embedder, work: Work) -> np.ndarray:
    """The ingest as it is: chunks and sentences embedded as texts of their own."""
    texts = [c.search_text for c in work.chunks] + [span.text for _, span in work.sentences]
    return embed_passages_sorted(embedder, texts)[len(work.chunks) :]


def late_chunked(embedder: Embedder, work: Work) -> np.ndarray:
    """Sentence vectors pooled from the chunk passes; the chunk vectors come from the same pass."""
    import torch

    model = embedder.model
    prompt = model.prompts["document"] or ""
    vectors = np.zeros((len(work.sentences), embedder.dimension), dtype=np.float32)
    order = sorted(range(len(work.chunks)), key=lambda i: len(work.chunks[i].search_text))
    for begin in range(0, len(order), EMBED_BATCH):
        batch = order[begin : begin + EMBED_BATCH]
        features = model.tokenizer(
            [prompt + work.chunks[i].search_text for i in batch],
            padding=True,
            truncation=True,
            max_length=embedder.max_tokens,
            return_offsets_mapping=True,
            return_tensors="pt",
        )
        offsets = features.pop("offset_mapping")
        with torch.inference_mode():
            tokens = model(dict(features))["token_embeddings"]
        for row, i in enumerate(batch):
            if not work.spans[i]:
                continue
            bounds = torch.tensor([(s + len(prompt), e + len(prompt)) for s, e in work.spans[i]])
            starts, ends = offsets[row, :, 0], offsets[row, :, 1]
            inside = (ends > starts) & (starts < bounds[:, 1:2]) & (ends > bounds[:, 0:1])
            pooled = inside.float() @ tokens[row] / inside.sum(dim=1, keepdim=True)
            vectors[work.rows[i]] = torch.nn.functional.normalize(pooled, dim=1).numpy()
    if work.alone:
        texts = [work.sentences[row][1].text for row in work.alone]
        vectors[work.alone] = embed_passages_sorted(embedder, texts)
    return vectors


def speed(embedders: dict[str, Embedder], work: Work, rounds: int) -> None:
    chunk_tokens = sum(embedders["torch"].count_tokens(c.search_text) for c in work.chunks)
    sentence_tokens = sum(embedders["torch"].count_tokens(s.text) for _, s in work.sentences)
    alone_tokens = sum(
        embedders["torch"].count_tokens(work.sentences[row][1].text) for row in work.alone
    )
    variants = {
        (backend, method): (embedder, run, chunk_tokens + tokens)
        for backend, embedder in embedders.items()
        for method, run, tokens in (
            ("separate", separate, sentence_tokens),
            ("late-chunked", late_chunked, alone_tokens),
        )
    }
    best = dict.fromkeys(variants, float("inf"))
    for embedder in embedders.values():
        embedder.embed_passages([c.search_text for c in work.chunks[:EMBED_BATCH]])  # warm-up
    for round_ in range(1, rounds + 1):
        for key, (embedder, run, _) in variants.items():
            started = time.perf_counter()
            run(embedder, work)
            seconds = time.perf_counter() - started
            best[key] = min(best[key], seconds)
            print(f"  round {round_} {key[0]:9s} {key[1]:12s} {seconds:6.1f} s  load {loadavg()}")
    reference = best[("torch", "separate")]
    print(f"\n  {len(work.chunks)} chunks, {len(work.sentences)} sentences; best of {rounds}")
    print("  backend    sentences     chunks/s  model tokens/s  speed-up")
    for (backend, method), (_, _, tokens) in variants.items():
        seconds = best[(backend, method)]
        print(
            f"  {backend:9s}  {method:12s} {len(work.chunks) / seconds:8.1f}  {tokens / seconds:14.0f}"
            f"  {reference / seconds:7.2f}x"
        )


def quality(embedder: Embedder, work: Work, articles: Sequence[Article]) -> None:
    texts = {article.id: article.text for article in articles}
    article_of = np.array([article_id for article_id, _ in work.sentences])
    rows_of: dict[str, list[int]] = {}
    for row, (article_id, _) in enumerate(work.sentences):
        rows_of.setdefault(article_id, []).append(row)
    methods = {"separate": separate(embedder, work), "late-chunked": late_chunked(embedder, work)}
    print("  questions  sentences     sentence nDCG@10  best sentence has answer")
    for direction, questions_path in (("ar-ar", None), ("en-ar", XQUAD_EN)):
        questions = [
            q
            for q in load_squad(XQUAD_AR, questions_path).questions
            if q.answers and q.gold_ids and q.gold_ids[0] in texts
        ]
        scores = embedder.embed_queries([q.question for q in questions]) @ np.stack(
            list(methods.values())
        ).transpose(0, 2, 1)
        for name, method_scores in zip(methods, scores, strict=True):
            ndcgs, hits = [], []
            for question, row_scores in zip(questions, method_scores, strict=True):
                ranked = list(dict.fromkeys(article_of[np.argsort(-row_scores)[: 4 * K]]))
                ndcgs.append(ndcg_at_k(ranked, question.gold_ids, K))
                rows = rows_of[question.gold_ids[0]]
                _, span = work.sentences[rows[int(np.argmax(row_scores[rows]))]]
                hits.append(any(answer in span.text for answer in question.answers))
            print(f"  {direction}      {name:12s}  {np.mean(ndcgs):16.4f}  {np.mean(hits):24.4f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--paragraphs", type=int, default=240, help="XQuAD paragraphs to ingest")
    parser.add_argument("--rounds", type=int, default=2, help="speed rounds per variant")
    args = parser.parse_args(argv)

    import torch

    print(f"cpus {os.cpu_count()}, torch threads {torch.get_num_threads()}, load {loadavg()}")
    articles = passage_articles(load_squad(XQUAD_AR).passages[: args.paragraphs])
    embedders = {backend: Embedder(backend=backend) for backend in ("torch", "onnx-int8")}
    work = plan(articles, embedders["torch"])
    print(f"{len(work.alone)} of {len(work.sentences)} sentences lie in no chunk whole")
    print("speed: embedding work of one ingest")
    speed(embedders, work, args.rounds)
    print("\nsentence quality, fp32")
    quality(embedders["torch"], work, articles)
    print(f"\nload average at end {loadavg()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
