"""The category classifier for items the rules leave as 其他 (other).

The rules (yuqing/judge/taxonomy.py, editable in the console) decide first, with the terms they
found. Only when they find none does this model speak, and only when it is confident: character
1–3-grams and a logistic regression trained by `yuqing model train-category` on weibo21's topic
domains mapped onto the taxonomy (医药健康 → 医疗卫生, 灾难事故 → 安全事故, 教育考试 → 教育·师德,
the rest → 其他). See docs/model-card-category.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from yuqing.judge.sentiment import Head, NgramCounter, tfidf
from yuqing.judge.taxonomy import OTHER

MODEL = Path(__file__).parent / "models" / "category.npz"
CONFIDENT = 0.6


@dataclass(frozen=True)
class Guess:
    category: str
    score: float


class CategoryModel:
    def __init__(self, vocabulary: list[str], idf: np.ndarray, head: Head) -> None:
        self.vocabulary = vocabulary
        self.counter = NgramCounter(vocabulary)
        self.idf = idf.astype(np.float32)
        self.head = head

    def guess(self, texts: list[str], normalised: bool = False) -> list[Guess]:
        if not texts:
            return []
        p = self.head.probabilities(tfidf(self.counter, self.idf, texts, normalised))
        best = p.argmax(axis=1)
        return [
            Guess(self.head.classes[int(k)], round(float(p[i, k]), 4)) for i, k in enumerate(best)
        ]

    def confident(self, texts: list[str], normalised: bool = False) -> list[Guess | None]:
        """A category other than 其他 with at least CONFIDENT probability, else None."""
        return [
            g if g.category != OTHER and g.score >= CONFIDENT else None
            for g in self.guess(texts, normalised)
        ]

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(
            path,
            vocabulary=np.array(self.vocabulary),
            idf=self.idf,
            classes=np.array(self.head.classes),
            coef=self.head.coef.astype(np.float16),
            intercept=self.head.intercept,
        )

    @classmethod
    def load(cls, path: Path = MODEL) -> CategoryModel:
        with np.load(path, allow_pickle=False) as z:
            return cls(
                list(z["vocabulary"]), z["idf"], Head(z["classes"], z["coef"], z["intercept"])
            )


@lru_cache(maxsize=1)
def default_category_model() -> CategoryModel | None:
    return CategoryModel.load() if MODEL.exists() else None
