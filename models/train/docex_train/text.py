"""Tokenizer, character ids and token features, exactly as models/README.md specifies."""
from __future__ import annotations

import re
from collections import Counter

from tokenizers import Regex, Tokenizer
from tokenizers import normalizers, pre_tokenizers
from tokenizers.models import WordLevel

PRETOKEN_PATTERN = r"[0-9]+(?:[.,/:-][0-9]+)*|[^\W\d_]+|\S"
MAX_CHARS = 20
FEATURES = ["upper", "title", "has_digit", "all_digit", "punct", "numeric", "currency", "line_start"]
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


def token_features(tok: str, line_start: bool) -> list[float]:
    letters = [c for c in tok if c.isalpha()]
    has_letter = bool(letters)
    has_digit = any(_is_digit(c) for c in tok)
    upper = has_letter and all(c.isupper() for c in letters)
    title = bool(tok) and tok[0].isalpha() and tok[0].isupper() and not any(c.isupper() for c in tok[1:])
    all_digit = bool(tok) and all(_is_digit(c) for c in tok)
    punct = not has_letter and not has_digit
    numeric = bool(_NUMERIC_RE.match(tok))
    currency = any(c in CURRENCY_CHARS for c in tok)
    return [float(x) for x in (upper, title, has_digit, all_digit, punct, numeric, currency, line_start)]


def features_for(text: str, offsets: list[tuple[int, int]]) -> list[list[float]]:
    out = []
    prev_end = None
    for s, e in offsets:
        ls = prev_end is None or "\n" in text[prev_end:s]
        out.append(token_features(text[s:e], ls))
        prev_end = e
    return out


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
