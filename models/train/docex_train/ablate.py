"""The ablation table of the model card: the same data, seeds and budget for every variant,
one switch changed at a time, dev scores per field.

    python -m docex_train ablate --data ../shared/data [--epochs 3] [--jobs 2]

Each variant is a `train` run of its own (a subprocess, so two run side by side on two cores);
the results land in WORK/ablation/ablation.json, which `card.py` turns into the table.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

# name -> (what it changes, training settings)
VARIANTS = {
    "base": ("BiLSTM, char CNN, CRF, 1 layer, shape + layout features", {}),
    "gru": ("GRU instead of LSTM", {"rnn": "gru"}),
    "no-char": ("no character CNN", {"char": "none"}),
    "softmax": ("softmax (cross-entropy) instead of CRF", {"crf": "false"}),
    "2-layer": ("2 BiLSTM layers, residual", {"layers": "2"}),
    "no-shape": ("no word shape/casing features", {"shape": "false"}),
    "no-layout": ("no layout features (lines, columns, blank lines)", {"layout": "false"}),
    "2-layer-seed-8": ("2 layers, residual, weights initialised with seed 8", {"layers": "2", "init_seed": "8"}),
}
# the document-level fields the table shows, in order
COLUMNS = [("sroie", "INVOICE_DATE", "SROIE date"), ("sroie", "TOTAL", "SROIE total"),
           ("sroie", "VENDOR", "SROIE vendor"), ("midd", "INVOICE_DATE", "MIDD date"),
           ("midd", "INVOICE_NO", "MIDD inv. no"), ("midd", "CUSTOMER", "MIDD customer"),
           ("midd", "TOTAL", "MIDD total"), ("cuad", "PARTY", "CUAD parties"),
           ("cuad", "AGREEMENT_DATE", "CUAD agr. date"), ("cuad", "JURISDICTION", "CUAD law")]


# The ablation budget (the same for every variant): fewer epochs and contract windows than the
# shipped model, so the eight variants train in about an hour on two cores.
ABLATION_SETTINGS = {"cuad_windows": "700", "synth_ocr_docs": "0", "layers": "1"}


def run_variant(name: str, settings: dict, data: str, root: str, epochs: int, log) -> dict:
    work = os.path.join(root, name)
    os.makedirs(work, exist_ok=True)
    cmd = [sys.executable, "-m", "docex_train", "train", "--data", data, "--out", os.path.join(work, "model"),
           "--work", work, "--epochs", str(epochs)]
    for k, v in ABLATION_SETTINGS.items():
        if k not in settings:
            cmd += ["--set", f"{k}={v}"]
    for k, v in settings.items():
        if k == "seed":
            cmd += ["--seed", v]
        else:
            cmd += ["--set", f"{k}={v}"]
    t0 = time.time()
    log(f"{name}: started")
    with open(os.path.join(root, f"{name}.log"), "w") as out:
        rc = subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT).returncode
    if rc != 0:
        raise RuntimeError(f"variant {name} failed (exit {rc}); see {root}/{name}.log")
    info = json.load(open(os.path.join(work, "train_info.json")))
    log(f"{name}: done in {time.time() - t0:.0f}s")
    return {"name": name, "what": VARIANTS.get(name, ("", {}))[0], "settings": settings,
            "train_seconds": info["train_seconds"], "tokens_per_s": round(info["tokens_seen"] / info["train_seconds"]),
            "onnx_bytes": os.path.getsize(os.path.join(work, "model", "model.onnx")),
            "dev": info["dev"], "model": os.path.join(work, "model")}


def run_ablation(data: str, root: str, epochs: int = 3, jobs: int = 2, names=None, log=print) -> dict:
    os.makedirs(root, exist_ok=True)
    names = names or list(VARIANTS)
    with ThreadPoolExecutor(jobs) as pool:
        futs = {n: pool.submit(run_variant, n, VARIANTS[n][1], data, root, epochs, log) for n in names}
        fresh = {n: futs[n].result() for n in names}
    # a partial run (--only) replaces its variants in the earlier result
    path = os.path.join(root, "ablation.json")
    old = json.load(open(path))["variants"] if os.path.exists(path) else []
    rows = [fresh.pop(r["name"], r) for r in old] + list(fresh.values())
    result = {"epochs": epochs, "settings": ABLATION_SETTINGS, "variants": rows}
    have = {r["name"]: r for r in rows}
    pair = ("2-layer", "2-layer-seed-8")
    if all(n in have for n in pair):
        result["ensemble"] = ensemble_row([have[n]["model"] for n in pair], root, log)
    with open(path, "w") as f:
        json.dump(result, f, indent=1)
    return result


def ensemble_row(model_dirs, root: str, log) -> dict:
    """Dev scores of the models' averaged emissions and CRF scores (what an ensemble export would run)."""
    from .convert import read_jsonl
    from .evaluate import EnsemblePredictor, evaluate_docs
    data_dir = os.path.join(root, "base", "data")
    pred = EnsemblePredictor(model_dirs)
    dev = []
    for s in ("sroie", "midd", "cuad"):
        dev += evaluate_docs(pred, read_jsonl(os.path.join(data_dir, f"{s}.dev.jsonl")))
    log("ensemble: evaluated")
    return {"name": "ensemble", "what": f"average of {len(model_dirs)} models (2-layer + 2-layer-seed-8)", "dev": dev,
            "onnx_bytes": sum(os.path.getsize(os.path.join(d, "model.onnx")) for d in model_dirs)}


def doc_acc(row: dict, source: str, typ: str):
    for r in row["dev"]:
        if r["source"] == source and r["type"] == typ and r["doc_total"]:
            return r["doc_acc"]
    return None


def format_ablation(result: dict) -> str:
    rows = result["variants"] + ([result["ensemble"]] if "ensemble" in result else [])
    head = "| variant | " + " | ".join(c[2] for c in COLUMNS) + " | mean | ONNX MB | train tok/s |"
    lines = [head, "|" + "---|" * (len(COLUMNS) + 4)]
    for r in rows:
        accs = [doc_acc(r, s, t) for s, t, _ in COLUMNS]
        got = [a for a in accs if a is not None]
        mean = sum(got) / len(got) if got else 0.0
        cells = [f"{a:.3f}" if a is not None else "-" for a in accs]
        tps = str(r.get("tokens_per_s", "-"))
        lines.append(f"| {r['name']}: {r['what']} | " + " | ".join(cells) +
                     f" | {mean:.3f} | {r['onnx_bytes'] / 1e6:.1f} | {tps} |")
    return "\n".join(lines)
