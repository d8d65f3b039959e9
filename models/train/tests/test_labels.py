from docex_train.labels import LABELS, allowed_transition, bilou_to_spans, spans_to_bilou


def test_label_set():
    assert LABELS[0] == "O" and len(LABELS) == 1 + 4 * 14
    assert "U-JURISDICTION" in LABELS and "B-VENDOR" in LABELS


def test_spans_to_bilou():
    offs = [(0, 5), (6, 9), (10, 14), (15, 20), (21, 25)]
    tags = spans_to_bilou(offs, [(6, 14, "VENDOR"), (16, 18, "TOTAL")])
    assert tags == ["O", "B-VENDOR", "L-VENDOR", "U-TOTAL", "O"]
    tags = spans_to_bilou(offs, [(2, 25, "PARTY")])  # starts mid-token
    assert tags == ["B-PARTY", "I-PARTY", "I-PARTY", "I-PARTY", "L-PARTY"]
    # a span entirely in whitespace labels nothing
    assert spans_to_bilou(offs, [(5, 6, "TOTAL")]) == ["O"] * 5


def test_bilou_roundtrip():
    tags = ["O", "B-VENDOR", "I-VENDOR", "L-VENDOR", "U-TOTAL", "O", "U-TAX"]
    assert bilou_to_spans(tags) == [(1, 4, "VENDOR"), (4, 5, "TOTAL"), (6, 7, "TAX")]


def test_transitions():
    assert allowed_transition("B-VENDOR", "I-VENDOR")
    assert allowed_transition("B-VENDOR", "L-VENDOR")
    assert not allowed_transition("B-VENDOR", "L-TOTAL")
    assert not allowed_transition("B-VENDOR", "O")
    assert not allowed_transition("O", "I-VENDOR")
    assert allowed_transition("L-VENDOR", "U-TOTAL")
    assert not allowed_transition("U-TOTAL", "L-TOTAL")


def test_window_edge_repair():
    import numpy as np

    from docex_train.data import LABEL_ID, repair_edges

    def ids(ts):
        return np.asarray([LABEL_ID[t] for t in ts])

    def back(a):
        return [LABELS[i] for i in a]

    assert back(repair_edges(ids(["I-PARTY", "L-PARTY", "O", "B-TERM", "I-TERM"]))) == \
        ["B-PARTY", "L-PARTY", "O", "B-TERM", "L-TERM"]
    assert back(repair_edges(ids(["L-PARTY", "O", "B-TERM"]))) == ["U-PARTY", "O", "U-TERM"]
    assert back(repair_edges(ids(["I-TERM"]))) == ["U-TERM"]
