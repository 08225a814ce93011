"""Is each answer sentence supported by the passage it cites?

Support is the best cosine between the answer sentence and any sentence of its cited passages,
with the same multilingual model that retrieves, so an English sentence can be checked against
Arabic evidence. Below the threshold a sentence is flagged as unsupported. Text that instructs
its reader (`corpus.instructions`) is neither evidence nor a supported answer sentence.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from corpus import Span
from corpus.instructions import addresses_reader
from embeddings.index.protocol import SentenceVector, VectorIndex
from embeddings.model.cache import CachedEncoder
from rag.messages import message
from rag.schema import QUOTES, Answer


def closest_sentence(
    evidence: Sequence[SentenceVector], claims: np.ndarray
) -> tuple[Span, float] | None:
    """The evidence sentence closest to any of the claim vectors (one per row), with that
    cosine; None without evidence."""
    if not len(evidence):
        return None
    similarity = np.stack([vector for _, vector in evidence]) @ np.atleast_2d(claims).T
    row, _ = np.unravel_index(int(np.argmax(similarity)), similarity.shape)
    return evidence[int(row)][0], float(similarity.max())


class SupportChecker:
    def __init__(self, index: VectorIndex, encoder: CachedEncoder, threshold: float) -> None:
        self.index = index
        self.encoder = encoder
        self.threshold = threshold

    def verify(self, answer: Answer) -> Answer:
        """The answer with each sentence's support scored and flagged, and a notice when any
        sentence is unsupported."""
        by_marker = {c.marker: c.passage.chunk for c in answer.citations}
        cited = list(by_marker)
        evidence_of = dict(
            zip(cited, self.index.sentences_in(list(by_marker.values())), strict=True)
        )
        checked = []
        for sentence in answer.sentences:
            # Text that instructs its reader supports nothing: a reply that obeyed it is flagged.
            evidence = [
                e
                for m in sentence.markers
                if m in evidence_of
                for e in evidence_of[m]
                if not addresses_reader(e[0].text)
            ]
            score = 0.0
            claim_text = sentence.text.strip(QUOTES)
            # A sentence that itself instructs the reader (a model obeying an article) answers
            # nothing, whatever it resembles.
            if evidence and not addresses_reader(claim_text):
                # A quoted sentence has its vector in the index already; only new wording (an
                # LLM's) needs the model.
                stored = next((v for span, v in evidence if span.text == claim_text), None)
                claim = stored if stored is not None else self.encoder.passages([claim_text])[0]
                _, score = closest_sentence(evidence, claim) or (None, 0.0)
            checked.append(replace(sentence, support=score, supported=score >= self.threshold))
        notices = list(answer.notices)
        if any(not s.supported for s in checked):
            notices.append(message("unsupported", answer.language))
        return replace(answer, sentences=checked, notices=notices)
