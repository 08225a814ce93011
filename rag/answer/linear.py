"""A logistic model over standardized, named signals, stored as plain numbers: the shape of the
confidence (`rag.answer.confidence`) and of the sentence ranker (`rag.answer.ranking`)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Self

import numpy as np


@dataclass(frozen=True)
class LinearModel:
    """`log_odds` is `coef · (x - mean) / scale + intercept` over the signals `features`, each
    one of the subclass's `known` names."""

    known: ClassVar[tuple[str, ...]] = ()
    kind: ClassVar[str] = "linear model"

    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float

    def __post_init__(self) -> None:
        unknown = set(self.features) - set(self.known)
        if unknown:
            raise ValueError(f"{self.kind}: unknown feature(s): {', '.join(sorted(unknown))}")
        sizes = {len(self.features), len(self.mean), len(self.scale), len(self.coef)}
        if len(sizes) != 1:
            raise ValueError(f"{self.kind}: features, mean, scale and coef differ in length")
        if any(s <= 0 for s in self.scale):
            raise ValueError(f"{self.kind}: every scale must be positive")

    def log_odds_of(self, x: np.ndarray) -> np.ndarray:
        """Log-odds of each row of `x` (columns in the order of `features`)."""
        z = (x - np.asarray(self.mean)) / np.asarray(self.scale)
        return z @ np.asarray(self.coef) + self.intercept

    def log_odds(self, values: Mapping[str, float]) -> float:
        x = np.array([[values[name] for name in self.features]], dtype=float)
        return float(self.log_odds_of(x)[0])

    def probability(self, values: Mapping[str, float]) -> float:
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, self.log_odds(values)))))

    def to_json(self) -> dict[str, Any]:
        return {
            "features": list(self.features),
            "mean": [round(v, 8) for v in self.mean],
            "scale": [round(v, 8) for v in self.scale],
            "coef": [round(v, 8) for v in self.coef],
            "intercept": round(self.intercept, 8),
        }

    @classmethod
    def from_json(cls, payload: Mapping[str, Any]) -> Self:
        try:
            return cls(
                features=tuple(str(name) for name in payload["features"]),
                mean=tuple(float(v) for v in payload["mean"]),
                scale=tuple(float(v) for v in payload["scale"]),
                coef=tuple(float(v) for v in payload["coef"]),
                intercept=float(payload["intercept"]),
            )
        except (KeyError, TypeError) as error:
            raise ValueError(f"{cls.kind}: malformed entry ({error})") from error

    @classmethod
    def per_language(cls, payload: Mapping[str, Any] | None) -> dict[str, Self]:
        """The models of a setting keyed by question language (`{"ar": {...}, "en": {...}}`)."""
        return {language: cls.from_json(m) for language, m in (payload or {}).items()}
