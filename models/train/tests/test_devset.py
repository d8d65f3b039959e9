import json
import os

import pytest

from docex_train.__main__ import main
from docex_train.convert import write_jsonl
from docex_train.devset import build_devset, iso_duration, label_fields


def _fake_dev(tmp_path):
    """A data folder with two SROIE scans and dev JSONL files shaped like convert.py's."""
    data, dev = tmp_path / "data", tmp_path / "dev"
    (data / "sroie" / "img").mkdir(parents=True)
    (data / "sroie" / "img" / "X001.jpg").write_bytes(b"\xff\xd8 fake scan 1")
    (data / "sroie" / "img" / "X002.jpg").write_bytes(b"\xff\xd8 fake scan 2")
    write_jsonl(str(dev / "sroie.dev.jsonl"), [
        {"id": "sroie/X001", "source": "sroie", "text": "ASIA MART\nTOTAL 32.70", "spans": [],
         "fields": {"vendor": "ASIA MART", "invoice_date": "2017-12-22", "total_amount": "32.70"}},
        {"id": "sroie/X002", "source": "sroie", "text": "?", "spans": [],
         "fields": {"vendor": "B", "invoice_date": "22/12/2017", "total_amount": "9.00"}},
        {"id": "sroie/X003", "source": "sroie", "text": "no scan", "spans": [],
         "fields": {"vendor": "C"}},
    ])
    write_jsonl(str(dev / "midd.dev.jsonl"), [
        {"id": "midd/Layout1/1131GVDTD", "source": "midd", "text": "TAX INVOICE AVIVA DOORS", "spans": [],
         "fields": {"vendor": "AVIVA DOORS", "customer": "SIDDHARTH REAL\nVENTURES LLP .",
                    "invoice_number": "TI-113/19 - 20", "invoice_date": "", "total_amount": "33800.00"}},
    ])
    write_jsonl(str(dev / "cuad.dev.jsonl"), [
        {"id": "cuad/Acme_EX-10.1_Reseller Agreement", "source": "cuad", "text": "RESELLER AGREEMENT\n...",
         "spans": [], "fields": {"parties": ["Acme, Inc.", "Beta  LLC"], "agreement_date": "2014-05-08",
                                 "term": "one (1) year", "jurisdiction": "New York"}},
    ])
    return data, dev


def _labels(out):
    with open(out / "labels.jsonl", encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def test_devset_writes_documents_and_labels_as_docex_names_them(tmp_path):
    data, dev = _fake_dev(tmp_path)
    out = tmp_path / "devset"
    counts = build_devset(str(data), str(dev), str(out), log=lambda *_: None)
    assert counts == {"sroie": 2, "midd": 1, "cuad": 1}
    docs = out / "docs"
    assert (docs / "sroie" / "X001.jpg").read_bytes() == b"\xff\xd8 fake scan 1"
    assert not (docs / "sroie" / "X003.jpg").exists()
    assert (docs / "midd" / "1131GVDTD.txt").read_text(encoding="utf-8") == "TAX INVOICE AVIVA DOORS"
    assert (docs / "cuad" / "Acme_EX-10.1_Reseller Agreement.txt").read_text(encoding="utf-8").startswith(
        "RESELLER AGREEMENT")
    labels = _labels(out)
    assert labels == [
        {"document": "sroie/X001.jpg", "source": "sroie",
         "fields": {"vendor": "ASIA MART", "invoice_date": "2017-12-22", "total_amount": "32.70"}},
        # a date convert.py could not parse is not a label
        {"document": "sroie/X002.jpg", "source": "sroie", "fields": {"vendor": "B", "total_amount": "9.00"}},
        {"document": "midd/1131GVDTD.txt", "source": "midd",
         "fields": {"vendor": "AVIVA DOORS", "customer": "SIDDHARTH REAL VENTURES LLP .",
                    "invoice_number": "TI-113/19 - 20", "total_amount": "33800.00"}},
        {"document": "cuad/Acme_EX-10.1_Reseller Agreement.txt", "source": "cuad",
         "fields": {"parties": ["Acme, Inc.", "Beta LLC"], "agreement_date": "2014-05-08",
                    "term": "P1Y", "jurisdiction": "New York"}},
    ]
    # every label names a file under docs/, as `docex extract OUT/docs` prints it
    for label in labels:
        assert (docs / label["document"]).is_file()


def test_devset_rebuilds_its_own_folder_and_refuses_others(tmp_path):
    data, dev = _fake_dev(tmp_path)
    out = tmp_path / "devset"
    main(["devset", "--data", str(data), "--dev", str(dev), "--out", str(out)])
    (out / "docs" / "stale.txt").write_text("old")
    main(["devset", "--data", str(data), "--dev", str(dev), "--out", str(out)])
    assert not (out / "docs" / "stale.txt").exists()
    assert len(_labels(out)) == 4
    other = tmp_path / "other"
    (other / "docs").mkdir(parents=True)
    with pytest.raises(SystemExit):
        build_devset(str(data), str(dev), str(other), log=lambda *_: None)
    assert os.listdir(other / "docs") == []


def test_devset_of_the_training_split_reads_the_train_files(tmp_path):
    data, dev = _fake_dev(tmp_path)
    for source in ("sroie", "midd", "cuad"):
        (dev / f"{source}.dev.jsonl").rename(dev / f"{source}.train.jsonl")
    out = tmp_path / "trainset"
    main(["devset", "--data", str(data), "--dev", str(dev), "--out", str(out), "--split", "train"])
    assert [label["document"] for label in _labels(out)] == [
        "sroie/X001.jpg", "sroie/X002.jpg", "midd/1131GVDTD.txt", "cuad/Acme_EX-10.1_Reseller Agreement.txt"]
    with pytest.raises(ValueError):
        build_devset(str(data), str(dev), str(out), log=lambda *_: None, split="test")


@pytest.mark.parametrize("text,want", [
    ("one (1) year", "P1Y"), ("1 year", "P1Y"), ("four-year", "P4Y"), ("12 months", "P12M"),
    ("thirty (30) day", "P30D"), ("hundred eighty days", "P180D"), ("one hundred and twenty days", "P120D"),
    ("twenty-four months", "P24M"), ("36 months", "P36M"), ("two weeks", "P2W"), ("perpetual", None),
])
def test_iso_duration(text, want):
    assert iso_duration(text) == want


def test_label_fields_reports_what_it_drops():
    fields, dropped = label_fields({"term": "perpetual", "total_amount": "RM 9", "vendor": " A ",
                                    "group": "x", "parties": []})
    assert fields == {"vendor": "A"}
    assert dropped == ["total_amount", "term", "group"]
