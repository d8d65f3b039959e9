
import numpy as np
import torch

from docex_train.evaluate import Predictor, evaluate_docs, fold, viterbi_np
from docex_train.fixture import build_fixture
from docex_train.model import viterbi


def test_viterbi_np_matches_torch():
    g = torch.Generator().manual_seed(5)
    for n in (1, 3, 17):
        em = torch.randn(n, 9, generator=g)
        tr, st, en = torch.randn(9, 9, generator=g), torch.randn(9, generator=g), torch.randn(9, generator=g)
        assert viterbi_np(em.double().numpy(), tr.double().numpy(), st.double().numpy(),
                          en.double().numpy()) == viterbi(em, tr, st, en)


def test_predictor_reproduces_fixture(tmp_path):
    exp, _ = build_fixture(str(tmp_path))
    pred = Predictor(str(tmp_path))
    offs, labels, probs = pred.tag(exp["text"])
    assert [list(o) for o in offs] == exp["tokens"]
    assert labels == exp["labels"]
    # windowing: the same text tagged with a tiny window still yields valid output
    pred.window = 5
    _, labels5, _ = pred.tag(exp["text"])
    assert len(labels5) == len(labels)


def test_evaluate_docs_counts(tmp_path):
    exp, _ = build_fixture(str(tmp_path))
    pred = Predictor(str(tmp_path))
    text = exp["text"]
    doc = {"source": "t", "text": text, "spans": [[0, 7, "VENDOR"]]}
    rows = evaluate_docs(pred, [doc])
    v = [r for r in rows if r["type"] == "VENDOR"][0]
    assert v["tp"] + v["fn"] == 1 and v["doc_total"] == 1
    assert fold(" Acme, Inc. ") == "acmeinc"


def test_marginals_sum_to_one_and_match_brute_force():
    import itertools

    from docex_train.evaluate import marginals_np
    rng = np.random.default_rng(0)
    em, tr = rng.normal(size=(3, 4)), rng.normal(size=(4, 4))
    st, en = rng.normal(size=4), rng.normal(size=4)
    m = marginals_np(em, tr, st, en)
    assert np.allclose(m.sum(1), 1.0)
    brute = np.zeros((3, 4))
    for path in itertools.product(range(4), repeat=3):
        s = st[path[0]] + en[path[-1]] + sum(em[t, path[t]] for t in range(3)) + \
            sum(tr[path[t - 1], path[t]] for t in range(1, 3))
        for t in range(3):
            brute[t, path[t]] += np.exp(s)
    assert np.allclose(m, brute / brute.sum(1, keepdims=True))
