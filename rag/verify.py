"""Is each answer sentence supported by the passage it cites?

Support is the best cosine between the answer sentence and any sentence of its cited passages,
with the same multilingual model that retrieves, so an English sentence can be checked against
Arabic evidence. Below the threshold a sentence is flagged as unsupported.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from embeddings.index import VectorIndex
from rag.encoder import CachedEncoder
from rag.messages import message
from rag.schema import Answer

# Quotation marks around a quoted answer sentence, not part of the claim.
QUOTES = "“”\"«»'‘’ "


class SupportChecker:
    def __init__(self, index: VectorIndex, encoder: CachedEncoder, threshold: float) -> None:
        self.index = index
        self.encoder = encoder
        self.threshold = threshold

    def verify(self, answer: Answer) -> Answer:
        by_marker = {c.marker: c.passage for c in answer.citations}
        checked = []
        for sentence in answer.sentences:
            evidence = [
                (span.text, vector)
                for marker in sentence.markers
                if marker in by_marker
                for span, vector in self.index.sentences_in(by_marker[marker].chunk)
            ]
            score = 0.0
            if evidence:
                claim_text = sentence.text.strip(QUOTES)
                # A quoted sentence has its vector in the index already; only new wording (an
                # LLM's) needs the model.
                stored = next((v for text, v in evidence if text == claim_text), None)
                claim = stored if stored is not None else self.encoder.passages([claim_text])[0]
                score = float(np.max(np.stack([v for _, v in evidence]) @ claim))
            checked.append(replace(sentence, support=score, supported=score >= self.threshold))
        answer.sentences = checked
        if answer.unsupported_sentences:
            answer.notices.append(message("unsupported", answer.language))
        return answer
