"""MODEL_CARD.md writer."""
from __future__ import annotations

import json
import os

from .convert import PIPELINE_PSM
from .evaluate import format_table
from .text import FEATURES


def _windows(w: dict) -> str:
    if "per_epoch" in w:
        return ", ".join(f"{k} {v}/{w['pool'][k]}" for k, v in w["per_epoch"].items())
    return ", ".join(f"{k} {v}" for k, v in w.items())


def _arch(cfg: dict) -> str:
    rnn = {"lstm": "BiLSTM", "gru": "BiGRU"}[cfg.get("rnn", "lstm")]
    layers = int(cfg.get("layers", 1))
    lines = [
        "- word embedding (100)" + (" + character CNN (char embedding 24, 50 filters, kernel 3, ReLU, max-pool over the"
                                   "\n  first 20 characters)" if cfg.get("char", "cnn") == "cnn" else "")
        + f" + the {len(FEATURES)} token features (7 word-shape, 7 layout; `models/README.md`), dropout 0.3",
        f"- {rnn}, {cfg.get('hidden', 128)} hidden units per direction, {layers} layer{'s, the second residual' if layers > 1 else ''}."
        " The backward direction is a forward RNN run\n  over each row reversed within its length (no packed"
        " sequences), so a row's output does not depend\n  on padding and the graph exports to ONNX",
    ]
    if cfg.get("crf", True):
        lines.append("- linear emissions over the labels; linear-chain CRF (start/end/transition scores) trained with the\n"
                     "  forward algorithm, BILOU-invalid transitions masked in training and in Viterbi decoding.")
    else:
        lines.append("- linear emissions trained with token cross-entropy (no CRF scores; decoding is BILOU-constrained).")
    return "\n".join(lines)


def _ablation(path: str) -> str:
    if not os.path.exists(path):
        return "(not run for this model: `python -m docex_train ablate --data ../shared/data`)"
    from .ablate import format_ablation
    res = json.load(open(path))
    sets = ", ".join(f"{k}={v}" for k, v in res.get("settings", {}).items())
    return (f"Every variant: the same data, seed 7 (the weights of `2-layer-seed-8`: seed 8), {res['epochs']} epochs ({sets}); one switch changed "
            "against `base`.\nDocument-level dev accuracy per field (the tagger's own evaluation, text in, constrained "
            "Viterbi), mean over the columns, ONNX size and training speed (tokens/s, 1 CPU thread, two variants side by "
            "side on 2 cores).\n\n" + format_ablation(res))


def _include(path: str, missing: str) -> str:
    return open(path, encoding="utf-8").read().strip() if os.path.exists(path) else missing


def write_card(out_dir: str, info: dict, work: str | None = None):
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    work = work or os.path.join(here, "work")
    sp = info["splits"]
    cfg = info["config"]
    size = sum(os.path.getsize(os.path.join(out_dir, f)) for f in ("model.onnx", "tokenizer.json", "meta.json"))
    rows = info["dev"]
    by_type = {}
    for r in rows:
        a = by_type.setdefault(r["type"], [0, 0, 0, 0, 0])
        a[0] += r["tp"]
        a[1] += r["fp"]
        a[2] += r["fn"]
        a[3] += r["doc_correct"]
        a[4] += r["doc_total"]
    overall = ["| field | P | R | F1 | doc acc (n) |", "|---|---|---|---|---|"]
    for t, (tp, fp, fn, c, n) in sorted(by_type.items()):
        P = tp / (tp + fp) if tp + fp else 0.0
        R = tp / (tp + fn) if tp + fn else 0.0
        F = 2 * P * R / (P + R) if P + R else 0.0
        overall.append(f"| {t} | {P:.3f} | {R:.3f} | {F:.3f} | {(c / n if n else 0):.3f} ({n}) |")
    hist = "\n".join(f"| {h['epoch']} | {h['loss']} | {h['elapsed_s']} |" for h in info["history"])
    name = os.path.basename(os.path.normpath(out_dir))
    text = f"""# {name}

BiLSTM-CRF token tagger for invoices, receipts and contracts, used by `crates/docex-tagger`.
Inputs, outputs, tokenizer and label set follow the contract in `models/README.md`.

## Files
| file | |
|---|---|
| `model.onnx` | emissions model (opset 17; inputs `word_ids`, `char_ids`, `features`, `lengths`; output `emissions`) |
| `tokenizer.json` | WordLevel tokenizer, {info['vocab']} entries (`[PAD]`=0, `[UNK]`=1, training-split words seen at least twice, capped at {cfg['vocab_size']}) |
| `meta.json` | {len(json.load(open(os.path.join(out_dir, 'meta.json')))['labels'])} BILOU labels, {info['chars']} characters, {len(FEATURES)} features, CRF start/end/transition scores, window {cfg['window']} |

Total size: {size / 1e6:.1f} MB.

## Architecture
{_arch(cfg)}
- export checked: max |PyTorch - onnxruntime| = {info['parity_max_abs']:.1e} on random padded batches of mixed
  lengths, and identical rows at different paddings.

## Ablation
{_ablation(os.path.join(work, "ablation", "ablation.json"))}

{_include(os.path.join(here, "ablation_notes.md"), "")}

## Training
Command (from the repository root, with the venv of `models/train/requirements.txt` and
`pip install --no-deps -e models/train`; or prefix `PYTHONPATH=models/train`):

```
python -m docex_train train --data ../shared/data --out models/{name}
```

Seeds fixed (seed {cfg['seed']}); trained on {info.get('gpu') or 'CPU'} ({info['torch_threads']} CPU torch thread(s)), torch {info['torch']}.\nTraining stops at a {cfg['time_budget']:.0f} s budget if the epochs are not done by then{' (it was reached in this run)' if info['stopped_early'] else ' (not reached in this run)'}.
Training {info['train_seconds']:.0f} s, whole command (conversion, training, export, dev evaluation)
{info['total_seconds']:.0f} s; {info['tokens_seen']} training tokens processed.
Adam, learning rate {cfg['lr']} decaying linearly to 40 % over {cfg['epochs']} epochs, batch {cfg['batch']},
gradient clipping {cfg['clip']}, word dropout to `[UNK]` {cfg['word_dropout']}.
Windows of up to {cfg['window']} tokens (documents longer than that are tiled; CUAD contracts are cut into
windows at random offsets that cover every labelled token, plus about 30 % random windows). Windows per
epoch / available: {_windows(info['windows'])}
(`sroie_box` = the training receipts again with their ground-truth OCR text; `sroie_psm6` = the training
receipts read again from the scans by Tesseract as docex reads them, `--psm {PIPELINE_PSM}`, when the run had one (the data
set's own TSVs are `--psm 3`); `sroie_paddle` = the training receipts read by docex's PP-OCR
(`docex text --ocr paddle`, the engine `--ocr auto` gives receipts), when the run had the release build
and the PP-OCR models; `synth` = documents from the
project's generator `docex_train.synth`, {info['synth_docs']} documents, of them {cfg['synth_ocr_docs']} documents rendered as
scans and read back by Tesseract (`--psm {PIPELINE_PSM}`), one training document per page (`docex_train.synth_ocr`; about 8 minutes of OCR on 2 cores
the first time, then cached), at most {int(cfg['synth_frac'] * 100)} % of the windows;
MIDD, CUAD and synth windows are resampled each epoch).

| epoch | mean loss | elapsed s |
|---|---|---|
{hist}

## Data, licenses and attribution
Real, third-party annotated data (read from the shared data folder, not shipped):

| set | what | license | used |
|---|---|---|---|
| SROIE | ICDAR-2019 scanned receipts (Malaysia), Tesseract 5.3 TSV text + key fields | CC BY 4.0 | {sp['sroie']['docs']} receipts with at least one aligned field ({sp['sroie']['dropped']} dropped) |
| MIDD | Indian GST invoices, token-level IOB, layouts 1 and 4 | CC BY 4.0 | {sp['midd']['train'] + sp['midd']['dev']} invoices |
| CUAD v1 | commercial contracts from SEC EDGAR, character spans for key fields | CC BY 4.0 | {sp['cuad']['docs']} contracts |

- SROIE: Huang et al., "ICDAR2019 Competition on Scanned Receipt OCR and Information Extraction", ICDAR 2019.
- MIDD: Baviskar et al., "Multi-layout Invoice Document Dataset (MIDD)", Data 6(7):78, 2021.
- CUAD: Hendrycks et al., "CUAD: An Expert-Annotated NLP Dataset for Legal Contract Review", NeurIPS 2021.

The `sroie_paddle` training text was read by PaddleOCR's PP-OCRv6 small detection and recognition models
(Apache-2.0; the ONNX files of the PyPI wheel `rapidocr` 3.10.0, run by docex's `crates/docex-paddle`).

Plus documents from the project's own generator (`docex_train.synth`), which cover fields the real
data lacks (due dates, net/tax amounts, customers on English invoices, other currencies).

Label alignment (`docex_train/convert.py`):
- SROIE: page text from the Tesseract TSV (words by spaces, lines by newlines); company -> VENDOR by fuzzy
  match over word windows (similarity >= 0.8 on case/space/punctuation-folded text), date -> INVOICE_DATE
  (literal, else same parsed date), total -> TOTAL (a number equal to the total, preferring the last one on a
  line with total/amount/rounded); address not used. Aligned: {sp['sroie']['aligned']}.
- MIDD: tokens joined by spaces, a newline before each cue label and every 12 tokens; SUPP_N -> VENDOR,
  BUY_N -> CUSTOMER, INV_NO -> INVOICE_NO, INV_DT -> INVOICE_DATE, GT_AMT -> TOTAL.
- CUAD: Parties -> PARTY for real names only (defined-term aliases such as "Company", "Distributor" dropped);
  Agreement Date -> AGREEMENT_DATE; the date expression inside Effective/Expiration Date clauses (checked
  against the annotated answer) -> EFFECTIVE_DATE / EXPIRATION_DATE; the first duration in Expiration Date
  clauses -> TERM; the jurisdiction name inside Governing Law clauses -> JURISDICTION. Where an effective date
  is the same text as the agreement date, the token keeps AGREEMENT_DATE.

## Dev splits (generalisation, never trained on)
- SROIE by store: {sp['sroie']['train']} train / {sp['sroie']['dev']} dev receipts; held-out stores (normalised names):
  {', '.join(sp['sroie']['dev_stores'])}.
- MIDD by layout: train on Layout4 ({sp['midd']['train']}), dev = all of Layout1 ({sp['midd']['dev']}).
- CUAD by contract type (last part of the file name): {sp['cuad']['train']} train / {sp['cuad']['dev']} dev contracts;
  held-out types: {'; '.join(sp['cuad']['dev_types'])}.

## Dev scores
Span level: exact token-span match, per entity type. Document level: the highest-scoring predicted
span of a type equals a gold span text after case/space/punctuation folding (over documents that have a
gold span of that type). Long documents are tagged in consecutive {cfg['window']}-token windows, decoded
with the constrained Viterbi, exactly as the Rust side does.

All dev sets together:

{chr(10).join(overall)}

Per source:

{format_table(rows)}

## End to end: `docex eval` on the dev documents
{_include(os.path.join(work, "devrun", "eval.md"), "(not run: `make eval`)")}

Scans are read as `[ocr] engine` of the pipeline says (`auto`: receipts and photos by PP-OCR, page scans by
Tesseract); `EXTRACT_ARGS="--ocr tesseract" make eval` scores the other engine (BENCHMARKS.md, "OCR engines").

## Error analysis
{_include(os.path.join(here, "error_analysis.md"), "(none written)")}

## Known weaknesses
- Trained on three narrow real sources (Malaysian receipts with OCR noise, two Indian GST invoice layouts,
  US SEC contracts); other layouts and languages rely on the generated documents.
- No real labels for due dates, net and tax amounts, or customers on English invoices: these come only from
  generated documents, so their quality on real documents is unknown (no real dev data). The 58 hand-written
  documents of `models/probe/` (`make eval-probe`) are the nearest check on such kinds and layouts; they are
  clean text written for the purpose, not real scans.
- SROIE labels are aligned automatically from key strings (some noise, OCR errors), and SROIE totals mark
  one occurrence: other occurrences of the same amount are labelled O.
- CUAD effective/expiration dates, terms and jurisdictions are derived from clause annotations by regular
  expressions; few examples (effective/expiration dates are rare), so these fields are weak.
- Dev scores are noisy. The MIDD dev set is a single layout of essentially one vendor ("AVIVA DOORS"; the
  Layout4 training invoices are almost all "SHAH MARKETING"), so MIDD vendor scores say little, and across
  training runs with slightly different data mixes (extra SROIE text, more generated documents, word
  dropout 0.1) MIDD document accuracies moved by up to 0.6 (invoice date 0.32-1.00, total 0.05-0.30)
  and SROIE/CUAD fields by about 0.1 (6-epoch CPU runs, seed 7, differing only in those settings).
- MIDD invoice numbers keep the PDF-extraction spacing in the gold text ("TI-113/19 - 20"); the tagger's
  own scores above punish a span that starts at "113/19". End to end, docex grows an invoice-number span to
  the whole words around it, which recovers most of them.
- The tagger sees at most {cfg['window']} tokens at a time; entities cut by a window boundary may be lost.
- Vocabulary is lowercased with digits folded to 0; unseen words rely on the character CNN.

## Split lists
CUAD dev contracts:
{chr(10).join('- ' + f for f in sp['cuad']['dev_files'])}
"""
    with open(os.path.join(out_dir, "MODEL_CARD.md"), "w", encoding="utf-8") as f:
        f.write(text)
