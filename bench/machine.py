"""Section 0: the machine the figures were taken on (CPUs, torch threads, load, nice), since
wall-clock times on a shared machine mean little without it; it also loads the settings and the
configured embedder the later sections use."""

from __future__ import annotations

import os
import platform

from bench.common import loadavg
from bench.suite import Bench


def header(bench: Bench) -> None:
    import torch

    from rag.config import load_settings
    from rag.pipeline import embedder_for

    cpus = os.cpu_count()
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else cpus
    info = {
        "cpus": cpus,
        "usable_cpus": usable,
        "torch_threads": torch.get_num_threads(),
        "torch": torch.__version__,
        "python": platform.python_version(),
        "loadavg_start": loadavg(),
        "nice": os.nice(0),
    }
    bench.results["machine"] = info
    mode = "QUICK (tiny sizes)" if bench.quick else "FULL"
    print(f"bench: Arabic-news RAG benchmark, {mode}")
    print(
        f"machine: {cpus} CPUs ({usable} usable), torch {torch.__version__} with "
        f"{info['torch_threads']} threads, Python {info['python']}, "
        f"load average {info['loadavg_start']}, nice {info['nice']}"
    )
    print(f"sizes: {bench.sizes}")
    bench.settings = load_settings()
    bench.embedder = embedder_for(bench.settings)
