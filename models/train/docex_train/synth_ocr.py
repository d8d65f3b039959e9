"""Generated documents put through the real OCR path.

``generate_ocr(n, seed, cache_dir)`` takes ``n`` documents from the project's
generator (``synth.generate(n, seed + SEED_OFFSET)``, so they are not the
documents of the text-only synth set), renders every page to a scan-like image
(``render.page_images``: 150-300 dpi, DejaVu sans / serif / mono, rotation,
blur, speckles, for a share of pages JPEG compression and a little extra
blur or skew), reads it with ``tesseract IMG - -l eng --psm 6 tsv`` (as docex reads scans) and builds the page
text from the TSV with ``convert.sroie_page`` (words of a line joined by one
space, lines by ``\\n``: what ``crates/docex-ingest/src/ocr.rs`` hands the
tagger).  The labelled spans of the generated text are then re-aligned to the
OCR text (``align_page``).

One training document per page: the Rust pipeline tags each page on its own
(``docex-pipeline``: ``tagger.tag(&page.text)`` per page).  Output, in the
training JSONL format of ``models/README.md``::

    {"id": "synth_ocr/17", "source": "synth_ocr", "doc_type": "invoice",
     "text": "<OCR text of the page>", "spans": [[s, e, "TOTAL"], ...],
     "group": "synth_ocr/17", "page": 1, "pages": 1,
     "fields": {...},            # single-page documents only
     "ocr": {"dpi": 200, "font": "serif", "jpeg": 60, "aligned": {...}, "dropped": {...}}}

Pages of a multi-page document are ``synth_ocr/<i>-p<k>`` (same ``group``).
A page is kept when at least one of its spans was aligned; spans that could
not be aligned are dropped (their tokens are then ``O``; ``ocr.dropped`` says
how many).  The returned list has a ``stats`` attribute (per type aligned /
dropped / fuzzy counts, pages, timings) for the caller to log.

Alignment (``align_page``): for every distinct labelled string of a page, the
non-overlapping OCR windows that resemble it are found (whitespace token
windows of about its token count, edges cut at tokenizer token boundaries,
normalised edit-distance similarity >= 0.8 over letters and digits with common
OCR confusions folded, O/0, l/1, S/5, ...; numbers must keep their digit
count).  A fuzzy window that resembles some other string of the generated page
better (a delivery date next to the invoice date) is refused.  All occurrences
of the string in the generated page, labelled or not, are then paired with
those windows at the least cost: the words before it on its line differ
(Tesseract reorders blocks and loses lines), plus the difference in relative
position on the page.  Windows paired with a labelled occurrence get its label.

Cache: ``cache_dir/synth_ocr.jsonl`` with ``cache_dir/synth_ocr.meta.json``
holding the key ``(n, seed, VERSION)`` and the stats; a call with the same key
reads it back without running OCR.  Finished documents are also appended to
``cache_dir/synth_ocr.parts-<seed>-<OCR_VERSION>.jsonl`` as they complete (with
their OCR text), so an interrupted run resumes, a larger ``n`` with the same
seed only OCRs the new documents (document ``i`` does not depend on ``n``), and
a new ``ALIGN_VERSION`` re-aligns without running OCR again.

Command line::

    PYTHONPATH=models/train .venv/bin/python -m docex_train.synth_ocr --n 200 --seed 7 --out models/train/work
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unicodedata
from concurrent.futures import ProcessPoolExecutor
from typing import Callable

from PIL import Image, ImageFilter

from . import render, synth
from .convert import sroie_page, tesseract_tsv

OCR_VERSION = "2"  # rendering + OCR: bump when a page would read differently (2: --psm 6)
ALIGN_VERSION = "3"  # span alignment
VERSION = f"{OCR_VERSION}.{ALIGN_VERSION}"
SEED_OFFSET = 1000
THRESHOLD = 0.8
CONTEXT_WEIGHT = 1.0  # occurrence matching: weight of the words before vs. relative position
CACHE_NAME = "synth_ocr.jsonl"
META_NAME = "synth_ocr.meta.json"


# --------------------------------------------------------------------------
# fuzzy alignment
# --------------------------------------------------------------------------

# OCR confusions folded on both sides before comparing (after lowercasing)
_CONFUSE = str.maketrans({"o": "0", "q": "0", "i": "1", "l": "1", "|": "1", "!": "1",
                          "s": "5", "z": "2", "b": "8"})
# the project's pre-tokenizer (models/README.md): span edges fall on these boundaries
_TOKEN = re.compile(r"[0-9]+(?:[.,/:-][0-9]+)*|[^\W\d_]+|\S")
_WORD = re.compile(r"\S+")


def canon(s: str) -> str:
    """Letters and digits only, lowercased, OCR confusions folded."""
    s = unicodedata.normalize("NFKC", s).lower().translate(_CONFUSE)
    return "".join(c for c in s if c.isalnum())


def _light(s: str) -> str:
    """Like canon but keeps punctuation (tie-break between span edges)."""
    return "".join(unicodedata.normalize("NFKC", s).lower().translate(_CONFUSE).split())


def _is_numeric(s: str) -> bool:
    alnum = [c for c in s if c.isalnum()]
    return bool(alnum) and sum(c.isdigit() for c in alnum) >= 0.5 * len(alnum)


def levenshtein(a: str, b: str, max_d: int | None = None) -> int:
    """Edit distance; with max_d, any value > max_d comes back as max_d + 1."""
    if max_d is None:
        max_d = max(len(a), len(b))
    if abs(len(a) - len(b)) > max_d:
        return max_d + 1
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        best = i
        for j, cb in enumerate(b, 1):
            v = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
            cur[j] = v
            if v < best:
                best = v
        if best > max_d:
            return max_d + 1
        prev = cur
    return prev[-1]


def similarity(a: str, b: str, threshold: float = 0.0) -> float:
    """1 - edit distance / longer length (0.0 when below threshold)."""
    m = max(len(a), len(b))
    if m == 0:
        return 1.0
    max_d = int((1.0 - threshold) * m + 1e-9)
    d = levenshtein(a, b, max_d)
    return 0.0 if d > max_d else 1.0 - d / m


def words_of(text: str) -> list[tuple[int, int, int]]:
    """Whitespace words as (start, end, line index)."""
    out, line, last = [], 0, 0
    for m in _WORD.finditer(text):
        line += text.count("\n", last, m.start())
        last = m.start()
        out.append((m.start(), m.end(), line))
    return out


def _cuts(text: str, s: int, e: int) -> tuple[list[int], list[int]]:
    """Token starts and token ends inside the word text[s:e]."""
    toks = [(s + m.start(), s + m.end()) for m in _TOKEN.finditer(text[s:e])]
    return [a for a, _ in toks], [b for _, b in toks]


def candidates(text: str, gold: str, threshold: float = THRESHOLD,
               words: list | None = None) -> list[tuple[float, float, int, int]]:
    """Non-overlapping windows of ``text`` that resemble ``gold``:
    [(score, edge_score, start, end)], best first."""
    g = canon(gold)
    if not g:
        return []
    gl = _light(gold)
    numeric = _is_numeric(gold)
    k = len(gold.split())
    extra_lines = gold.count("\n") + 1
    words = words if words is not None else words_of(text)
    max_d = int((1.0 - threshold) * len(g) + 1e-9)
    found = []
    for i in range(len(words)):
        starts, _ = _cuts(text, words[i][0], words[i][1])
        for width in range(max(1, k - 1), k + 2):
            j = i + width
            if j > len(words) or words[j - 1][2] - words[i][2] > extra_lines:
                break
            _, ends = _cuts(text, words[j - 1][0], words[j - 1][1])
            best = None
            for s in starts:
                for e in ends:
                    if e <= s:
                        continue
                    c = canon(text[s:e])
                    if numeric and len(c) != len(g):
                        continue
                    if abs(len(c) - len(g)) > max_d + 1:
                        continue
                    sc = similarity(c, g, threshold)
                    if sc < threshold or sc == 0.0:
                        continue
                    key = (sc, similarity(_light(text[s:e]), gl), -(e - s))
                    if best is None or key > best[0]:
                        best = (key, s, e)
            if best:
                found.append((best[0][0], best[0][1], best[1], best[2]))
    found.sort(key=lambda x: (-x[0], -x[1], x[2]))
    taken: list[tuple[float, float, int, int]] = []
    for f in found:
        if all(f[3] <= t[2] or f[2] >= t[3] for t in taken):
            taken.append(f)
    return taken


def best_match(text: str, gold: str, threshold: float = THRESHOLD):
    """The best window of ``text`` for ``gold``: (start, end, score) or None."""
    c = candidates(text, gold, threshold)
    return (c[0][2], c[0][3], c[0][0]) if c else None


def occurrences(text: str, gold: str) -> list[tuple[int, int]]:
    """Exact occurrences of gold in text (any whitespace between its words), not inside
    a longer word or number."""
    pat = r"\s+".join(re.escape(w) for w in gold.split())
    if not pat:
        return []
    out = []
    for m in re.finditer(pat, text):
        s, e = m.span()
        if s > 0 and gold[0].isalnum() and text[s - 1].isalnum():
            continue
        if e < len(text) and gold[-1].isalnum() and text[e].isalnum():
            continue
        out.append((s, e))
    return out


def _rel(text: str):
    """Offset -> share of the non-space characters before it."""
    pre = [0]
    for c in text:
        pre.append(pre[-1] + (not c.isspace()))
    tot = max(1, pre[-1])
    return lambda i: pre[i] / tot


def _left_context(text: str, pos: int, words: int = 2) -> str:
    """The last ``words`` whitespace words before ``pos`` on its line, canonical form."""
    line = text[text.rfind("\n", 0, pos) + 1:pos]
    return canon(" ".join(line.split()[-words:]))


def _assign(n: int, m: int, cost) -> list[tuple[int, int]]:
    """Pairs (i, j), i < n, j < m, each used once, min(n, m) of them, with the least total
    cost(i, j): exact over subsets while the longer side is small, else greedy."""
    if n > m:
        return sorted((i, j) for j, i in _assign(m, n, lambda a, b: cost(b, a)))
    if n == 0:
        return []
    if m > 12:
        pairs, used_i, used_j = [], set(), set()
        for c, i, j in sorted((cost(i, j), i, j) for i in range(n) for j in range(m)):
            if i not in used_i and j not in used_j:
                pairs.append((i, j))
                used_i.add(i)
                used_j.add(j)
        return sorted(pairs)
    c = [[cost(i, j) for j in range(m)] for i in range(n)]
    best = {0: (0.0, [])}  # mask of used j -> (cost, [j for i = 0, 1, ...])
    for i in range(n):
        nxt = {}
        for mask, (tot, js) in best.items():
            for j in range(m):
                if mask >> j & 1:
                    continue
                k = mask | 1 << j
                v = tot + c[i][j]
                if k not in nxt or v < nxt[k][0]:
                    nxt[k] = (v, js + [j])
        best = nxt
    _, js = min(best.values(), key=lambda x: x[0])
    return list(enumerate(js))


def align_page(gold_text: str, gold_spans, ocr_text: str, threshold: float = THRESHOLD):
    """Carry the labelled spans of ``gold_text`` over to ``ocr_text``.

    Returns (spans, aligned, dropped, fuzzy): spans [[s, e, TYPE]] in ``ocr_text``;
    the others are per-type counts of gold spans aligned, not aligned, and aligned
    to a window that is not an exact (confusion-folded) copy."""
    aligned: dict[str, int] = {}
    dropped: dict[str, int] = {}
    fuzzy: dict[str, int] = {}
    label_at = {}
    groups: dict[str, None] = {}
    for s, e, lab in gold_spans:
        label_at[(s, e)] = lab
        groups.setdefault(" ".join(gold_text[s:e].split()), None)
    ocr_words = words_of(ocr_text)
    gold_words = words_of(gold_text)
    rel_g, rel_o = _rel(gold_text), _rel(ocr_text)
    proposals = []  # (score, s, e, label, gold key)
    for gold in groups:
        occ = occurrences(gold_text, gold)
        labelled = {(s, e) for (s, e) in label_at if " ".join(gold_text[s:e].split()) == gold}
        for se in labelled - set(occ):  # spans not on word boundaries: take them as they are
            occ.append(se)
        occ.sort()
        cands = []
        for sc, _, s, e in candidates(ocr_text, gold, threshold, ocr_words):
            if sc < 1.0:
                # refuse a window that another string of the generated page explains better
                rev = candidates(gold_text, ocr_text[s:e], threshold, gold_words)
                if rev and rev[0][0] > sc + 1e-9 and not any(
                        rev[0][2] < oe and os_ < rev[0][3] for os_, oe in occ):
                    continue
            cands.append((s, e, sc))
        cands.sort()
        # which occurrence is which: the same words before it on its line (Tesseract reorders
        # blocks and loses lines: "Sub-total: 5.817,00", not the line item "58,17 5.817,00"
        # when the table is gone), and nearby relative position
        pg = [(rel_g(s), _left_context(gold_text, s)) for s, _ in occ]
        po = [(rel_o(s), _left_context(ocr_text, s)) for s, _, _ in cands]

        def cost(a, b):
            return abs(pg[a][0] - po[b][0]) + CONTEXT_WEIGHT * (1.0 - similarity(pg[a][1], po[b][1]))
        pairs = _assign(len(occ), len(cands), cost)
        for oi, ci in pairs:
            lab = label_at.get(occ[oi])
            if lab:
                s, e, sc = cands[ci]
                proposals.append((sc, s, e, lab, occ[oi]))
    # different strings may claim overlapping windows: the better match wins
    proposals.sort(key=lambda p: (-p[0], p[1]))
    spans, done = [], set()
    for sc, s, e, lab, key in proposals:
        if key in done or any(s < t[1] and t[0] < e for t in spans):
            continue
        done.add(key)
        spans.append([s, e, lab])
        aligned[lab] = aligned.get(lab, 0) + 1
        if sc < 1.0:
            fuzzy[lab] = fuzzy.get(lab, 0) + 1
    for key, lab in label_at.items():
        if key not in done:
            dropped[lab] = dropped.get(lab, 0) + 1
    spans.sort()
    return spans, aligned, dropped, fuzzy


# --------------------------------------------------------------------------
# rendering and OCR
# --------------------------------------------------------------------------

def render_options(i: int, seed: int) -> dict:
    """Per-document scan settings (deterministic)."""
    r = random.Random(f"docex-synth-ocr-{seed}-{i}")
    return {"dpi": r.choice([150, 200, 200, 240, 300, 300]),
            "font": r.choice(["sans", "serif", "mono"]),
            "max_pt": r.choice([10.0, 11.0, 12.0]),
            "jpeg": r.choice([None, None, 85, 60, 40]),
            "blur": round(r.uniform(0.6, 1.1), 2) if r.random() < 0.2 else 0.0,
            "skew": round(r.uniform(-1.5, 1.5), 2) if r.random() < 0.3 else 0.0,
            "render_seed": r.randrange(1 << 30)}


def _degrade(img: Image.Image, opt: dict) -> Image.Image:
    if opt["skew"]:
        paper = img.getpixel((2, 2))
        img = img.rotate(opt["skew"], resample=Image.BICUBIC, expand=False, fillcolor=paper)
    if opt["blur"]:
        img = img.filter(ImageFilter.GaussianBlur(opt["blur"]))
    return img


# the page as docex reads it (a module name of its own, so that tests can replace it)
ocr_image = tesseract_tsv


def ocr_page_text(img: Image.Image, dpi: int, jpeg: int | None, tmp: str, name: str) -> str:
    """Save the page as a scan would be (PNG or JPEG with its DPI), OCR it, and build
    the page text the way convert.sroie_page / the Rust pipeline do."""
    if jpeg:
        path = os.path.join(tmp, name + ".jpg")
        img.save(path, "JPEG", quality=jpeg, dpi=(dpi, dpi))
    else:
        path = os.path.join(tmp, name + ".png")
        img.save(path, "PNG", dpi=(dpi, dpi))
    tsv = os.path.join(tmp, name + ".tsv")
    with open(tsv, "w", encoding="utf-8") as f:
        f.write(ocr_image(path))
    text, _ = sroie_page(tsv)
    return text


def _pages_with_spans(doc: dict) -> list[tuple[str, list]]:
    """The generated text per page (as render.pages_of draws it) and its spans."""
    out, off = [], 0
    drawn = render.pages_of(doc)
    for k, raw in enumerate(doc["text"].split("\f")):
        page = drawn[k]
        spans = [[s - off, e - off, lab] for s, e, lab in doc["spans"]
                 if off <= s and e <= off + len(page)]
        out.append((page, spans))
        off += len(raw) + 1
    return out


def ocr_document(i: int, doc: dict, seed: int) -> dict:
    """Render generated document ``doc`` (number ``i`` of the run) as a scan and OCR every
    page: {"i", "opt", "texts": [page text], "ocr_seconds"}."""
    opt = render_options(i, seed)
    images = render.page_images(doc, dpi=opt["dpi"], font=opt["font"], seed=opt["render_seed"],
                                noise=True, max_pt=opt["max_pt"])
    texts, failed, t_ocr = [], [], 0.0
    with tempfile.TemporaryDirectory(prefix="docex-synth-ocr-") as tmp:
        for k, img in enumerate(images):
            img = _degrade(img, opt)
            t1 = time.time()
            try:
                texts.append(ocr_page_text(img, opt["dpi"], opt["jpeg"], tmp, f"p{k}"))
            except subprocess.CalledProcessError as e:  # an unreadable page: no text, dropped
                texts.append("")
                failed.append(f"page {k + 1}: tesseract exit {e.returncode}: {(e.stderr or '')[-200:]}")
            t_ocr += time.time() - t1
    return {"i": i, "opt": opt, "texts": texts, "ocr_seconds": round(t_ocr, 2), "failed": failed}


def align_document(i: int, doc: dict, ocr: dict, threshold: float = THRESHOLD) -> dict:
    """Training documents (one per page with at least one aligned span) and counts:
    {"i", "pages": [docs], "stats"}."""
    pages = _pages_with_spans(doc)
    texts, opt = ocr["texts"], ocr["opt"]
    out, st = [], {"pages": len(texts), "kept": 0, "aligned": {}, "dropped": {}, "fuzzy": {},
                   "gold_spans_lost_in_paging": len(doc["spans"]) - sum(len(s) for _, s in pages)}
    for k, (text, (gold_text, gold_spans)) in enumerate(zip(texts, pages)):
        spans, al, dr, fz = align_page(gold_text, gold_spans, text, threshold)
        for name, d in (("aligned", al), ("dropped", dr), ("fuzzy", fz)):
            for lab, c in d.items():
                st[name][lab] = st[name].get(lab, 0) + c
        if not spans:
            continue
        st["kept"] += 1
        pid = f"synth_ocr/{i}" if len(texts) == 1 else f"synth_ocr/{i}-p{k + 1}"
        rec = {"id": pid, "source": "synth_ocr", "doc_type": doc["doc_type"], "text": text,
               "spans": spans, "group": f"synth_ocr/{i}", "page": k + 1, "pages": len(texts)}
        if len(texts) == 1:
            rec["fields"] = doc["fields"]
        rec["ocr"] = {"dpi": opt["dpi"], "font": opt["font"], "jpeg": opt["jpeg"],
                      "aligned": al, "dropped": dr}
        out.append(rec)
    st["ocr_seconds"] = ocr["ocr_seconds"]
    return {"i": i, "pages": out, "stats": st}


def process_document(i: int, doc: dict, seed: int) -> dict:
    """OCR and align one document (what a worker does); the OCR part is kept so a new
    aligner can re-run without OCR."""
    t0 = time.time()
    ocr = ocr_document(i, doc, seed)
    r = align_document(i, doc, ocr)
    r["ocr"] = ocr
    r["align_version"] = ALIGN_VERSION
    r["stats"]["seconds"] = round(time.time() - t0, 2)
    return r


# --------------------------------------------------------------------------
# API with cache
# --------------------------------------------------------------------------

class OcrDocs(list):
    """A list of training documents with the run's ``stats`` dict."""

    stats: dict


def _summ(results: list[dict], n: int, seed: int) -> dict:
    types: dict[str, dict[str, int]] = {}
    for r in results:
        for name in ("aligned", "dropped", "fuzzy"):
            for lab, c in r["stats"][name].items():
                types.setdefault(lab, {"aligned": 0, "dropped": 0, "fuzzy": 0})[name] += c
    return {"n": n, "seed": seed, "version": VERSION,
            "pages": sum(r["stats"]["pages"] for r in results),
            "pages_kept": sum(r["stats"]["kept"] for r in results),
            "pages_all_aligned": sum(1 for r in results for p in r["pages"] if not p["ocr"]["dropped"]),
            "gold_spans_lost_in_paging": sum(r["stats"]["gold_spans_lost_in_paging"] for r in results),
            "ocr_failed_pages": sum(len(r["ocr"].get("failed", [])) for r in results),
            "doc_seconds": round(sum(r["stats"]["seconds"] for r in results), 1),
            "ocr_seconds": round(sum(r["stats"]["ocr_seconds"] for r in results), 1),
            "types": {k: types[k] for k in sorted(types)}}


def format_stats(st: dict) -> str:
    lines = [f"synth_ocr n={st['n']} seed={st['seed']} v{st['version']}: {st['pages']} pages, "
             f"{st['pages_kept']} kept, {st['pages_all_aligned']} with every span aligned; "
             f"OCR {st['ocr_seconds']:.0f} s (summed over workers); the call that built it: "
             f"wall {st.get('wall_seconds', 0):.0f} s, {st.get('ocr_documents_this_call', '?')} documents OCR'd"]
    ta = td = 0
    for lab, c in st["types"].items():
        tot = c["aligned"] + c["dropped"]
        ta += c["aligned"]
        td += c["dropped"]
        lines.append(f"  {lab:16s} aligned {c['aligned']:5d}/{tot:<5d} {c['aligned'] / max(1, tot):6.1%}"
                     f"  (fuzzy {c['fuzzy']})")
    lines.append(f"  {'all':16s} aligned {ta:5d}/{ta + td:<5d} {ta / max(1, ta + td):6.1%}")
    return "\n".join(lines)


def _read_parts(path: str) -> dict[int, dict]:
    got = {}
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            for line in f:
                try:
                    r = json.loads(line)
                except json.JSONDecodeError:  # a line cut off by an interrupted run
                    continue
                got[r["i"]] = r
    return got


def generate_ocr(n: int, seed: int, cache_dir: str, jobs: int = 2,
                 log: Callable[[str], None] = print) -> list[dict]:
    """``n`` generated documents through Tesseract, one training document per page whose
    spans could be aligned (see the module doc).  Cached in ``cache_dir``."""
    os.makedirs(cache_dir, exist_ok=True)
    out_path = os.path.join(cache_dir, CACHE_NAME)
    meta_path = os.path.join(cache_dir, META_NAME)
    key = {"n": n, "seed": seed, "version": VERSION}
    if os.path.exists(out_path) and os.path.exists(meta_path):
        try:
            with open(meta_path, encoding="utf-8") as f:
                meta = json.load(f)
        except (OSError, json.JSONDecodeError):
            meta = {}
        if meta.get("key") == key:
            with open(out_path, encoding="utf-8") as f:
                docs = OcrDocs(json.loads(line) for line in f if line.strip())
            docs.stats = dict(meta.get("stats", {}), cached=True)
            log(f"synth_ocr: {len(docs)} pages from the cache {out_path}")
            return docs
    t0 = time.time()
    parts_path = os.path.join(cache_dir, f"synth_ocr.parts-{seed}-{OCR_VERSION}.jsonl")
    done = {i: r for i, r in _read_parts(parts_path).items() if i < n}
    todo = [i for i in range(n) if i not in done]
    gen = synth.generate(n, seed + SEED_OFFSET)
    stale = [i for i, r in done.items() if r.get("align_version") != ALIGN_VERSION]
    for i in stale:  # OCR text kept, aligner changed
        r = align_document(i, gen[i], done[i]["ocr"])
        r.update(ocr=done[i]["ocr"], align_version=ALIGN_VERSION)
        r["stats"]["seconds"] = done[i]["stats"].get("seconds", 0.0)
        done[i] = r
    if done:
        log(f"synth_ocr: {len(done)} documents from {parts_path} ({len(stale)} re-aligned), "
            f"{len(todo)} to OCR")
    if todo:
        if shutil.which("tesseract") is None:
            raise RuntimeError("synth_ocr needs the tesseract command")
        with open(parts_path, "a", encoding="utf-8") as parts:
            def keep(r):
                done[r["i"]] = r
                parts.write(json.dumps(r, ensure_ascii=False) + "\n")
                parts.flush()
                if len(done) % 25 == 0 or len(done) == n:
                    log(f"synth_ocr: {len(done)}/{n} documents, {time.time() - t0:.0f} s")
            if jobs <= 1:
                for i in todo:
                    keep(process_document(i, gen[i], seed))
            else:
                with ProcessPoolExecutor(max_workers=jobs) as ex:
                    for r in ex.map(process_document, todo, [gen[i] for i in todo], [seed] * len(todo)):
                        keep(r)
    results = [done[i] for i in range(n)]
    docs = OcrDocs(p for r in results for p in r["pages"])
    stats = _summ(results, n, seed)
    stats["wall_seconds"] = round(time.time() - t0, 1)
    stats["ocr_documents_this_call"] = len(todo)
    tmp = out_path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        for d in docs:
            f.write(json.dumps(d, ensure_ascii=False) + "\n")
    os.replace(tmp, out_path)
    with open(meta_path + ".tmp", "w", encoding="utf-8") as f:
        json.dump({"key": key, "stats": stats, "tesseract": _tesseract_version()}, f, indent=1)
    os.replace(meta_path + ".tmp", meta_path)
    docs.stats = dict(stats, cached=False)
    log(format_stats(stats))
    return docs


def _tesseract_version() -> str:
    try:
        r = subprocess.run(["tesseract", "--version"], capture_output=True, text=True)
        return (r.stdout or r.stderr).splitlines()[0]
    except (OSError, IndexError):
        return ""


def examples(docs: list[dict], k: int = 3, width: int = 40, seed: int = 0) -> list[str]:
    """Short OCR snippets around aligned spans (the span in [[ ]])."""
    rng = random.Random(seed)
    picks = [(d, sp) for d in docs for sp in d["spans"]]
    rng.shuffle(picks)
    out = []
    for d, (s, e, lab) in picks[:k]:
        t = d["text"]
        snip = t[max(0, s - width):s] + "[[" + t[s:e] + "]]" + t[e:e + width]
        out.append(f"{d['id']} {lab}: " + snip.replace("\n", " | "))
    return out


def main(argv=None) -> None:
    import argparse
    ap = argparse.ArgumentParser(description="Generated documents through Tesseract, aligned spans")
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out", default="models/train/work", help="cache folder")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--examples", type=int, default=3)
    a = ap.parse_args(argv)
    from docex_train import synth_ocr as mod  # worker functions pickle by their module name
    t0 = time.time()
    docs = mod.generate_ocr(a.n, a.seed, a.out, jobs=a.jobs)
    if docs.stats.get("cached"):
        print(format_stats(docs.stats))
    print(f"wall {time.time() - t0:.1f} s for {len(docs)} training pages "
          f"-> {os.path.join(a.out, CACHE_NAME)}")
    for line in examples(docs, a.examples, seed=a.seed):
        print(line)


if __name__ == "__main__":
    main(sys.argv[1:])
