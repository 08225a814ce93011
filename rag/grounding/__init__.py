"""The grounding stage: citation markers in answer text, and whether each answer sentence is
supported by the passage it cites."""

from rag.grounding.citations import Marker, parse_markers, resolve, strip_markers
from rag.grounding.verify import SupportChecker, closest_sentence

__all__ = [
    "Marker",
    "SupportChecker",
    "closest_sentence",
    "parse_markers",
    "resolve",
    "strip_markers",
]
