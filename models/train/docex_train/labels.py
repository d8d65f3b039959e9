"""Label set (BILOU over the contract's entity types) and span <-> tag conversion."""
from __future__ import annotations

import bisect

ENTITY_TYPES = [
    "VENDOR", "CUSTOMER", "INVOICE_NO", "INVOICE_DATE", "DUE_DATE", "NET", "TAX", "TOTAL",
    "PARTY", "AGREEMENT_DATE", "EFFECTIVE_DATE", "EXPIRATION_DATE", "TERM", "JURISDICTION",
]


def build_labels(types=ENTITY_TYPES) -> list[str]:
    labels = ["O"]
    for t in types:
        labels += [f"B-{t}", f"I-{t}", f"L-{t}", f"U-{t}"]
    return labels


LABELS = build_labels()


def split_label(label: str) -> tuple[str, str | None]:
    if label == "O":
        return "O", None
    p, t = label.split("-", 1)
    return p, t


def allowed_transition(a: str, b: str) -> bool:
    """Is label b allowed right after label a under BILOU?"""
    pa, ta = split_label(a)
    pb, tb = split_label(b)
    if pa in ("B", "I"):
        return pb in ("I", "L") and tb == ta
    # a is O, L-x or U-x: a new thing must start
    return pb in ("O", "B", "U")


def allowed_start(b: str) -> bool:
    return split_label(b)[0] in ("O", "B", "U")


def allowed_end(a: str) -> bool:
    return split_label(a)[0] in ("O", "L", "U")


def spans_to_bilou(offsets: list[tuple[int, int]], spans) -> list[str]:
    """Token offsets (sorted, non-overlapping) + character spans [(start, end, type)] ->
    BILOU tags.

    A token belongs to a span when the two overlap (so a span that starts or ends in
    the middle of a token still labels that token). Where spans overlap, the first
    one (in start order, longer first) that claims a token wins; later spans that
    would collide are dropped entirely.
    """
    starts = [a for a, _ in offsets]
    ends = [b for _, b in offsets]
    tags = ["O"] * len(offsets)
    for s, e, typ in sorted(spans, key=lambda x: (x[0], -(x[1] - x[0]))):
        if e <= s:
            continue
        i = bisect.bisect_right(ends, s)  # first token ending after s
        j = bisect.bisect_left(starts, e)  # tokens [i, j) start before e
        idx = list(range(i, j))
        if not idx or any(tags[k] != "O" for k in idx):
            continue
        if len(idx) == 1:
            tags[idx[0]] = f"U-{typ}"
        else:
            tags[idx[0]] = f"B-{typ}"
            for k in idx[1:-1]:
                tags[k] = f"I-{typ}"
            tags[idx[-1]] = f"L-{typ}"
    return tags


def bilou_to_spans(tags: list[str]) -> list[tuple[int, int, str]]:
    """BILOU tags -> token spans [(first, last_exclusive, type)]; ill-formed runs are
    repaired leniently (an I/L without B starts a span)."""
    spans = []
    cur = None  # (start, type)
    for i, t in enumerate(tags):
        p, typ = split_label(t)
        if p == "O":
            cur = None
            continue
        if p == "U":
            spans.append((i, i + 1, typ))
            cur = None
        elif p == "B":
            cur = (i, typ)
        elif p in ("I", "L"):
            if cur is None or cur[1] != typ:
                cur = (i, typ)
            if p == "L":
                spans.append((cur[0], i + 1, typ))
                cur = None
    return spans
