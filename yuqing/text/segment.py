"""Word segmentation (rjieba: jieba's dictionary, in Rust) with the organisation's own words.

Scheme terms and the plan's organisation and unit names are added to the dictionary as they
become known, so that 城东街道办 stays one word instead of 城东 + 街道办 — which keeps event
keywords and exclude-term suggestions in the organisation's own vocabulary.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable

import rjieba

_known: set[str] = set()
_lock = threading.Lock()
_CJK = re.compile(r"[\u4e00-\u9fff]")


def add_words(words: Iterable[str]) -> int:
    """Add words (two characters or more, containing Chinese) once; the number added. In sorted
    order: a word added without a frequency gets one suggested by the words before it, so the
    order of a set (the string-hash seed's) changed how texts were cut from run to run."""
    new = sorted(w for w in {w.strip() for w in words} if len(w) >= 2 and _CJK.search(w))
    added = 0
    with _lock:
        for word in new:
            if word not in _known and " " not in word:
                rjieba.add_word(word, None, None)
                _known.add(word)
                added += 1
    return added


def cut(text: str) -> list[str]:
    return rjieba.cut(text)
