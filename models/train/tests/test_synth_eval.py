import json
import re

from docex_train.synth_eval import FIELDS, build


def test_the_generated_check_set_has_a_document_and_docex_eval_labels_for_each_line(tmp_path):
    counts = build(str(tmp_path), n_text=12, n_scans=2)
    labels = [json.loads(line) for line in (tmp_path / "labels.jsonl").read_text().splitlines()]
    assert sum(counts.values()) == len(labels) == 14
    assert counts.get("scan-invoice", 0) + counts.get("scan-receipt", 0) == 2
    for lab in labels:
        assert (tmp_path / "docs" / lab["document"]).is_file()
        kind = lab["source"].split("-", 1)[1]
        assert lab["fields"] and set(lab["fields"]) <= set(FIELDS[kind])
        for k, v in lab["fields"].items():
            if k == "parties":
                assert isinstance(v, list) and all(v)
            elif k.endswith("_date"):
                assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", v), (k, v)
    # the same seed gives the same set
    again = tmp_path / "again"
    build(str(again), n_text=12, n_scans=2)
    assert (again / "labels.jsonl").read_text() == (tmp_path / "labels.jsonl").read_text()
