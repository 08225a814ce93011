"""`python -m embeddings prepare`: build and verify the packaged default model once."""

from __future__ import annotations

import argparse
import sys

from embeddings.model import ModelError, materialize_packaged_model, packaged_model_dir


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m embeddings")
    parser.add_argument("command", choices=["prepare"])
    parser.add_argument("--force", action="store_true", help="convert and verify again")
    args = parser.parse_args(argv)
    try:
        path = materialize_packaged_model(force=args.force)
    except ModelError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"model ready: {path}")
    print((packaged_model_dir() / "verification.json").read_text(encoding="utf-8"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
