"""python -m docex_train {train,fixture,convert,evaluate} ..."""
from __future__ import annotations

import argparse
import sys

import torch


def main(argv=None):
    torch.set_num_threads(2)
    ap = argparse.ArgumentParser(prog="docex_train")
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("fixture", help="tiny random-init model + expected outputs for the Rust tests")
    p.add_argument("--out", required=True)
    p.add_argument("--seed", type=int, default=1234)
    args = ap.parse_args(argv)
    if args.cmd == "fixture":
        from .fixture import build_fixture
        exp, total = build_fixture(args.out, args.seed)
        print(f"fixture written to {args.out} ({total} bytes); labels: {exp['labels']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
