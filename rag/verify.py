"""Is each answer sentence supported by the passage it cites?

Support is the best cosine between the answer sentence and any sentence of its cited passages,
with the same multilingual model that retrieves, so an English sentence can be checked against
Arabic evidence. Below the threshold a sentence is flagged as unsupported.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from rag.encoder import CachedEncoder
from rag.extractive import passage_sentences
from rag.schema import Answer

_QUOTES = "“”\"«»'‘’ "


class SupportChecker:
    def __init__(self, encoder: CachedEncoder, threshold: float) -> None:
        self.encoder = encoder
        self.threshold = threshold

    def support(self, sentence: str, evidence: list[str]) -> float:
        if not evidence:
            return 0.0
        vectors = self.encoder.passages([sentence.strip(_QUOTES), *evidence])
        return float(np.max(vectors[1:] @ vectors[0]))

    def verify(self, answer: Answer) -> Answer:
        by_marker = {c.marker: c.passage for c in answer.citations}
        checked = []
        for sentence in answer.sentences:
            passages = [by_marker[m] for m in sentence.markers if m in by_marker]
            evidence = [span.text for p in passages for span in passage_sentences(p)]
            score = self.support(sentence.text, evidence)
            checked.append(replace(sentence, support=score, supported=score >= self.threshold))
        answer.sentences = checked
        return answer
