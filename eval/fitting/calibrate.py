"""`python -m eval calibrate`: fit the fusion, the sentence ranker or the confidence from the
records `collect` wrote, or the support threshold from the parallel XQuAD files, check it on held-out questions,
and store it in `rag/calibration.json` (other keys of that file are kept)."""

from __future__ import annotations

import argparse
import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from eval.datasets import load_squad
from eval.fitting.collect import read_records
from eval.fitting.fusion import FUSED, fit_weights, mean_ndcg, single_rankings
from eval.fitting.ranker import check_ranker
from eval.fitting.support import support_scores, support_threshold
from eval.fitting.tiers import (
    FOLDS,
    checked,
    cross_validated,
    fit_language,
    fold_of,
    with_tiers,
    write_calibration,
)
from rag.config import CALIBRATED_MODEL_KEY, load_settings
from rag.pipeline import embedder_for

Record = Mapping[str, Any]


def _pick(
    sets: Mapping[str, Sequence[Record]], names: Sequence[str], split: str | None
) -> list[Record]:
    return [r for name in names for r in sets.get(name, []) if split is None or r["split"] == split]


def _ranked(records: Sequence[Record]) -> list[Record]:
    return [r for r in records if r["gold_ids"] and r.get("chunk_ranked")]


def _fusion(sets: Mapping[str, Sequence[Record]], rrf_k: int) -> tuple[dict, dict]:
    """Weights per language fitted on XQuAD even (+ ARCD for Arabic), and their check: XQuAD
    odd beside every single ranking, ARCD by cross-validation over articles."""
    weights, stats = {}, {}
    plans = {
        "ar": (
            _pick(sets, ["xquad-ar"], "even"),
            _pick(sets, ["xquad-ar"], "odd"),
            sets.get("arcd", []),
        ),
        "en": (_pick(sets, ["xquad-en"], "even"), _pick(sets, ["xquad-en"], "odd"), []),
    }
    for language, (even, odd, arcd) in plans.items():
        even, odd, arcd = _ranked(even), _ranked(odd), _ranked(arcd)
        fitted, gain = fit_weights([even, arcd], FUSED[language], rrf_k)
        weights[language] = fitted
        equal = dict.fromkeys(FUSED[language], 1.0)
        stats[language] = {
            "fit_worst_gain": round(gain, 4),
            "xquad_odd": {
                "fitted": round(mean_ndcg(odd, fitted, rrf_k), 4),
                "equal_weights": round(mean_ndcg(odd, equal, rrf_k), 4),
                **{m: round(v, 4) for m, v in single_rankings(odd, rrf_k).items()},
            },
        }
        if arcd:
            stats[language]["arcd_cv"] = _fusion_cv(even, arcd, FUSED[language], rrf_k)
    return weights, stats


def _fusion_cv(
    fixed: list[Record], folded: list[Record], methods: Sequence[str], rrf_k: int
) -> dict:
    scores = []
    for fold in range(FOLDS):
        train = [r for r in folded if fold_of(r) != fold]
        test = [r for r in folded if fold_of(r) == fold]
        fitted, _ = fit_weights([fixed, train], methods, rrf_k)
        scores += [(mean_ndcg([r], fitted, rrf_k)) for r in test]
    equal = dict.fromkeys(methods, 1.0)
    return {
        "fitted": round(sum(scores) / len(scores), 4),
        "equal_weights": round(mean_ndcg(folded, equal, rrf_k), 4),
        **{m: round(v, 4) for m, v in single_rankings(folded, rrf_k).items()},
    }


# Per question language: the XQuAD sets (split into even and odd articles), ARCD (checked by
# cross-validation), and the off-topic sets.
CONFIDENCE_SETS = {
    "ar": (
        ["xquad-ar", "xquad-ar-noanswer"],
        ["arcd", "arcd-noanswer"],
        ["offtopic-ar-on-xquad", "offtopic-ar-on-arcd"],
    ),
    "en": (["xquad-en", "xquad-en-noanswer"], [], ["offtopic-en-on-arcd"]),
}


def _confidence(sets: Mapping[str, Sequence[Record]]) -> tuple[dict, dict, dict]:
    models, thresholds, stats = {}, {}, {}
    for language, (xquad, arcd_names, off_topic) in CONFIDENCE_SETS.items():
        even, odd = _pick(sets, xquad, "even"), _pick(sets, xquad, "odd")
        arcd, away = _pick(sets, arcd_names, None), _pick(sets, off_topic, None)
        model, tiers = fit_language([*even, *arcd, *away])
        models[language], thresholds[language] = model.to_json(), tiers.to_json()
        stats[language] = {
            "thresholds": tiers.to_json(),
            "fit": checked(with_tiers([*even, *arcd, *away], model, tiers)),
            "xquad_odd": checked(with_tiers(odd, model, tiers)),
            **{
                name: checked(with_tiers(sets[name], model, tiers))
                for name in off_topic
                if sets.get(name)
            },
        }
        if arcd:
            stats[language]["arcd_cv"] = cross_validated([*even, *away], arcd)
    return models, thresholds, stats


# Per question language: the XQuAD set (even articles to fit, odd to check) and ARCD.
RANKER_SETS = {"ar": ("xquad-ar", "arcd"), "en": ("xquad-en", None)}


def _ranker(sets: Mapping[str, Sequence[Record]]) -> tuple[dict, dict]:
    """The ranker per language, kept only where it beats the hand-weighed score on every
    held-out check; the checks are reported either way."""
    rankers, stats = {}, {}
    for language, (xquad, arcd_name) in RANKER_SETS.items():
        arcd = sets.get(arcd_name, []) if arcd_name else []
        ranker, stats[language] = check_ranker(
            _pick(sets, [xquad], "even"), _pick(sets, [xquad], "odd"), arcd
        )
        if stats[language]["kept"]:
            rankers[language] = ranker.to_json()
    return rankers, stats


def calibrate_command(args: argparse.Namespace) -> int:
    settings = load_settings(args.config)
    calibration = json.loads(args.out.read_text(encoding="utf-8")) if args.out.is_file() else {}
    if args.fit == "support":
        supported, unsupported = support_scores(
            load_squad(args.xquad), load_squad(args.xquad_en), embedder_for(settings)
        )
        report = support_threshold(supported, unsupported)
        calibration.update(report)
        sources = [str(args.xquad), str(args.xquad_en)]
        return _write(calibration, args, settings.embedding.model, sources, report)
    if args.records is None:
        raise ValueError(f"--fit {args.fit} needs --records (the folder `collect` wrote)")
    sets = read_records(args.records)
    if args.fit == "fusion":
        weights, stats = _fusion(sets, settings.retrieval.rrf_k)
        calibration.update({"fusion_weights": weights, "fusion_stats": stats})
        report = stats
    elif args.fit == "ranker":
        rankers, stats = _ranker(sets)
        calibration.update({"sentence_ranker": rankers or None, "sentence_ranker_stats": stats})
        report = stats
    else:
        models, thresholds, stats = _confidence(sets)
        calibration.update(
            {"confidence": models, "tier_thresholds": thresholds, "confidence_stats": stats}
        )
        report = stats
    return _write(calibration, args, settings.embedding.model, sorted(sets), report)


def _write(
    calibration: dict[str, Any],
    args: argparse.Namespace,
    model: str,
    sources: list[str],
    report: Mapping[str, Any],
) -> int:
    calibration[CALIBRATED_MODEL_KEY] = model
    calibration[f"{args.fit}_created"] = datetime.now(UTC).isoformat(timespec="seconds")
    calibration[f"{args.fit}_source"] = sources
    write_calibration(calibration, args.out)
    print(json.dumps(report, indent=2, ensure_ascii=False))
    return 0
