"""Command line for the evaluation.

python -m eval seed-qa FILE.jsonl [--json OUT] [--report DIR]
python -m eval squad PASSAGES.json [--questions QUESTIONS.json] [--json OUT] [--report DIR]
python -m eval timeline FILE.jsonl [--json OUT]   (event coverage and order of timeline answers)
python -m eval collect --out DIR        (records for calibration, from XQuAD and ARCD train)
python -m eval calibrate --fit fusion|ranker|confidence --records DIR, or --fit support
                                        (write rag/calibration.json)
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from eval.datasets import SHARED_EVAL_DIR
from eval.fitting.calibrate import calibrate_command
from eval.fitting.collect import collect
from eval.reporting.report import format_summary_table, write_report
from eval.runs import SPLITS, evaluate_seed_qa, evaluate_squad
from eval.timeline import evaluate_timelines, format_timelines
from rag.config import CALIBRATION_FILE, load_settings
from rag.pipeline import Pipeline, embedder_for

XQUAD_AR = SHARED_EVAL_DIR / "xquad" / "xquad.ar.json"
XQUAD_EN = SHARED_EVAL_DIR / "xquad" / "xquad.en.json"
ARCD = SHARED_EVAL_DIR / "arcd" / "arcd-train.json"


def _emit(
    results: dict[str, Any],
    args: argparse.Namespace,
    table: Callable[[dict[str, Any]], str] = format_summary_table,
) -> None:
    print(table(results))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
        print(f"results: {args.json}")
    if getattr(args, "report", None):
        print(f"report:  {write_report(results, args.report)}")


def _timeline(args: argparse.Namespace) -> int:
    settings = load_settings(args.config, index_dir=args.index)
    _emit(evaluate_timelines(args.file, Pipeline.from_settings(settings)), args, format_timelines)
    return 0


def _parser() -> argparse.ArgumentParser:
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
    for command in (seed, squad):
        command.add_argument("--json", type=Path, help="write the results JSON here")
        command.add_argument(
            "--report", type=Path, help="write report.md and plots into this folder"
        )
        command.add_argument("--k", type=int, help="passages per answer")
    timeline = commands.add_parser(
        "timeline", help="event coverage, order and citations of timeline answers"
    )
    timeline.add_argument("file", type=Path, help="broad questions with their expected events")
    timeline.add_argument("--index", type=Path, help="index folder of the corpus")
    timeline.add_argument("--json", type=Path, help="write the results JSON here")
    gather = commands.add_parser("collect", help="ask the calibration sets with the tiers off")
    gather.add_argument("--out", type=Path, required=True, help="folder for the records (JSONL)")
    gather.add_argument("--index-root", type=Path, help="where to keep the sets' indexes")
    gather.add_argument("--xquad", type=Path, default=XQUAD_AR, help="XQuAD Arabic file")
    gather.add_argument("--xquad-en", type=Path, default=XQUAD_EN, help="XQuAD English file")
    gather.add_argument("--arcd", type=Path, default=ARCD, help="ARCD train file")
    fit = commands.add_parser(
        "calibrate",
        help="fit the fusion, the ranker or the confidence from records, or the support cosine",
    )
    fit.add_argument("--records", type=Path, help="folder `collect` wrote (all but support)")
    fit.add_argument("--fit", choices=("fusion", "ranker", "confidence", "support"), required=True)
    fit.add_argument("--xquad", type=Path, default=XQUAD_AR, help="XQuAD Arabic file (support)")
    fit.add_argument("--xquad-en", type=Path, default=XQUAD_EN, help="XQuAD English (support)")
    fit.add_argument("--out", type=Path, default=CALIBRATION_FILE)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "calibrate":
            return calibrate_command(args)
        if args.command == "collect":
            settings = load_settings(args.config)
            counts = collect(
                args.xquad,
                args.xquad_en,
                args.arcd,
                settings,
                embedder_for(settings),
                args.out,
                args.index_root,
            )
            print(json.dumps(counts, indent=2))
            return 0
        if args.command == "timeline":
            return _timeline(args)
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
