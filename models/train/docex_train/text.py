"""Tokenizer, character ids and token features, exactly as models/README.md specifies."""
from __future__ import annotations

import re
from collections import Counter

from tokenizers import Regex, Tokenizer, normalizers, pre_tokenizers
from tokenizers.models import WordLevel

PRETOKEN_PATTERN = r"[0-9]+(?:[.,/:-][0-9]+)*|[^\W\d_]+|\S"
MAX_CHARS = 20
SHAPE_FEATURES = ["upper", "title", "has_digit", "all_digit", "punct", "numeric", "currency"]
# Layout from the page text's own geometry (lines, columns, blank lines): the same for OCR'd scans,
# text PDFs and plain text, so training and inference agree whatever the source (models/README.md).
LAYOUT_FEATURES = ["line_start", "line_end", "para_start", "rel_y", "rel_x", "top_lines", "line_len"]
FEATURES = SHAPE_FEATURES + LAYOUT_FEATURES
TOP_LINES = 3
LINE_LEN_CAP = 10
CURRENCY_CHARS = set("$€£₹¥")
_NUMERIC_RE = re.compile(r"^[0-9]+([.,/:-][0-9]+)*$")
PAD, UNK = "[PAD]", "[UNK]"


def _pipeline():
    norm = normalizers.Sequence([
        normalizers.NFKC(),
        normalizers.Lowercase(),
        normalizers.Replace(Regex("[0-9]"), "0"),
    ])
    pre = pre_tokenizers.Sequence([
        pre_tokenizers.WhitespaceSplit(),
        pre_tokenizers.Split(Regex(PRETOKEN_PATTERN), behavior="isolated"),
    ])
    return norm, pre


def make_tokenizer(vocab_words: list[str]) -> Tokenizer:
    vocab = {PAD: 0, UNK: 1}
    for w in vocab_words:
        if w not in vocab:
            vocab[w] = len(vocab)
    tok = Tokenizer(WordLevel(vocab, unk_token=UNK))
    tok.normalizer, tok.pre_tokenizer = _pipeline()
    return tok


def pretokens(text: str) -> list[str]:
    """Normalised token strings (what the vocabulary is made of)."""
    norm, pre = _pipeline()
    return [w for w, _ in pre.pre_tokenize_str(norm.normalize_str(text))]


def build_vocab(texts, min_count: int = 2, max_size: int = 30000) -> list[str]:
    c = Counter()
    for t in texts:
        c.update(pretokens(t))
    words = [w for w, n in c.items() if n >= min_count]
    words.sort(key=lambda w: (-c[w], w))
    return words[: max_size - 2]


def build_chars(token_texts_iter, min_count: int = 2, max_size: int = 400) -> list[str]:
    c = Counter()
    for t in token_texts_iter:
        c.update(t[:MAX_CHARS])
    chars = [ch for ch, n in c.items() if n >= min_count]
    chars.sort(key=lambda ch: (-c[ch], ch))
    return chars[:max_size]


# --- features ---------------------------------------------------------------------
def _is_digit(c: str) -> bool:
    return "0" <= c <= "9"


def shape_features(tok: str) -> list[float]:
    letters = [c for c in tok if c.isalpha()]
    has_letter = bool(letters)
    has_digit = any(_is_digit(c) for c in tok)
    upper = has_letter and all(c.isupper() for c in letters)
    title = bool(tok) and tok[0].isalpha() and tok[0].isupper() and not any(c.isupper() for c in tok[1:])
    all_digit = bool(tok) and all(_is_digit(c) for c in tok)
    punct = not has_letter and not has_digit
    numeric = bool(_NUMERIC_RE.match(tok))
    currency = any(c in CURRENCY_CHARS for c in tok)
    return [float(x) for x in (upper, title, has_digit, all_digit, punct, numeric, currency)]


def layout_features(text: str, offsets: list[tuple[int, int]]) -> list[list[float]]:
    """Per token: line_start, line_end, para_start, rel_y, rel_x, top_lines, line_len, exactly as
    models/README.md defines them. Pages are separated by form feeds; each page's geometry is its own."""
    out = []
    n = len(offsets)
    page_start, i = 0, 0
    while i < n:
        s0 = offsets[i][0]
        gap = text[offsets[i - 1][1]:s0] if i else text[:s0]
        if i == 0 or "\f" in gap:  # a new page: its lines, its widths
            page_start = text.rfind("\f", 0, s0) + 1
            page_end = text.find("\f", s0)
            page = text[page_start:page_end if page_end >= 0 else len(text)]
            lines = page.split("\n")
            last_line, width = max(1, len(lines) - 1), max(1, max(len(line) for line in lines))
            line_no, nl, nl_at = 0, 0, page_start
            para = True
        else:
            line_no += 1
            para = gap.count("\n") >= 2
        # the tokens of this line: [i, j)
        j = i + 1
        while j < n and not any(c in "\n\f" for c in text[offsets[j - 1][1]:offsets[j][0]]):
            j += 1
        nl += text.count("\n", nl_at, s0)
        nl_at = s0
        nl_before = text.rfind("\n", page_start, s0)
        line_begin = nl_before + 1 if nl_before >= 0 else page_start
        for t in range(i, j):
            col = offsets[t][0] - line_begin
            out.append([float(t == i), float(t == j - 1), float(para and t == i), nl / last_line,
                        min(1.0, col / width), float(line_no < TOP_LINES), min(j - i, LINE_LEN_CAP) / LINE_LEN_CAP])
        i = j
    return out


def features_for(text: str, offsets: list[tuple[int, int]]) -> list[list[float]]:
    lay = layout_features(text, offsets)
    return [shape_features(text[s:e]) + lay[k] for k, (s, e) in enumerate(offsets)]


def char_ids_for(token_text: str, char_index: dict[str, int]) -> list[int]:
    ids = [char_index.get(c, 1) for c in token_text[:MAX_CHARS]]
    return ids + [0] * (MAX_CHARS - len(ids))


class Encoder:
    """Turns page text into the model inputs (token offsets, word/char ids, features)."""

    def __init__(self, tokenizer: Tokenizer, chars: list[str]):
        self.tokenizer = tokenizer
        self.chars = chars
        self.char_index = {c: i + 2 for i, c in enumerate(chars)}

    def encode(self, text: str) -> dict:
        enc = self.tokenizer.encode(text, add_special_tokens=False)
        offsets = [tuple(o) for o in enc.offsets]
        return {
            "offsets": offsets,
            "word_ids": list(enc.ids),
            "char_ids": [char_ids_for(text[s:e], self.char_index) for s, e in offsets],
            "features": features_for(text, offsets),
        }
