"""`python -m embeddings prepare`: build and verify the packaged model once, and its export for
the serving backend (ONNX fp32 unless `--backend` says otherwise)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from embeddings.model.backend.folders import VERIFICATION_FILE, ModelError
from embeddings.model.backend.packaged import DEFAULT_CACHE_DIR, materialize_packaged_model
from embeddings.model.embedder import BACKENDS, DEFAULT_BACKEND, Embedder


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m embeddings")
    parser.add_argument("command", choices=["prepare"])
    parser.add_argument("--force", action="store_true", help="convert and verify again")
    parser.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE_DIR, help="model folder")
    parser.add_argument(
        "--backend",
        choices=BACKENDS,
        action="append",
        help=f"backend to prepare, repeatable (default: {DEFAULT_BACKEND})",
    )
    args = parser.parse_args(argv)

    try:
        # The packaged folder first: every backend's export is made from it and verified
        # against it, so with --force it is rebuilt once, before them.
        paths = [materialize_packaged_model(args.cache_dir, force=args.force)]
        for backend in args.backend or [DEFAULT_BACKEND]:
            if backend != "torch":
                embedder = Embedder(cache_dir=args.cache_dir, backend=backend)
                paths.append(embedder.prepare(force=args.force))
    except ModelError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    for path in paths:
        print(f"model ready: {path}")
        print((path / VERIFICATION_FILE).read_text(encoding="utf-8"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
