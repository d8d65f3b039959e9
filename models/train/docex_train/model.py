"""BiLSTM-CRF tagger. Padding-correct and ONNX-exportable (no packed sequences)."""
from __future__ import annotations

import torch
from torch import nn

from .labels import allowed_end, allowed_start, allowed_transition
from .text import MAX_CHARS

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


class Tagger(nn.Module):
    def __init__(self, vocab_size: int, n_chars: int, labels: list[str], n_features: int = 8,
                 word_dim: int = 100, char_dim: int = 24, char_filters: int = 50,
                 char_kernel: int = 3, hidden: int = 128, dropout: float = 0.3):
        super().__init__()
        n_labels = len(labels)
        self.labels = list(labels)
        self.config = dict(vocab_size=vocab_size, n_chars=n_chars, labels=list(labels),
                           n_features=n_features, word_dim=word_dim, char_dim=char_dim,
                           char_filters=char_filters, char_kernel=char_kernel, hidden=hidden,
                           dropout=dropout)
        self.word_emb = nn.Embedding(vocab_size, word_dim, padding_idx=0)
        self.char_emb = nn.Embedding(n_chars + 2, char_dim, padding_idx=0)
        self.char_cnn = nn.Conv1d(char_dim, char_filters, char_kernel, padding=char_kernel // 2)
        in_dim = word_dim + char_filters + n_features
        self.drop = nn.Dropout(dropout)
        self.fwd = nn.LSTM(in_dim, hidden, num_layers=1, batch_first=True)
        self.bwd = nn.LSTM(in_dim, hidden, num_layers=1, batch_first=True)
        self.out = nn.Linear(2 * hidden, n_labels)
        self.crf = CRF(n_labels, labels)

    def forward(self, word_ids, char_ids, features, lengths):
        B, T = word_ids.shape
        w = self.word_emb(word_ids)  # [B,T,Dw]
        c = self.char_emb(char_ids.reshape(B * T, MAX_CHARS))  # [BT,20,Dc]
        c = torch.relu(self.char_cnn(c.transpose(1, 2)))  # [BT,F,20]
        c = c.max(dim=2).values.reshape(B, T, -1)
        x = self.drop(torch.cat([w, c, features], dim=2))
        hf, _ = self.fwd(x)
        hb, _ = self.bwd(reverse_within_length(x, lengths))
        hb = reverse_within_length(hb, lengths)
        h = self.drop(torch.cat([hf, hb], dim=2))
        return self.out(h)


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
