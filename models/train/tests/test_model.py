import itertools

import pytest
import torch

from docex_train.export import dummy_inputs, export_onnx, parity_check
from docex_train.labels import LABELS, allowed_end, allowed_start, allowed_transition, build_labels
from docex_train.model import CRF, Tagger, reverse_within_length, viterbi


def test_reverse_within_length():
    x = torch.arange(10.0).reshape(2, 5, 1)
    r = reverse_within_length(x, torch.tensor([3, 5]))
    assert r[:, :, 0].tolist() == [[2, 1, 0, 3, 4], [9, 8, 7, 6, 5]]
    assert torch.equal(reverse_within_length(r, torch.tensor([3, 5])), x)


def _brute(em, trans, start, end):
    n, L = em.shape
    best, arg = -1e18, None
    for path in itertools.product(range(L), repeat=n):
        s = start[path[0]] + em[0, path[0]] + end[path[-1]]
        for t in range(1, n):
            s += trans[path[t - 1], path[t]] + em[t, path[t]]
        if s > best:
            best, arg = s, list(path)
    return arg


def test_viterbi_matches_brute_force():
    g = torch.Generator().manual_seed(0)
    for n in (1, 2, 4):
        em = torch.randn(n, 5, generator=g)
        tr, st, en = torch.randn(5, 5, generator=g), torch.randn(5, generator=g), torch.randn(5, generator=g)
        assert viterbi(em, tr, st, en) == _brute(em, tr, st, en)


def test_constrained_viterbi_is_valid_bilou():
    labels = build_labels(["A", "B"])
    crf = CRF(len(labels), labels)
    g = torch.Generator().manual_seed(1)
    for _ in range(20):
        em = torch.randn(6, len(labels), generator=g) * 5
        path = crf.decode(em.unsqueeze(0), torch.tensor([6]))[0]
        tags = [labels[i] for i in path]
        assert allowed_start(tags[0]) and allowed_end(tags[-1])
        assert all(allowed_transition(a, b) for a, b in zip(tags, tags[1:]))


def test_crf_nll_matches_brute_force_partition():
    labels = build_labels(["A"])  # 5 labels
    crf = CRF(len(labels), labels)
    g = torch.Generator().manual_seed(2)
    with torch.no_grad():
        crf.transitions.copy_(torch.randn(5, 5, generator=g))
    em = torch.randn(1, 4, 5, generator=g)
    tags = torch.tensor([[0, 1, 3, 0]])  # O B-A L-A O
    trans, start, end = crf._params()
    scores = []
    for path in itertools.product(range(5), repeat=3):  # length 3 (masking position 3)
        s = start[path[0]] + em[0, 0, path[0]] + end[path[-1]]
        for t in range(1, 3):
            s = s + trans[path[t - 1], path[t]] + em[0, t, path[t]]
        scores.append(s)
    logz = torch.logsumexp(torch.stack(scores), 0)
    gold = start[0] + em[0, 0, 0] + trans[0, 1] + em[0, 1, 1] + trans[1, 3] + em[0, 2, 3] + end[3]
    nll = crf.nll(em, tags, torch.tensor([3]))
    assert torch.allclose(nll, logz - gold, atol=1e-4)


def _small_model(seed=0):
    torch.manual_seed(seed)
    m = Tagger(50, 10, LABELS, word_dim=8, char_dim=6, char_filters=8, hidden=12, dropout=0.0)
    return m.eval()


def test_padding_invariance_torch():
    m = _small_model()
    w, c, f, ln = dummy_inputs(50, 10, lengths=(9, 4, 1))
    with torch.no_grad():
        full = m(w, c, f, ln)
        for b, n in enumerate(ln.tolist()):
            alone = m(w[b:b + 1, :n], c[b:b + 1, :n], f[b:b + 1, :n], ln[b:b + 1])
            assert torch.allclose(alone[0], full[b, :n], atol=1e-5)


def test_onnx_parity_and_padding(tmp_path):
    m = _small_model(3)
    p = tmp_path / "m.onnx"
    export_onnx(m, str(p))
    worst = parity_check(m, str(p))
    assert worst < 1e-4


def test_parity_check_can_fail(tmp_path):
    m = _small_model(3)
    p = tmp_path / "m.onnx"
    export_onnx(m, str(p))
    with torch.no_grad():
        m.out.bias.add_(0.1)  # the exported graph no longer matches
    with pytest.raises(AssertionError):
        parity_check(m, str(p))




@pytest.mark.parametrize("arch", [dict(rnn="gru"), dict(layers=2), dict(char="none"), dict(crf=False),
                                  dict(shape=False, layout=False)])
def test_every_ablation_variant_exports_padding_correct(tmp_path, arch):
    torch.manual_seed(5)
    m = Tagger(50, 10, LABELS, word_dim=8, char_dim=6, char_filters=8, hidden=12, dropout=0.0, **arch).eval()
    p = tmp_path / "m.onnx"
    export_onnx(m, str(p))
    assert parity_check(m, str(p)) < 1e-4


def test_switched_off_features_do_not_matter():
    torch.manual_seed(2)
    m = Tagger(50, 10, LABELS, word_dim=8, char_dim=6, char_filters=8, hidden=12, dropout=0.0, layout=False).eval()
    w, c, f, ln = dummy_inputs(50, 10, lengths=(6, 3))
    from docex_train.text import FEATURES, LAYOUT_FEATURES
    f2 = f.clone()
    for name in LAYOUT_FEATURES:
        f2[:, :, FEATURES.index(name)] = 0.77
    with torch.no_grad():
        assert torch.allclose(m(w, c, f, ln), m(w, c, f2, ln))
        f2[:, :, FEATURES.index("upper")] = 1 - f2[:, :, FEATURES.index("upper")]
        assert not torch.allclose(m(w, c, f, ln), m(w, c, f2, ln))
