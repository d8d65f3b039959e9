"""The dev splits as documents docex can read, with labels for `docex eval`.

    python -m docex_train devset --data ../shared/data --out models/train/work/devset

writes OUT/docs/{sroie/ID.jpg, midd/NAME.txt, cuad/NAME.txt} and OUT/labels.jsonl, so that

    docex extract OUT/docs --out RUN && docex eval --labels OUT/labels.jsonl RUN

scores the whole pipeline (OCR of the real SROIE scans included) on the documents the model
card's dev scores use. SROIE receipts are the original scans, hard-linked (or copied) from the
data folder: OUT must stay out of git (models/train/work/ is ignored). MIDD has no scans, only
the PDF-text tokens, and CUAD is text, so both are written as their dev text.

The labels format (one JSON object a line: document, source, fields) is in models/README.md.
"""
from __future__ import annotations

import json
import os
import re
import shutil

from .convert import convert_all, read_jsonl

SOURCES = ("sroie", "midd", "cuad")

# The field columns of documents.csv (crates/docex-output DOCUMENT_COLUMNS) that convert.py's
# `fields` can fill; its keys already are these names.
FIELDS = ("vendor", "customer", "invoice_number", "invoice_date", "due_date", "currency",
          "net_amount", "tax_amount", "total_amount", "parties", "agreement_date",
          "effective_date", "expiration_date", "term", "jurisdiction")

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DECIMAL = re.compile(r"^-?\d+(\.\d+)?$")
_WORD_VALUES = {w: v for v, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen".split())}
_WORD_VALUES.update({w: 10 * (i + 2) for i, w in enumerate(
    "twenty thirty forty fifty sixty seventy eighty ninety".split())})
_UNITS = {"year": "Y", "month": "M", "week": "W", "day": "D"}


def iso_duration(text: str) -> str | None:
    """A contract term as documents.csv writes it (ISO 8601, the unit as written):
    "one (1) year" -> "P1Y", "12 months" -> "P12M", "four-year" -> "P4Y",
    "one hundred and eighty days" -> "P180D". None when it is not one number and one unit."""
    low = text.lower()
    unit = re.search(r"\b(year|month|week|day)s?\b", low)
    if not unit:
        return None
    digits = re.findall(r"\d+", low)
    if digits:
        n = int(digits[0])
    else:
        words = [w for w in re.findall(r"[a-z]+", low[:unit.start()]) if w != "and"]
        if not words or any(w not in _WORD_VALUES and w != "hundred" for w in words):
            return None
        n, cur = 0, 0
        for w in words:
            if w == "hundred":
                cur = max(cur, 1) * 100
            else:
                cur += _WORD_VALUES[w]
        n = cur
    return f"P{n}{_UNITS[unit.group(1)]}" if n > 0 else None


def label_fields(fields: dict) -> tuple[dict, list[str]]:
    """The gold `fields` of a converted dev document as documents.csv values, and the names of
    those dropped (empty values are dropped silently; malformed ones are reported)."""
    out, dropped = {}, []
    for name in FIELDS:
        v = fields.get(name)
        if v is None or v == "" or v == []:
            continue
        if name == "parties":
            v = [" ".join(p.split()) for p in v if p.strip()]
        else:
            v = " ".join(str(v).split())
            if name == "term":
                v = iso_duration(v)
            ok = (v is not None
                  and (not name.endswith("_date") or _ISO_DATE.match(v))
                  and (not name.endswith("_amount") or _DECIMAL.match(v)))
            if not ok:
                dropped.append(name)
                continue
        if v:
            out[name] = v
    dropped += sorted(k for k in fields if k not in FIELDS)
    return out, dropped


def _link_or_copy(src: str, dst: str):
    try:
        os.link(src, dst)
    except OSError:
        shutil.copyfile(src, dst)


def build_devset(data: str, dev_dir: str, out: str, log=print, split: str = "dev") -> dict:
    """Write OUT/docs and OUT/labels.jsonl from the `split` splits in dev_dir
    ({source}.{split}.jsonl, converted from `data` first when missing): the dev splits, or the
    training splits, whose scores overstate (the model has seen them) but whose documents are
    four times as many to check a field rule on. Returns {source: documents written}."""
    if split not in ("dev", "train"):
        raise ValueError(f"devset: no split {split!r} (dev or train)")
    if not all(os.path.exists(os.path.join(dev_dir, f"{s}.{split}.jsonl")) for s in SOURCES):
        log(f"devset: converting {data} to {dev_dir}")
        convert_all(data, dev_dir, log=log)
    docs_dir = os.path.join(out, "docs")
    labels_path = os.path.join(out, "labels.jsonl")
    if os.path.exists(docs_dir):
        if not os.path.exists(labels_path):
            raise SystemExit(f"{docs_dir} exists and is not a dev set (no {labels_path}); not touching it")
        shutil.rmtree(docs_dir)
    counts, dropped, lines = {}, {}, []
    for source in SOURCES:
        os.makedirs(os.path.join(docs_dir, source), exist_ok=True)
        seen = set()
        for d in read_jsonl(os.path.join(dev_dir, f"{source}.{split}.jsonl")):
            name = d["id"].rsplit("/", 1)[-1]
            if source == "sroie":
                src = os.path.join(data, "sroie", "img", name + ".jpg")
                if not os.path.exists(src):
                    log(f"devset: no scan for {d['id']} ({src}); skipped")
                    continue
                document = f"sroie/{name}.jpg"
                _link_or_copy(src, os.path.join(docs_dir, document))
            else:
                document = f"{source}/{name}.txt"
                with open(os.path.join(docs_dir, document), "w", encoding="utf-8") as f:
                    f.write(d["text"])
            if document in seen:
                raise SystemExit(f"devset: two {source} {split} documents are named {document}")
            seen.add(document)
            fields, bad = label_fields(d.get("fields") or {})
            for name in bad:
                dropped[f"{source}.{name}"] = dropped.get(f"{source}.{name}", 0) + 1
            lines.append(json.dumps({"document": document, "source": source, "fields": fields},
                                    ensure_ascii=False))
        counts[source] = len(seen)
    with open(labels_path, "w", encoding="utf-8") as f:
        f.write("".join(line + "\n" for line in lines))
    log(f"devset: {counts} documents in {docs_dir}, labels in {labels_path}")
    if dropped:
        log(f"devset: gold values not usable as labels (dropped): {dropped}")
    return counts
