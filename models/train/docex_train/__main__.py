"""python -m docex_train {train,fixture,convert,devset,evaluate,card,ablate,synth-eval,bench-tagger,bench-sizes} ..."""
from __future__ import annotations

import argparse
import json
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
WORK = os.path.join(os.path.dirname(HERE), "work")


def parse_setting(default, value: str):
    if isinstance(default, bool):
        if value.lower() not in ("true", "false", "1", "0"):
            raise SystemExit(f"not a boolean: {value}")
        return value.lower() in ("true", "1")
    return type(default)(value)


def main(argv=None):
    torch.set_num_threads(2)
    ap = argparse.ArgumentParser(prog="docex_train")
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("train", help="convert the real data, train, export, evaluate, write the model card")
    p.add_argument("--data", required=True, help="the shared data folder (read-only)")
    p.add_argument("--out", required=True, help="model folder to write (model.onnx, tokenizer.json, meta.json, MODEL_CARD.md)")
    p.add_argument("--work", default=WORK, help="intermediate files (default models/train/work)")
    p.add_argument("--epochs", type=int)
    p.add_argument("--seed", type=int)
    p.add_argument("--cuad-windows", type=int, dest="cuad_windows")
    p.add_argument("--synth-docs", type=int, dest="synth_docs")
    p.add_argument("--synth-wait", type=float, default=0.0, help="seconds to wait for docex_train.synth")
    p.add_argument("--time-budget", type=float, dest="time_budget", help="max seconds of training")
    p.add_argument("--threads", type=int, help="torch intra-op threads for training (default 1, max 2)")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="override a training setting (see docex_train.train.DEFAULTS)")
    p = sub.add_parser("fixture", help="tiny random-init model + expected outputs for the Rust tests")
    p.add_argument("--out", required=True)
    p.add_argument("--seed", type=int, default=1234)
    p = sub.add_parser("convert", help="only convert the real data to JSONL (+ splits.json)")
    p.add_argument("--data", required=True)
    p.add_argument("--out", default=os.path.join(WORK, "data"))
    p = sub.add_parser("devset", help="the dev splits as documents + labels.jsonl for `docex eval`")
    p.add_argument("--data", required=True, help="the shared data folder (SROIE scans are linked from it)")
    p.add_argument("--out", default=os.path.join(WORK, "devset"), help="folder for docs/ and labels.jsonl")
    p.add_argument("--dev", default=os.path.join(WORK, "data"), help="folder with *.dev.jsonl (converted if missing)")
    p.add_argument("--split", choices=("dev", "train"), default="dev",
                   help="train: the training documents instead (seen by the model; for checking rules)")
    p = sub.add_parser("evaluate", help="evaluate a shipped model folder on the dev splits")
    p.add_argument("--model", required=True)
    p.add_argument("--data", default=os.path.join(WORK, "data"), help="folder with *.dev.jsonl")
    p = sub.add_parser("card", help="re-render MODEL_CARD.md (after `ablate` or `make eval` added their results)")
    p.add_argument("--model", required=True)
    p.add_argument("--work", default=WORK)
    p = sub.add_parser("ablate", help="train the architecture variants on the same data and seeds (model card table)")
    p.add_argument("--data", required=True)
    p.add_argument("--work", default=os.path.join(WORK, "ablation"))
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--jobs", type=int, default=2, help="variants trained side by side (1 thread each)")
    p.add_argument("--only", help="comma-separated variant names (default: all)")
    p = sub.add_parser("bench-tagger", help="tokens/s of the tagger in eager PyTorch (scripts/bench.sh)")
    p.add_argument("--model", required=True, help="a shipped model folder (its ONNX graph gives the shapes)")
    p.add_argument("--text", required=True, help="a text file to tag")
    p.add_argument("--batches", default="1,4,16", help="windows per forward pass, comma-separated")
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--threads", type=int, default=1, help="torch intra-op threads")
    p = sub.add_parser("synth-eval", help="generated documents (an unused seed) with docex eval labels")
    p.add_argument("--out", default=os.path.join(WORK, "synthset"), help="folder for docs/ and labels.jsonl")
    p.add_argument("--text", type=int, default=150, help="generated documents as text files")
    p.add_argument("--scans", type=int, default=40, help="one-page invoices and receipts as scans")
    p = sub.add_parser("bench-sizes", help="forward-pass tokens/s of smaller model shapes (random weights)")
    p.add_argument("--model", required=True, help="the shipped model folder (vocabulary, labels, features)")
    args = ap.parse_args(argv)
    if args.cmd == "synth-eval":
        from .synth_eval import build
        print(json.dumps(build(args.out, args.text, args.scans)))
    elif args.cmd == "bench-sizes":
        from .bench_tagger import sizes
        sizes(args.model)
    elif args.cmd == "bench-tagger":
        from .bench_tagger import run
        run(args.model, args.text, [int(b) for b in args.batches.split(",")], args.repeats, args.threads)
    elif args.cmd == "fixture":
        from .fixture import build_fixture
        exp, total = build_fixture(args.out, args.seed)
        print(f"fixture written to {args.out} ({total} bytes); labels: {exp['labels']}")
    elif args.cmd == "convert":
        from .convert import convert_all
        convert_all(args.data, args.out)
    elif args.cmd == "devset":
        from .devset import build_devset
        build_devset(args.data, args.dev, args.out, split=args.split)
    elif args.cmd == "evaluate":
        from .convert import read_jsonl
        from .evaluate import Predictor, evaluate_docs, format_table
        pred = Predictor(args.model)
        rows = []
        for s in ("sroie", "midd", "cuad"):
            rows += evaluate_docs(pred, read_jsonl(os.path.join(args.data, f"{s}.dev.jsonl")))
        print(format_table(rows))
    elif args.cmd == "card":
        from .card import write_card
        write_card(args.model, json.load(open(os.path.join(args.work, "train_info.json"))), args.work)
    elif args.cmd == "ablate":
        from .ablate import format_ablation, run_ablation
        res = run_ablation(args.data, args.work, args.epochs, args.jobs, args.only.split(",") if args.only else None)
        print(format_ablation(res))
    elif args.cmd == "train":
        from .train import DEFAULTS, run_train
        extra = {}
        for kv in args.set:
            k, v = kv.split("=", 1)
            if k not in DEFAULTS:
                ap.error(f"unknown setting {k}")
            extra[k] = parse_setting(DEFAULTS[k], v)
        options = dict(epochs=args.epochs, seed=args.seed, cuad_windows=args.cuad_windows,
                       synth_docs=args.synth_docs, time_budget=args.time_budget, threads=args.threads)
        options.update({k: v for k, v in extra.items()})  # --set wins over an unset option
        run_train(args.data, args.out, args.work, synth_wait=args.synth_wait, **options)
    return 0


if __name__ == "__main__":
    sys.exit(main())
