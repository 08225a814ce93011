"""Command line for the evaluation.

python -m eval seed-qa FILE.jsonl [--json OUT] [--report DIR]
python -m eval squad PASSAGES.json [--questions QUESTIONS.json] [--json OUT] [--report DIR]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from eval.calibration import (
    MAX_FALSE_REFUSAL,
    calibrate,
    fit_answerability,
    support_scores,
    support_threshold,
    write_calibration,
)
from eval.datasets import load_squad
from eval.report import format_summary_table, write_report
from eval.runner import (
    SPLITS,
    SquadPipelines,
    evaluate_seed_qa,
    evaluate_squad,
    questions_in_split,
    squad_index_dir,
)
from rag.config import CALIBRATED_MODEL_KEY, CALIBRATION_FILE, load_settings
from rag.pipeline import embedder_for


def _emit(results: dict[str, Any], args: argparse.Namespace) -> None:
    print(format_summary_table(results))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
        print(f"results: {args.json}")
    if args.report:
        print(f"report:  {write_report(results, args.report)}")


def _calibrate(args: argparse.Namespace) -> int:
    # Thresholds off: every question is answered, so every score and signal is seen.
    off = float("-inf")
    settings = load_settings(args.config, refusal_threshold_ar=off, refusal_threshold_en=off)
    embedder = embedder_for(settings)
    sets = [load_squad(args.passages), *(load_squad(args.passages, q) for q in args.questions)]
    pipelines = SquadPipelines.build(
        sets[0], settings, embedder, args.index or squad_index_dir(settings, args.passages)
    )
    records: dict[str, list[dict[str, Any]]] = {}
    for squad in sets:
        answered, unanswerable = pipelines.ask(
            squad.name, questions_in_split(squad, "even"), with_rankings=False
        )
        for record in [*answered, *unanswerable]:
            if record["features"]:
                records.setdefault(record["lang"], []).append(record)
    models = {
        language: fit_answerability(
            [r["features"] for r in group], [r["answerable"] for r in group]
        )
        for language, group in records.items()
    }
    scores = {
        language: {
            kind: [models[language].score(r["features"]) for r in group if r["answerable"] == want]
            for kind, want in (("answerable", True), ("unanswerable", False))
        }
        for language, group in records.items()
    }
    calibration = calibrate(scores, args.max_false_refusal)
    calibration["answerability"] = {language: m.to_json() for language, m in models.items()}
    calibration[CALIBRATED_MODEL_KEY] = settings.model
    calibration["source"] = [str(args.passages), *map(str, args.questions)]
    if args.questions:
        # English paragraphs as claims against their Arabic translations.
        english = load_squad(args.questions[0])
        calibration.update(support_threshold(*support_scores(sets[0], english, embedder)))
    write_calibration(calibration, args.out)
    print(json.dumps(calibration, indent=2, ensure_ascii=False))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m eval",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--config", type=Path, help="TOML settings file")
    commands = parser.add_subparsers(dest="command", required=True)

    seed = commands.add_parser(
        "seed-qa", help="questions on the indexed corpus (seed_qa.jsonl format)"
    )
    seed.add_argument("file", type=Path)
    seed.add_argument("--index", type=Path, help="index folder of the corpus")

    squad = commands.add_parser("squad", help="any SQuAD v1.1-format file, indexed on its own")
    squad.add_argument("passages", type=Path)
    squad.add_argument("--questions", type=Path, help="parallel file whose questions join by id")
    squad.add_argument("--index", type=Path, help="where to keep this set's index")
    squad.add_argument("--limit", type=int, help="ask only the first N questions")
    squad.add_argument("--no-answer-variant", action=argparse.BooleanOptionalAction, default=True)
    squad.add_argument(
        "--split", choices=SPLITS, default="all", help="odd = held out from calibration"
    )

    calibrate = commands.add_parser(
        "calibrate",
        help="fit the answerability model and refusal thresholds on the even articles of a SQuAD set",
    )
    calibrate.add_argument("passages", type=Path)
    calibrate.add_argument("--index", type=Path, help="where to keep this set's index")
    calibrate.add_argument(
        "--questions",
        type=Path,
        nargs="*",
        default=[],
        help="parallel question files (other languages)",
    )
    calibrate.add_argument("--max-false-refusal", type=float, default=MAX_FALSE_REFUSAL)
    calibrate.add_argument("--out", type=Path, default=CALIBRATION_FILE)

    for command in (seed, squad):
        command.add_argument("--json", type=Path, help="write the results JSON here")
        command.add_argument(
            "--report", type=Path, help="write report.md and plots into this folder"
        )
        command.add_argument("--k", type=int, help="passages per answer")

    args = parser.parse_args(argv)
    try:
        if args.command == "calibrate":
            return _calibrate(args)
        if args.command == "seed-qa":
            settings = load_settings(args.config, index_dir=args.index, top_k=args.k)
            results = evaluate_seed_qa(args.file, settings)
        else:
            settings = load_settings(args.config, top_k=args.k)
            results = evaluate_squad(
                args.passages,
                args.questions,
                settings,
                index_dir=args.index,
                limit=args.limit,
                no_answer=args.no_answer_variant,
                split=args.split,
            )
    except (OSError, ValueError, RuntimeError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    _emit(results, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
