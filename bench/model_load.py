"""Section 1: a cold model load, in a fresh process so nothing this process has imported or
loaded already helps it."""

from __future__ import annotations

from bench.common import fmt, table
from bench.suite import Bench
from bench.workers import run_worker


def model_load(bench: Bench) -> None:
    result, wall = run_worker("load", out=bench.workdir / "load.json")
    result["process_seconds"] = wall
    bench.results["model_load"] = result
    print(
        table(
            ["figure", "value"],
            [
                ["process launch to exit (s)", fmt(wall, 2)],
                ["  imports before load (s)", fmt(result["import_seconds"], 2)],
                ["  Embedder.warm_up() (s)", fmt(result["load_seconds"], 2)],
                ["RSS after load (MB)", fmt(result["rss_mb"], 0)],
                ["peak RSS (MB)", fmt(result["peak_rss_mb"], 0)],
            ],
        )
    )
    print("  note: a fresh process; the OS file cache may already hold the weights.")
    # The rest of the suite uses a model loaded (and run once) in this process.
    bench.embedder.warm_up()
    bench.embedder.embed_passages(["warm-up"])
