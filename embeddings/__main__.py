"""`python -m embeddings prepare`: build and verify the packaged default model once."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from embeddings.backend.folders import VERIFICATION_FILE, ModelError
from embeddings.backend.packaged import DEFAULT_CACHE_DIR, materialize_packaged_model


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m embeddings")
    parser.add_argument("command", choices=["prepare"])
    parser.add_argument("--force", action="store_true", help="convert and verify again")
    parser.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE_DIR, help="model folder")
    args = parser.parse_args(argv)
    try:
        path = materialize_packaged_model(args.cache_dir, force=args.force)
    except ModelError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"model ready: {path}")
    print((path / VERIFICATION_FILE).read_text(encoding="utf-8"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
