"""Keywords of a text for grouping items into events: rjieba words weighted by TF-IDF.

Document frequencies are learnt from the watched stream itself — the items placed in events,
so words every watched item shares (the organisation's own name, its scheme's subject terms)
weigh little, and unwatched items are never segmented; no vocabulary has to be shipped or
downloaded. The table is pruned when it grows past a bound, so memory is bounded by the
vocabulary of the window, not by history.
"""

from __future__ import annotations

import math
import re
from collections import Counter

from yuqing.collect.dedup import content
from yuqing.text.segment import cut

MAX_TERMS = 200_000
_WORD = re.compile(r"^[\u4e00-\u9fff]{2,}$|^[a-z][a-z0-9]{2,}$")
_STOP_TEXT = """
我们 你们 他们 她们 自己 什么 这个 那个 这些 那些 一个 没有 不是 就是
还是 但是 因为 所以 如果 已经 现在 今天 昨天 明天 时候 可以 可能 知道
觉得 真的 这样 那样 怎么 为什么 大家 一下 一些 还有 而且 然后 以后 之后
之前 这么 那么 非常 出来 起来 一起 不能 不会 不要 需要 应该 分享 转发
微博 视频 图片 全文 链接 网页 评论 回复 哈哈 哈哈哈 啊啊 呵呵 谢谢 希望
加油 支持 http https com cn www
"""
STOPWORDS = frozenset(_STOP_TEXT.split())


def words(text: str) -> list[str]:
    return [w for w in cut(content(text)) if _WORD.match(w) and w not in STOPWORDS]


class DocFreq:
    """How many recent texts contain each word."""

    def __init__(self) -> None:
        self.docs = 0
        self.df: Counter[str] = Counter()

    def add(self, terms: set[str]) -> None:
        self.docs += 1
        self.df.update(terms)
        if len(self.df) > MAX_TERMS:  # halve the memory of the past, keep what is common
            self.docs //= 2
            self.df = Counter({w: n // 2 for w, n in self.df.items() if n >= 2})

    def idf(self, word: str) -> float:
        return math.log((self.docs + 1) / (self.df.get(word, 0) + 1)) + 1.0


def vector(counts: Counter[str], df: DocFreq, top: int = 20) -> dict[str, float]:
    """The `top` words by TF-IDF, L2-normalised. Weighed inline and ranked by index (the same
    figures as `DocFreq.idf`, ties in the counts' order): under a live stream with every item
    watched this ran at each new item for a dozen events, and was half of placing it."""
    log, get, total = math.log, df.df.get, df.docs + 1
    terms = list(counts)
    weights = [(1 + log(n)) * (log(total / (get(w, 0) + 1)) + 1.0) for w, n in counts.items()]
    best = sorted(range(len(weights)), key=weights.__getitem__, reverse=True)[:top]
    norm = math.sqrt(sum(weights[i] * weights[i] for i in best)) or 1.0
    return {terms[i]: weights[i] / norm for i in best}


def cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b.get(w, 0.0) for w, v in a.items())
