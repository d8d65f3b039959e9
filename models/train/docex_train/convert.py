"""Converters from the real data sets (read-only, /work/shared/data) to the README's JSONL
format, and the dev splits that test generalisation."""
from __future__ import annotations

import csv
import difflib
import glob
import hashlib
import json
import os
import random
import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor

from .patterns import amount_spans, find_dates, find_durations, find_jurisdictions, parse_amount, parse_date

SEED = 13


# --- helpers -------------------------------------------------------------------------
def _fold(s: str) -> str:
    return re.sub(r"[^0-9a-z]", "", s.lower())


def _stable_rng(name: str) -> random.Random:
    return random.Random(int(hashlib.md5(name.encode()).hexdigest()[:8], 16) ^ SEED)


def write_jsonl(path: str, docs):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        for d in docs:
            f.write(json.dumps(d, ensure_ascii=False) + "\n")


def read_jsonl(path: str):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


# --- SROIE ---------------------------------------------------------------------------
def sroie_page(tsv_path: str):
    """Page text from a tesseract TSV: words joined by spaces within a line, lines by \\n.
    Returns (text, words) with words = [(start, end, line_index)]."""
    rows = []
    with open(tsv_path, encoding="utf-8", errors="replace") as f:
        rd = csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        next(rd, None)  # the header
        for r in rd:
            if len(r) < 12 or r[0] != "5":
                continue
            txt = r[11].strip()
            if not txt:
                continue
            key = tuple(int(x) for x in r[1:6])  # page, block, par, line, word
            rows.append((key, txt))
    rows.sort(key=lambda x: x[0])
    lines, cur, cur_key = [], [], None
    for key, txt in rows:
        lk = key[:4]
        if lk != cur_key and cur:
            lines.append(cur)
            cur = []
        cur_key = lk
        cur.append(txt)
    if cur:
        lines.append(cur)
    text_parts, words, pos = [], [], 0
    for li, ws in enumerate(lines):
        if li:
            text_parts.append("\n")
            pos += 1
        for wi, w in enumerate(ws):
            if wi:
                text_parts.append(" ")
                pos += 1
            words.append((pos, pos + len(w), li))
            text_parts.append(w)
            pos += len(w)
    return "".join(text_parts), words


def sroie_box_page(csv_path: str):
    """Page text from the ground-truth OCR lines (box/ID.csv: 8 coordinates, then the text)."""
    lines = []
    with open(csv_path, encoding="utf-8", errors="replace") as f:
        for raw in f:
            parts = raw.rstrip("\r\n").split(",", 8)
            if len(parts) == 9 and parts[8].strip():
                lines.append(" ".join(parts[8].split()))
    return lines_page(lines)


def lines_page(lines: list[str]):
    """(text, words) of text lines, each with single spaces between its words."""
    text = "\n".join(lines)
    words, pos = [], 0
    for li, line in enumerate(lines):
        for w in line.split(" "):
            words.append((pos, pos + len(w), li))
            pos += len(w) + 1
    return text, words


def _align_company(text, words, company, threshold=0.8):
    target = _fold(company)
    if not target:
        return None
    n = len(company.split())
    best = (0.0, None)
    for i in range(len(words)):
        for k in range(max(1, n - 2), n + 3):
            j = i + k
            if j > len(words):
                break
            if words[j - 1][2] - words[i][2] > 1:  # at most two lines
                break
            s, e = words[i][0], words[j - 1][1]
            cand = _fold(text[s:e])
            if not cand:
                continue
            r = difflib.SequenceMatcher(None, cand, target, autojunk=False).ratio()
            if r > best[0]:
                best = (r, (s, e))
    return best[1] if best[0] >= threshold else None


def _align_date(text, date_str):
    # 1) literal, whitespace-tolerant
    pat = r"\s*".join(re.escape(c) for c in date_str.replace(" ", ""))
    m = re.search(pat, text, re.I) if pat else None
    if m:
        return m.span()
    d = parse_date(date_str, "dmy")
    if not d:
        return None
    for s, e, cands in find_dates(text, "dmy"):
        if d in cands:
            return (s, e)
    return None


_TOTAL_CUE = re.compile(r"total|amount|rounded|amt", re.I)
_NOT_TOTAL_CUE = re.compile(r"cash|change|tender|paid|sub", re.I)


def _align_total(text, total):
    v = parse_amount(total)
    if v is None:
        return None
    cands = [(s, e) for s, e, x in amount_spans(text) if abs(x - v) < 1e-6]
    if not cands:
        return None

    def line_of(s):
        a = text.rfind("\n", 0, s) + 1
        b = text.find("\n", s)
        return text[a: b if b >= 0 else len(text)]

    cued = [c for c in cands if _TOTAL_CUE.search(line_of(c[0]))]
    good = [c for c in cued if not _NOT_TOTAL_CUE.search(line_of(c[0]))]
    if good:
        return good[-1]
    if cued:
        return cued[-1]
    return cands[-1]


# How docex reads a scan: Tesseract's page segmentation mode 6 (one block of lines), the
# [ocr] page_segmentation of pipelines/default.toml. The data set's own TSVs were made with
# the tesseract command's default, 3, which splits receipt lines into columns.
PIPELINE_PSM = "6"


def tesseract_tsv(path: str) -> str:
    """``tesseract IMG - -l eng --psm 6 tsv`` with one OpenMP thread: the page as docex reads
    it, as TSV text. Raises CalledProcessError when tesseract fails."""
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    r = subprocess.run(["tesseract", path, "-", "-l", "eng", "--psm", PIPELINE_PSM, "tsv"],
                       capture_output=True, text=True, env=env, check=True)
    return r.stdout


def ocr_sroie(root: str, ids, cache: str, log=print) -> str:
    """Reads the receipts `ids` (sroie/img/ID.jpg) as docex does (``tesseract --psm 6``, one
    OpenMP thread per process, as many processes as cores) into cache/ID.tsv; files already
    there are kept. Returns cache."""
    os.makedirs(cache, exist_ok=True)

    def one(doc_id):
        out = os.path.join(cache, doc_id + ".tsv")
        img = os.path.join(root, "sroie", "img", doc_id + ".jpg")
        if os.path.exists(out) or not os.path.exists(img):
            return 0
        try:
            tsv = tesseract_tsv(img)
        except subprocess.CalledProcessError as e:
            log(f"sroie {doc_id}: tesseract exit {e.returncode}: {(e.stderr or '')[-200:]}")
            return 0
        with open(out + ".part", "w", encoding="utf-8") as f:
            f.write(tsv)
        os.replace(out + ".part", out)
        return 1

    with ThreadPoolExecutor(os.cpu_count() or 1) as ex:
        done = sum(ex.map(one, sorted(ids)))
    if done:
        log(f"sroie: {done} receipts read with tesseract --psm {PIPELINE_PSM} into {cache}")
    return cache


# The docex binary that reads receipts with PP-OCR for training text: DOCEX_BIN, else this
# checkout's release build (scripts/setup.sh).
REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))


def docex_bin() -> str | None:
    path = os.environ.get("DOCEX_BIN") or os.path.join(REPO, "target", "release", "docex")
    return path if os.access(path, os.X_OK) else None


def split_text_output(stdout: str) -> dict[str, str]:
    """`docex text A B ...` output: the text after each "==> PATH <==" header, by PATH."""
    out, cur, lines = {}, None, []
    for line in stdout.split("\n"):
        m = re.fullmatch(r"==> (.*) <==", line)
        if m:
            if cur is not None:
                out[cur] = "\n".join(lines).strip("\n")
            cur, lines = m.group(1), []
        elif cur is not None:
            lines.append(line)
    if cur is not None:
        out[cur] = "\n".join(lines).strip("\n")
    return out


def ocr_sroie_paddle(root: str, ids, cache: str, binary: str, log=print, chunk: int = 40) -> str:
    """Reads the receipts `ids` with docex's PP-OCR (``docex text --ocr paddle``, one process per
    core, `chunk` receipts a process) into cache/ID.txt; files already there are kept. A receipt
    docex cannot read is left out (logged). Returns cache."""
    os.makedirs(cache, exist_ok=True)
    todo = [i for i in sorted(ids) if not os.path.exists(os.path.join(cache, i + ".txt"))
            and os.path.exists(os.path.join(root, "sroie", "img", i + ".jpg"))]

    def run(part):
        paths = [os.path.join(root, "sroie", "img", i + ".jpg") for i in part]
        r = subprocess.run([binary, "text", "--quiet", "--ocr", "paddle", *paths],
                           capture_output=True, text=True, env=dict(os.environ, OMP_THREAD_LIMIT="1"))
        texts = split_text_output(r.stdout) if len(paths) > 1 else {paths[0]: r.stdout.strip("\n")}
        done = 0
        for i, path in zip(part, paths):
            if path not in texts or (r.returncode and len(paths) == 1):
                log(f"sroie {i}: docex text --ocr paddle gave no text: {r.stderr[-200:]}")
                continue
            out = os.path.join(cache, i + ".txt")
            with open(out + ".part", "w", encoding="utf-8") as f:
                f.write(texts[path] + "\n")
            os.replace(out + ".part", out)
            done += 1
        return done

    parts = [todo[k:k + chunk] for k in range(0, len(todo), chunk)]
    with ThreadPoolExecutor(os.cpu_count() or 1) as ex:
        done = sum(ex.map(run, parts))
    if done:
        log(f"sroie: {done} receipts read with docex's PP-OCR into {cache}")
    return cache


def sroie_text_page(txt_path: str):
    """Page text from a plain text file (docex text's output): lines as they are, words split
    on spaces. Returns (text, words) as sroie_page does."""
    with open(txt_path, encoding="utf-8") as f:
        lines = [" ".join(line.split()) for line in f.read().split("\n")]
    return lines_page([line for line in lines if line])


def convert_sroie(root: str, text_source: str = "tesseract", tsv_dir: str | None = None):
    """text_source: "tesseract" (the data set's Tesseract TSV), "pipeline" (tsv_dir/ID.tsv from
    ocr_sroie: the receipts as docex reads them), "paddle" (tsv_dir/ID.txt from
    ocr_sroie_paddle: as docex's PP-OCR reads them) or "box" (the ground-truth OCR lines); all
    but the first are used only as extra training text."""
    docs = []
    for kp in sorted(glob.glob(os.path.join(root, "sroie", "key", "*.json"))):
        doc_id = os.path.splitext(os.path.basename(kp))[0]
        if text_source == "box":
            src = os.path.join(root, "sroie", "box", doc_id + ".csv")
        elif text_source == "pipeline":
            src = os.path.join(tsv_dir, doc_id + ".tsv")
        elif text_source == "paddle":
            src = os.path.join(tsv_dir, doc_id + ".txt")
        else:
            src = os.path.join(root, "sroie", "tesseract", doc_id + ".tsv")
        if not os.path.exists(src):
            continue
        key = json.load(open(kp, encoding="utf-8"))
        if text_source == "box":
            text, words = sroie_box_page(src)
        elif text_source == "paddle":
            text, words = sroie_text_page(src)
        else:
            text, words = sroie_page(src)
        spans, fields = [], {}
        company = (key.get("company") or "").strip()
        if company:
            fields["vendor"] = company
            sp = _align_company(text, words, company)
            if sp:
                spans.append([sp[0], sp[1], "VENDOR"])
        date = (key.get("date") or "").strip()
        if date:
            d = parse_date(date, "dmy")
            fields["invoice_date"] = d.isoformat() if d else date
            sp = _align_date(text, date)
            if sp:
                spans.append([sp[0], sp[1], "INVOICE_DATE"])
        total = (key.get("total") or "").strip()
        if total:
            v = parse_amount(total)
            fields["total_amount"] = f"{v:.2f}" if v is not None else total
            sp = _align_total(text, total)
            if sp:
                spans.append([sp[0], sp[1], "TOTAL"])
        if not spans:
            continue
        suffix = {"tesseract": "", "box": "#box", "pipeline": "#psm" + PIPELINE_PSM,
                  "paddle": "#paddle"}[text_source]
        docs.append({"id": f"sroie/{doc_id}{suffix}", "source": "sroie", "doc_type": "receipt",
                     "text": text, "spans": sorted(spans), "fields": fields,
                     "group": store_key(company)})
    return docs


def store_key(company: str) -> str:
    s = company.lower()
    s = re.sub(r"\(.*?\)", " ", s)
    s = re.sub(r"\b(sdn|bhd|berhad|s/b|enterprise|trading|restaurant|the)\b", " ", s)
    s = re.sub(r"[^a-z0-9]", "", s)
    return s[:12] or "unknown"


def split_by_group(docs, dev_frac=0.2, seed=SEED):
    groups = sorted({d["group"] for d in docs})
    random.Random(seed).shuffle(groups)
    count = {}
    for d in docs:
        count[d["group"]] = count.get(d["group"], 0) + 1
    dev_groups, n = set(), 0
    for g in groups:
        if n >= dev_frac * len(docs):
            break
        if count[g] > 0.1 * len(docs):  # keep very large chains in train
            continue
        dev_groups.add(g)
        n += count[g]
    train = [d for d in docs if d["group"] not in dev_groups]
    dev = [d for d in docs if d["group"] in dev_groups]
    return train, dev, sorted(dev_groups)


# --- MIDD ----------------------------------------------------------------------------
MIDD_MAP = {"SUPP_N": "VENDOR", "BUY_N": "CUSTOMER", "INV_NO": "INVOICE_NO", "INV_DT": "INVOICE_DATE",
            "GT_AMT": "TOTAL"}
MIDD_CUES = {"INV_L", "INV_DL", "GT_AMTL", "GSTL"}
_TAG_RE = re.compile(r"^([BI])-([A-Z_]+)$")


def _clean_tag(tag: str):
    m = _TAG_RE.match((tag or "").strip())
    if not m:
        return "O", None
    return m.group(1), m.group(2)


def midd_doc(path: str, line_every: int = 12):
    toks = []
    with open(path, encoding="utf-8-sig", errors="replace", newline="") as f:
        rd = csv.reader(f)
        next(rd, None)  # the header
        for r in rd:
            if not r:
                continue
            t = (r[0] or "").strip()
            tag = r[1] if len(r) > 1 else ""
            if not t:
                continue
            toks.append((" ".join(t.split()), _clean_tag(tag)))
    parts, pos, since_nl = [], 0, 0
    spans, cur = [], None  # cur = [start, end, type]
    for i, (t, (bi, typ)) in enumerate(toks):
        if i:
            nl = (bi == "B" and typ in MIDD_CUES) or since_nl >= line_every
            sep = "\n" if nl else " "
            since_nl = 0 if nl else since_nl
            parts.append(sep)
            pos += 1
        s, e = pos, pos + len(t)
        parts.append(t)
        pos = e
        since_nl += 1
        ent = MIDD_MAP.get(typ) if typ else None
        if ent and (bi == "I") and cur is not None and cur[2] == ent:
            cur[1] = e
        elif ent:
            cur = [s, e, ent]
            spans.append(cur)
        else:
            cur = None
    text = "".join(parts)
    return text, spans


def convert_midd(root: str):
    out = {}
    key_of = {"VENDOR": "vendor", "CUSTOMER": "customer", "INVOICE_NO": "invoice_number",
              "INVOICE_DATE": "invoice_date", "TOTAL": "total_amount"}
    for layout in ("Layout1", "Layout4"):
        docs = []
        for p in sorted(glob.glob(os.path.join(root, "midd", layout, "*.csv"))):
            name = os.path.splitext(os.path.basename(p))[0]
            text, spans = midd_doc(p)
            if not spans:
                continue
            fields = {}
            for s, e, typ in spans:
                k = key_of[typ]
                if k in fields:
                    continue
                v = text[s:e]
                if typ == "INVOICE_DATE":
                    d = parse_date(v, "dmy")
                    v = d.isoformat() if d else v
                elif typ == "TOTAL":
                    a = parse_amount(v)
                    v = f"{a:.2f}" if a is not None else v
                fields[k] = v
            docs.append({"id": f"midd/{layout}/{name}", "source": "midd", "doc_type": "invoice",
                         "text": text, "spans": [list(s) for s in spans], "fields": fields})
        out[layout] = docs
    return out


# --- CUAD ----------------------------------------------------------------------------
GENERIC_ROLES = set("""company distributor licensee licensor supplier customer party parties reseller
consultant contractor manufacturer purchaser buyer seller vendor client provider franchisee franchisor
agent developer sponsor affiliate bank borrower lender partner investor owner operator producer
publisher promoter endorser talent employee employer member members shareholder shareholders
marketer licensors licensees distributors suppliers customers consultants contractors trust
issuer depositor servicer administrator seller(s) buyer(s) us we you""".split())
_SUFFIX = re.compile(r"\b(inc|incorporated|llc|l\.l\.c|ltd|limited|corp|corporation|gmbh|plc|l\.?p|"
                     r"s\.?a|ag|b\.?v|n\.?v|co|company|s\.?r\.?l|pte|pty|llp|lp|sa|spa|s\.p\.a|kk|"
                     r"holdings|group|bank|trust|university|association|partners)\b\.?", re.I)


def _answer_aliases(answer: str):
    return {a.strip().lower() for a in re.findall(r"[\"“”']([^\"“”]{1,60})[\"“”]", answer or "")}


def is_party_name(span_text: str, text: str, occ, aliases) -> bool:
    t = " ".join(span_text.split())
    low = t.lower().strip(" .,")
    if not low or low in aliases or low in GENERIC_ROLES:
        return False
    if low.startswith(("the ",)) and low[4:] in GENERIC_ROLES:
        return False
    # defined-term usage: ("Alias") or (the "Alias") or “Alias”
    for s, e in occ[:3]:
        before = text[max(0, s - 8):s]
        after = text[e:e + 2]
        if re.search(r"[\"“”]\s*$", before) and re.match(r"\s*[\"“”]", after):
            return False
    if re.search(r"[\"“”]", t) or len(t.split()) > 9 or len(t) > 90:
        return False
    words = [w for w in re.findall(r"[A-Za-z][\w.&'-]*", t)
             if w.lower() not in ("of", "and", "the", "de", "for", "in", "a")]
    caps = [w for w in words if w[0].isupper()]
    if not words or len(caps) < 0.6 * len(words):
        return False
    if _SUFFIX.search(t):
        return True
    return len(caps) >= 2


def _cuad_type(fname: str) -> str:
    base = os.path.splitext(fname)[0]
    last = base.split("_")[-1]
    if "-" in last and "agreement" in last.lower():
        last = last.split("-")[-1]
    last = re.sub(r"[\d()\s]+$", "", last).strip().lower()
    last = re.sub(r"\s+", " ", last)
    return last or "other"


def _parse_us_answer(ans: str):
    if not ans:
        return None
    m = re.match(r"^\s*(\d{1,2})/(\d{1,2})/(\d{2,4})\s*$", ans)
    if not m:
        return None
    from .patterns import _mk, _year
    return _mk(_year(m.group(3)), int(m.group(1)), int(m.group(2)))


def convert_cuad(root: str):
    docs = []
    bad_offsets = 0
    with open(os.path.join(root, "cuad_key_fields.train.jsonl"), encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    for r in rows:
        p = os.path.join(root, "cuad", "txt", r["file"])
        if not os.path.exists(p):
            continue
        text = open(p, encoding="utf-8").read()
        fl = r["fields"]
        spans, fields = [], {}

        def occs(field):
            v = fl.get(field) or {}
            for sp in v.get("spans", []):
                for s, e in sp.get("occurrences", []):
                    yield sp["text"], s, e

        # Parties
        aliases = _answer_aliases((fl.get("Parties") or {}).get("answer", ""))
        parties = []
        for sp in (fl.get("Parties") or {}).get("spans", []):
            occ = sp.get("occurrences", [])
            if not occ:
                continue
            if text[occ[0][0]:occ[0][1]] != sp["text"]:
                bad_offsets += 1
                continue
            if is_party_name(sp["text"], text, occ, aliases):
                parties.append((occ[0][0], " ".join(sp["text"].split())))
                for s, e in occ:
                    spans.append([s, e, "PARTY"])
        if parties:
            fields["parties"] = [p for _, p in sorted(parties)]
        # Agreement date: spans are (mostly) the date expression itself
        ans = _parse_us_answer((fl.get("Agreement Date") or {}).get("answer", ""))
        if ans:
            fields["agreement_date"] = ans.isoformat()
        for t, s, e in occs("Agreement Date"):
            ds = find_dates(text[s:e], "mdy")
            if ds and (e - s) > 40:
                for a, b, c in ds:
                    spans.append([s + a, s + b, "AGREEMENT_DATE"])
            elif e - s <= 40:
                spans.append([s, e, "AGREEMENT_DATE"])
        # Effective / expiration dates inside sentences; TERM durations inside expiration spans
        for field, lab, key in (("Effective Date", "EFFECTIVE_DATE", "effective_date"),
                                ("Expiration Date", "EXPIRATION_DATE", "expiration_date")):
            ans = _parse_us_answer((fl.get(field) or {}).get("answer", ""))
            if ans:
                fields[key] = ans.isoformat()
            for t, s, e in occs(field):
                seg = text[s:e]
                for a, b, cands in find_dates(seg, "mdy"):
                    if ans is None or ans in cands:
                        spans.append([s + a, s + b, lab])
                if lab == "EXPIRATION_DATE":
                    durs = find_durations(seg)
                    if durs:
                        a, b = durs[0]
                        spans.append([s + a, s + b, "TERM"])
                        fields.setdefault("term", " ".join(seg[a:b].split()))
        # Governing law -> the jurisdiction name(s)
        gl = (fl.get("Governing Law") or {}).get("answer", "") or ""
        if gl:
            fields["jurisdiction"] = gl
        gl_low = gl.lower()
        for t, s, e in occs("Governing Law"):
            found = find_jurisdictions(text[s:e])
            chosen = [x for x in found if x[2].lower() in gl_low] if gl_low else found[:1]
            if not chosen and found and not gl_low:
                chosen = found[:1]
            for a, b, _ in chosen:
                spans.append([s + a, s + b, "JURISDICTION"])
        spans = _dedupe(spans)
        docs.append({"id": f"cuad/{os.path.splitext(r['file'])[0]}", "source": "cuad",
                     "doc_type": "contract", "text": text, "spans": spans, "fields": fields,
                     "group": _cuad_type(r["file"])})
    return docs, bad_offsets


def _dedupe(spans):
    order = {"AGREEMENT_DATE": 0, "EFFECTIVE_DATE": 1, "EXPIRATION_DATE": 2}
    seen, out = set(), []
    for s in sorted(spans, key=lambda x: (x[0], -(x[1] - x[0]), order.get(x[2], 9))):
        k = (s[0], s[1])
        if k in seen:
            continue
        seen.add(k)
        out.append(s)
    return out


def split_cuad(docs, dev_frac=0.2, seed=SEED):
    """Hold out whole contract types until about dev_frac of the contracts are held out."""
    count = {}
    for d in docs:
        count[d["group"]] = count.get(d["group"], 0) + 1
    types = sorted(t for t in count if "agreement" in t)
    random.Random(seed).shuffle(types)
    dev_types, n = set(), 0
    for t in types:
        if n >= dev_frac * len(docs):
            break
        if count[t] > 0.08 * len(docs):
            continue
        dev_types.add(t)
        n += count[t]
    return ([d for d in docs if d["group"] not in dev_types],
            [d for d in docs if d["group"] in dev_types], sorted(dev_types))


# --- all -----------------------------------------------------------------------------
def convert_all(root: str, out_dir: str, log=print, ocr_cache: str | None = None):
    """Write {sroie,midd,cuad}.{train,dev}.jsonl to out_dir; return a summary dict. With
    ocr_cache (and the tesseract command), also sroie_psm6.train.jsonl: the training receipts
    as docex's OCR reads them (see ocr_sroie)."""
    summary = {}
    sroie = convert_sroie(root)
    s_tr, s_dev, s_groups = split_by_group(sroie)
    midd = convert_midd(root)
    m_tr, m_dev = midd["Layout4"], midd["Layout1"]
    cuad, bad = convert_cuad(root)
    c_tr, c_dev, c_types = split_cuad(cuad)
    for name, tr, dev in (("sroie", s_tr, s_dev), ("midd", m_tr, m_dev), ("cuad", c_tr, c_dev)):
        write_jsonl(os.path.join(out_dir, f"{name}.train.jsonl"), tr)
        write_jsonl(os.path.join(out_dir, f"{name}.dev.jsonl"), dev)
    # the same training receipts with their ground-truth OCR text (cleaner than Tesseract)
    train_ids = {d["id"] for d in s_tr}
    s_box = [d for d in convert_sroie(root, "box") if d["id"].split("#")[0] in train_ids]
    write_jsonl(os.path.join(out_dir, "sroie_box.train.jsonl"), s_box)
    # and as docex reads them (the dev split keeps the data set's own TSVs, so that its
    # membership does not depend on how the OCR reads)
    s_psm = []
    if ocr_cache and shutil.which("tesseract"):
        tsvs = ocr_sroie(root, [i.split("/", 1)[1] for i in train_ids], ocr_cache, log=log)
        s_psm = [d for d in convert_sroie(root, "pipeline", tsvs) if d["id"].split("#")[0] in train_ids]
    elif ocr_cache:
        log("sroie: no tesseract command: training without the receipts as docex reads them")
    write_jsonl(os.path.join(out_dir, "sroie_psm6.train.jsonl"), s_psm)
    # and as docex's PP-OCR reads them (the engine `auto` gives receipts)
    s_paddle = []
    binary = docex_bin()
    if ocr_cache and binary:
        txts = ocr_sroie_paddle(root, [i.split("/", 1)[1] for i in train_ids], ocr_cache + "_paddle",
                                binary, log=log)
        s_paddle = [d for d in convert_sroie(root, "paddle", txts) if d["id"].split("#")[0] in train_ids]
    elif ocr_cache:
        log("sroie: no docex binary (DOCEX_BIN, target/release/docex): training without PP-OCR text")
    write_jsonl(os.path.join(out_dir, "sroie_paddle.train.jsonl"), s_paddle)
    n_keys = len(glob.glob(os.path.join(root, "sroie", "key", "*.json")))
    summary = {
        "sroie": {"docs": len(sroie), "dropped": n_keys - len(sroie), "train": len(s_tr),
                  "train_box_text": len(s_box), "train_psm6_text": len(s_psm),
                  "train_paddle_text": len(s_paddle),
                  "dev": len(s_dev), "dev_stores": s_groups,
                  "aligned": {t: sum(any(s[2] == t for s in d["spans"]) for d in sroie)
                              for t in ("VENDOR", "INVOICE_DATE", "TOTAL")}},
        "midd": {"train": len(m_tr), "dev": len(m_dev), "train_layout": "Layout4", "dev_layout": "Layout1"},
        "cuad": {"docs": len(cuad), "train": len(c_tr), "dev": len(c_dev), "dev_types": c_types,
                 "bad_party_offsets": bad,
                 "dev_files": [d["id"] for d in c_dev]},
    }
    with open(os.path.join(out_dir, "splits.json"), "w") as f:
        json.dump(summary, f, indent=1)
    log(json.dumps({k: {kk: vv for kk, vv in v.items() if kk not in ("dev_files", "dev_stores")}
                    for k, v in summary.items()}))
    return summary
