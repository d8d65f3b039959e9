"""BiLSTM-CRF tagger. Padding-correct and ONNX-exportable (no packed sequences)."""
from __future__ import annotations

import torch
from torch import nn

from .labels import allowed_end, allowed_start, allowed_transition
from .text import FEATURES, LAYOUT_FEATURES, MAX_CHARS, SHAPE_FEATURES

NEG = -10000.0


def reverse_within_length(x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """Reverse each row of x [B,T,D] within its length; padding positions stay put.
    Index for position t is len-1-t when t < len, else t (an involution)."""
    T = x.size(1)
    t = torch.arange(T, device=x.device).unsqueeze(0)  # [1,T]
    ln = lengths.unsqueeze(1)  # [B,1]
    idx = torch.where(t < ln, ln - 1 - t, t)  # [B,T]
    idx = idx.unsqueeze(2).expand(-1, -1, x.size(2))
    return torch.gather(x, 1, idx)


class BiRNN(nn.Module):
    """One bidirectional layer as two unidirectional RNNs; the backward one reads each row
    reversed within its length, so padding never reaches real positions (ONNX-exportable)."""

    def __init__(self, in_dim: int, hidden: int, rnn: str):
        super().__init__()
        cell = {"lstm": nn.LSTM, "gru": nn.GRU}[rnn]
        self.fwd = cell(in_dim, hidden, num_layers=1, batch_first=True)
        self.bwd = cell(in_dim, hidden, num_layers=1, batch_first=True)

    def forward(self, x, lengths):
        hf, _ = self.fwd(x)
        hb, _ = self.bwd(reverse_within_length(x, lengths))
        return torch.cat([hf, reverse_within_length(hb, lengths)], dim=2)


class Tagger(nn.Module):
    """Word embeddings + character CNN + token features -> BiLSTM/BiGRU (1 or 2 layers, the second
    residual) -> emissions, scored by a CRF (or softmax). The architecture switches exist for the
    ablation table in the model card; the ONNX inputs and outputs are the same for every variant."""

    def __init__(self, vocab_size: int, n_chars: int, labels: list[str], n_features: int = len(FEATURES),
                 word_dim: int = 100, char_dim: int = 24, char_filters: int = 50,
                 char_kernel: int = 3, hidden: int = 128, dropout: float = 0.3, rnn: str = "lstm",
                 layers: int = 1, char: str = "cnn", crf: bool = True, shape: bool = True,
                 layout: bool = True):
        super().__init__()
        n_labels = len(labels)
        self.labels = list(labels)
        self.config = dict(vocab_size=vocab_size, n_chars=n_chars, labels=list(labels),
                           n_features=n_features, word_dim=word_dim, char_dim=char_dim,
                           char_filters=char_filters, char_kernel=char_kernel, hidden=hidden,
                           dropout=dropout, rnn=rnn, layers=layers, char=char, crf=crf, shape=shape,
                           layout=layout)
        self.use_crf = crf
        self.word_emb = nn.Embedding(vocab_size, word_dim, padding_idx=0)
        self.use_chars = char == "cnn"
        if self.use_chars:
            self.char_emb = nn.Embedding(n_chars + 2, char_dim, padding_idx=0)
            self.char_cnn = nn.Conv1d(char_dim, char_filters, char_kernel, padding=char_kernel // 2)
        # switched-off feature groups are zeroed (the input stays, so the ONNX contract does not change)
        keep = [float((name in SHAPE_FEATURES and shape) or (name in LAYOUT_FEATURES and layout))
                for name in FEATURES][:n_features]
        self.register_buffer("feature_mask", torch.tensor(keep + [1.0] * (n_features - len(keep))))
        in_dim = word_dim + (char_filters if self.use_chars else 0) + n_features
        self.drop = nn.Dropout(dropout)
        self.rnns = nn.ModuleList([BiRNN(in_dim if k == 0 else 2 * hidden, hidden, rnn) for k in range(layers)])
        self.out = nn.Linear(2 * hidden, n_labels)
        self.crf = CRF(n_labels, labels)
        if not crf:
            self.crf.requires_grad_(False)

    def forward(self, word_ids, char_ids, features, lengths):
        B, T = word_ids.shape
        parts = [self.word_emb(word_ids)]  # [B,T,Dw]
        if self.use_chars:
            c = self.char_emb(char_ids.reshape(B * T, MAX_CHARS))  # [BT,20,Dc]
            c = torch.relu(self.char_cnn(c.transpose(1, 2)))  # [BT,F,20]
            parts.append(c.max(dim=2).values.reshape(B, T, -1))
        else:  # keep char_ids a graph input, so every variant has the same ONNX signature
            parts[0] = parts[0] + 0.0 * char_ids[:, :, :1].float()
        parts.append(features * self.feature_mask)
        h = self.rnns[0](self.drop(torch.cat(parts, dim=2)), lengths)
        for layer in self.rnns[1:]:
            h = h + layer(self.drop(h), lengths)  # residual
        return self.out(self.drop(h))

    def loss(self, em, tags, lengths):
        """CRF negative log-likelihood, or token cross-entropy for the softmax variant."""
        if self.use_crf:
            return self.crf.nll(em, tags, lengths)
        mask = torch.arange(em.size(1), device=em.device).unsqueeze(0) < lengths.unsqueeze(1)
        return nn.functional.cross_entropy(em[mask], tags[mask])


class CRF(nn.Module):
    """Linear-chain CRF with start/end/transition scores; BILOU-invalid moves masked."""

    def __init__(self, n_labels: int, labels: list[str] | None = None):
        super().__init__()
        self.n = n_labels
        self.transitions = nn.Parameter(torch.zeros(n_labels, n_labels))
        self.start_transitions = nn.Parameter(torch.zeros(n_labels))
        self.end_transitions = nn.Parameter(torch.zeros(n_labels))
        self.register_buffer("trans_mask", torch.zeros(n_labels, n_labels))
        self.register_buffer("start_mask", torch.zeros(n_labels))
        self.register_buffer("end_mask", torch.zeros(n_labels))
        if labels is not None:
            self.set_constraints(labels)

    def set_constraints(self, labels: list[str]):
        n = len(labels)
        tm = torch.zeros(n, n)
        for i, a in enumerate(labels):
            for j, b in enumerate(labels):
                if not allowed_transition(a, b):
                    tm[i, j] = NEG
        self.trans_mask.copy_(tm)
        self.start_mask.copy_(torch.tensor([0.0 if allowed_start(b) else NEG for b in labels]))
        self.end_mask.copy_(torch.tensor([0.0 if allowed_end(a) else NEG for a in labels]))

    def _params(self):
        return (self.transitions + self.trans_mask, self.start_transitions + self.start_mask,
                self.end_transitions + self.end_mask)

    def nll(self, em: torch.Tensor, tags: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """Mean negative log-likelihood. em [B,T,L], tags [B,T] (long), lengths [B]."""
        trans, start, end = self._params()
        B, T, L = em.shape
        mask = (torch.arange(T, device=em.device).unsqueeze(0) < lengths.unsqueeze(1))  # [B,T]
        maskf = mask.float()
        # gold path score
        score = start[tags[:, 0]] + em[:, 0].gather(1, tags[:, :1]).squeeze(1)
        if T > 1:
            e_t = em[:, 1:].gather(2, tags[:, 1:].unsqueeze(2)).squeeze(2)  # [B,T-1]
            tr = trans[tags[:, :-1], tags[:, 1:]]  # [B,T-1]
            score = score + ((e_t + tr) * maskf[:, 1:]).sum(1)
        last = tags.gather(1, (lengths - 1).unsqueeze(1)).squeeze(1)
        score = score + end[last]
        # partition function (forward algorithm)
        alpha = start.unsqueeze(0) + em[:, 0]  # [B,L]
        for t in range(1, T):
            nxt = torch.logsumexp(alpha.unsqueeze(2) + trans.unsqueeze(0), dim=1) + em[:, t]
            alpha = torch.where(mask[:, t].unsqueeze(1), nxt, alpha)
        logz = torch.logsumexp(alpha + end.unsqueeze(0), dim=1)
        return (logz - score).mean()

    @torch.no_grad()
    def decode(self, em: torch.Tensor, lengths: torch.Tensor) -> list[list[int]]:
        trans, start, end = self._params()
        out = []
        for b in range(em.size(0)):
            n = int(lengths[b])
            out.append(viterbi(em[b, :n], trans, start, end))
        return out


def viterbi(em: torch.Tensor, trans: torch.Tensor, start: torch.Tensor, end: torch.Tensor) -> list[int]:
    """Best path for one sequence em [n,L] (all scores already include any masks)."""
    n = em.size(0)
    if n == 0:
        return []
    score = start + em[0]
    back = []
    for t in range(1, n):
        s = score.unsqueeze(1) + trans  # [L(prev), L(next)]
        best, idx = s.max(dim=0)
        back.append(idx)
        score = best + em[t]
    score = score + end
    path = [int(score.argmax())]
    for idx in reversed(back):
        path.append(int(idx[path[-1]]))
    return path[::-1]
