import json
import os

from docex_train.text import (
    FEATURES,
    Encoder,
    build_vocab,
    char_ids_for,
    features_for,
    make_tokenizer,
    pretokens,
    shape_features,
)


def test_pretokenizer_spec():
    assert pretokens("RM12.50") == ["rm", "00.00"]
    assert pretokens("12/03/2021 1,234.56 1.234,56") == ["00/00/0000", "0,000.00", "0.000,00"]
    assert pretokens("Total: $5") == ["total", ":", "$", "0"]
    assert pretokens("INV-2024-001") == ["inv", "-", "0000-000"]
    assert pretokens("foo_bar") == ["foo", "_", "bar"]
    assert pretokens("12.") == ["00", "."]


def test_tokenizer_json_spec(tmp_path):
    tok = make_tokenizer(["total", "0.00"])
    p = tmp_path / "tokenizer.json"
    tok.save(str(p))
    j = json.loads(p.read_text())
    assert j["model"]["type"] == "WordLevel"
    assert j["model"]["vocab"]["[PAD]"] == 0 and j["model"]["vocab"]["[UNK]"] == 1
    assert j["model"]["unk_token"] == "[UNK]"
    assert [n["type"] for n in j["normalizer"]["normalizers"]] == ["NFKC", "Lowercase", "Replace"]
    pre = j["pre_tokenizer"]["pretokenizers"]
    assert [p["type"] for p in pre] == ["WhitespaceSplit", "Split"]
    assert pre[1]["behavior"] == "Isolated"
    assert pre[1]["pattern"]["Regex"] == r"[0-9]+(?:[.,/:-][0-9]+)*|[^\W\d_]+|\S"


def test_vocab_min_count_and_ids():
    v = build_vocab(["Total total TOTAL once 12 34"], min_count=2)
    assert "total" in v and "00" in v and "once" not in v
    tok = make_tokenizer(v)
    enc = tok.encode("Total once", add_special_tokens=False)
    assert enc.ids[0] == 2 + v.index("total") and enc.ids[1] == 1


def test_offsets_are_character_offsets():
    tok = make_tokenizer(["€"])
    text = "Ünïcödé €1.234,56 ﬁne\nStraße x²"
    enc = tok.encode(text, add_special_tokens=False)
    pieces = [text[a:b] for a, b in enc.offsets]
    assert pieces == ["Ünïcödé", "€", "1.234,56", "ﬁne", "Straße", "x", "²"]


def test_shape_features():
    def f(tok):
        return dict(zip(FEATURES, shape_features(tok)))
    assert f("INV")["upper"] == 1 and f("INV")["title"] == 0 and f("INV")["punct"] == 0
    assert f("Total")["title"] == 1 and f("Total")["upper"] == 0
    x = f("1.234,56")
    assert x["has_digit"] == 1 and x["all_digit"] == 0 and x["numeric"] == 1 and x["punct"] == 0
    assert f("2024")["all_digit"] == 1 and f("2024")["numeric"] == 1
    assert f("€")["currency"] == 1 and f("€")["punct"] == 1 and f("€")["upper"] == 0
    assert f("A")["upper"] == 1 and f("A")["title"] == 1
    assert f("McDonald")["title"] == 0 and f("McDonald")["upper"] == 0


def test_line_start_feature():
    text = "a b\n  c\fd\n\ne"
    offs = [(0, 1), (2, 3), (6, 7), (8, 9), (11, 12)]
    ls = [f[FEATURES.index("line_start")] for f in features_for(text, offs)]
    assert ls == [1.0, 0.0, 1.0, 1.0, 1.0]


# (text, expected layout features per whitespace token): one file, read by this test and by
# crates/docex-tagger/src/encode.rs, so Python and Rust cannot drift apart.
LAYOUT_TABLE_PATH = os.path.join(os.path.dirname(__file__), "..", "..", "..", "crates", "docex-tagger", "tests",
                                 "data", "layout_table.json")


def test_layout_features_table():
    import re
    table = json.load(open(LAYOUT_TABLE_PATH, encoding="utf-8"))
    assert table["features"] == FEATURES[len(FEATURES) - 7:]
    for case in table["cases"]:
        text, expected = case["text"], case["expected"]
        offs = [(m.start(), m.end()) for m in re.finditer(r"\S+", text)]
        got = [f[len(FEATURES) - 7:] for f in features_for(text, offs)]
        assert len(got) == len(expected), text
        for g, e in zip(got, expected):
            assert all(abs(a - b) < 1e-6 for a, b in zip(g, e)), (text, g, e)


def test_layout_pages_are_separate():
    text = "top line\nbottom\fnext page"
    offs = [(0, 3), (4, 8), (9, 15), (16, 20), (21, 25)]
    f = features_for(text, offs)
    y, para = FEATURES.index("rel_y"), FEATURES.index("para_start")
    assert [r[y] for r in f] == [0, 0, 1, 0, 0]
    assert [r[para] for r in f] == [1, 0, 0, 1, 0]


def test_char_ids():
    idx = {"a": 2, "B": 3}
    assert char_ids_for("aBz", idx) == [2, 3, 1] + [0] * 17
    assert len(char_ids_for("x" * 30, idx)) == 20


def test_encoder_roundtrip():
    tok = make_tokenizer(["total"])
    e = Encoder(tok, ["T", "o"]).encode("Total: 5")
    assert e["offsets"] == [(0, 5), (5, 6), (7, 8)]
    assert e["word_ids"] == [2, 1, 1]
    assert e["char_ids"][0][:5] == [2, 3, 1, 1, 1]
