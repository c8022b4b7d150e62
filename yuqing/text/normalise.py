"""Normalised text is what matching and search read; the original text is always kept beside it."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import opencc

_SPACE = re.compile(r"\s+")
# Zero-width characters, soft hyphens and NUL (which PostgreSQL cannot store in text); removed
# by a regular expression: str.translate with a table was a third of normalise's time.
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad\x00]")


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


@lru_cache(maxsize=1)
def _tw2sp() -> opencc.OpenCC:
    return opencc.OpenCC("tw2sp")


def to_simplified(text: str) -> str:
    """Traditional → simplified; a traditional text also has its Taiwan phrases converted
    (軟體 → 软件, 計程車 → 出租车, 滑鼠 → 鼠标). Simplified text is left alone, where the same
    phrase conversion would be wrong (软体动物 is a mollusc)."""
    simplified = _t2s().convert(text)
    if simplified == text:
        return text
    return _tw2sp().convert(text)


def clean(text: str) -> str:
    """The original text, minus invisible characters and surrounding whitespace."""
    return _INVISIBLE.sub("", text).strip()


def normalise(text: str) -> str:
    """Full/half width folded (NFKC), simplified, lower case, whitespace collapsed."""
    if not text:
        return ""
    folded = unicodedata.normalize("NFKC", _INVISIBLE.sub("", text))
    return _SPACE.sub(" ", to_simplified(folded)).strip().lower()
