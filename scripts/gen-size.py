#!/usr/bin/env python3
"""Generates a document of about SIZE bytes for scripts/bench-size.sh: invoice- and
log-like plain text (dates, amounts, ids, names on every line), or the same text as a
PDF with a text layer, 60 lines to a page (standard library only).

    scripts/gen-size.py text|pdf SIZE_BYTES OUT [SEED]
"""
import random
import sys

NAMES = ["Acme GmbH", "Globex Corporation", "Initech LLC", "Umbrella Ltd", "Stark Industries Inc.",
         "Wayne Enterprises", "Hooli Inc.", "Vandelay Industries", "Soylent Corp", "Tyrell Ltd"]
LEVELS = ["INFO", "WARN", "DEBUG", "INFO", "ERROR"]


def lines(rng):
    """An endless stream of realistic lines: a log with invoice blocks in it."""
    n = 0
    while True:
        n += 1
        y, m, d = rng.randint(2019, 2025), rng.randint(1, 12), rng.randint(1, 28)
        hh, mm, ss = rng.randint(0, 23), rng.randint(0, 59), rng.randint(0, 59)
        who = rng.choice(NAMES)
        amount = f"{rng.randint(1, 99999):,}.{rng.randint(0, 99):02d}"
        kind = rng.random()
        if kind < 0.05:
            # an invoice block
            yield "INVOICE"
            yield f"Invoice No: INV-{rng.randint(1, 999999):06d}"
            yield f"Invoice Date: {d:02d}.{m:02d}.{y}"
            yield f"From: {who}"
            yield f"Bill To: {rng.choice(NAMES)}"
            for _ in range(rng.randint(1, 4)):
                yield f"  {rng.randint(1, 20)} x Widget {rng.randint(1, 999)}   EUR {amount}"
            yield f"Subtotal: EUR {amount}"
            yield f"VAT 19%: EUR {rng.randint(1, 9999)}.{rng.randint(0, 99):02d}"
            yield f"Total: EUR {amount}"
            yield ""
        elif kind < 0.6:
            yield (f"{y}-{m:02d}-{d:02d} {hh:02d}:{mm:02d}:{ss:02d} {rng.choice(LEVELS)} "
                   f"payment {n} received for invoice INV-{rng.randint(1, 999999):06d} "
                   f"amount ${amount} from {who}")
        else:
            yield (f"{y}-{m:02d}-{d:02d} {hh:02d}:{mm:02d}:{ss:02d} {rng.choice(LEVELS)} "
                   f"worker {rng.randint(1, 64)} processed order {rng.randint(1000, 99999)} "
                   f"due {d:02d}/{m:02d}/{y} in {rng.randint(1, 999)} ms")


def text(size, rng):
    out, total = [], 0
    for line in lines(rng):
        if total >= size:
            break
        out.append(line)
        total += len(line) + 1
    return out


def pdf_escape(s):
    return s.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def pdf(size, rng):
    # the page content is about 1.2 times the text: aim the text lower
    all_lines = text(int(size / 1.2), rng)
    pages = [all_lines[i:i + 60] for i in range(0, len(all_lines), 60)] or [[""]]
    objects = [None, None, b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"]
    kids = []
    for page in pages:
        ops = ["BT /F1 9 Tf 40 770 Td"]
        ops += [f"0 -11 Td ({pdf_escape(line)}) Tj" for line in page]
        ops.append("ET")
        content = "\n".join(ops).encode("latin-1", "replace")
        objects.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
        content_id = len(objects)
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents %d 0 R "
                       b"/Resources << /Font << /F1 3 0 R >> >> >>" % content_id)
        kids.append(len(objects))
    objects[0] = b"<< /Type /Catalog /Pages 2 0 R >>"
    objects[1] = (b"<< /Type /Pages /Kids [" + b" ".join(b"%d 0 R" % k for k in kids)
                  + b"] /Count %d >>" % len(kids))
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objects):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % (i + 1) + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for o in offsets:
        out += b"%010d 00000 n \n" % o
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def main():
    kind, size, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    rng = random.Random(int(sys.argv[4]) if len(sys.argv) > 4 else 15)
    if kind == "text":
        data = ("\n".join(text(size, rng)) + "\n").encode()
    elif kind == "pdf":
        data = pdf(size, rng)
    else:
        sys.exit(f"kind must be text or pdf, not {kind}")
    with open(path, "wb") as f:
        f.write(data)


if __name__ == "__main__":
    main()
