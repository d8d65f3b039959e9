import json
import os

import pytest

from docex_train.fixture import FIXTURE_TEXT, build_fixture
from docex_train.labels import allowed_transition

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
SHIPPED = os.path.join(REPO, "crates", "docex-tagger", "tests", "data", "tiny")


def test_fixture_is_reproducible_and_small(tmp_path):
    exp, total = build_fixture(str(tmp_path))
    assert total < 200_000
    assert exp["text"] == FIXTURE_TEXT
    n = len(exp["tokens"])
    assert n == len(exp["word_ids"]) == len(exp["char_ids"]) == len(exp["features"]) == len(exp["emissions"])
    assert all(allowed_transition(a, b) for a, b in zip(exp["labels"], exp["labels"][1:]))
    shipped = os.path.join(SHIPPED, "expected.json")
    if not os.path.exists(shipped):
        pytest.skip("no shipped fixture")
    old = json.load(open(shipped, encoding="utf-8"))
    for k in ("text", "tokens", "word_ids", "char_ids", "features", "labels"):
        assert old[k] == exp[k], k
    for a, b in zip(old["emissions"], exp["emissions"]):
        assert max(abs(x - y) for x, y in zip(a, b)) < 1e-5
