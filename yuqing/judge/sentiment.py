"""Sentiment (情感倾向): negative / neutral / positive with a score, and the emotion when known.

The model is character 1–3-grams weighted by TF-IDF and a logistic regression, trained by
`yuqing model train` on the shared Weibo data and shipped as a small .npz file (vocabulary, idf,
weights) that this module applies with plain numpy/scipy, so loading it never depends on the
scikit-learn version that trained it. See docs/model-card-sentiment.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import CountVectorizer

from yuqing.text.normalise import normalise

MODEL = Path(__file__).parent / "models" / "sentiment.npz"
NGRAMS = (1, 3)


@dataclass(frozen=True)
class Sentiment:
    label: str  # negative | neutral | positive
    score: float  # probability of the label
    emotion: str | None  # angry | fear | sad | happy | surprise | neutral


class Head:
    """One linear classifier over the shared features."""

    def __init__(self, classes: np.ndarray, coef: np.ndarray, intercept: np.ndarray) -> None:
        self.classes = [str(c) for c in classes]
        self.coef = coef.astype(np.float32)
        self.intercept = intercept.astype(np.float32)

    def probabilities(self, x: sparse.csr_matrix) -> np.ndarray:
        z = np.asarray(x @ self.coef.T) + self.intercept
        z -= z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)


class SentimentModel:
    def __init__(
        self, vocabulary: list[str], idf: np.ndarray, polarity: Head, emotion: Head | None
    ) -> None:
        self.counter = CountVectorizer(
            analyzer="char", ngram_range=NGRAMS, vocabulary={t: i for i, t in enumerate(vocabulary)}
        )
        self.idf = sparse.diags(idf.astype(np.float32))
        self.polarity = polarity
        self.emotion = emotion

    def features(self, texts: list[str]) -> sparse.csr_matrix:
        counts = self.counter.transform([normalise(t) for t in texts]).astype(np.float32)
        counts.data = 1 + np.log(counts.data)  # sublinear tf
        x = (counts @ self.idf).tocsr()
        norms = np.sqrt(x.multiply(x).sum(axis=1)).A.ravel()
        norms[norms == 0] = 1
        return sparse.diags(1 / norms) @ x

    def predict(self, texts: list[str]) -> list[Sentiment]:
        if not texts:
            return []
        x = self.features(texts)
        pol = self.polarity.probabilities(x)
        emo = self.emotion.probabilities(x) if self.emotion else None
        out = []
        for i in range(len(texts)):
            k = int(pol[i].argmax())
            emotion = None
            if emo is not None and self.emotion is not None:
                emotion = self.emotion.classes[int(emo[i].argmax())]
            out.append(Sentiment(self.polarity.classes[k], round(float(pol[i, k]), 4), emotion))
        return out

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        vocab = self.counter.vocabulary
        arrays: dict[str, np.ndarray] = {
            "vocabulary": np.array(sorted(vocab, key=vocab.get)),
            "idf": self.idf.diagonal().astype(np.float32),
            "pol_classes": np.array(self.polarity.classes),
            "pol_coef": self.polarity.coef.astype(np.float16),
            "pol_intercept": self.polarity.intercept,
        }
        if self.emotion:
            arrays |= {
                "emo_classes": np.array(self.emotion.classes),
                "emo_coef": self.emotion.coef.astype(np.float16),
                "emo_intercept": self.emotion.intercept,
            }
        np.savez_compressed(path, **arrays)

    @classmethod
    def load(cls, path: Path = MODEL) -> SentimentModel:
        with np.load(path, allow_pickle=False) as z:
            emotion = (
                Head(z["emo_classes"], z["emo_coef"], z["emo_intercept"])
                if "emo_classes" in z
                else None
            )
            return cls(
                list(z["vocabulary"]),
                z["idf"],
                Head(z["pol_classes"], z["pol_coef"], z["pol_intercept"]),
                emotion,
            )


def own_model_path() -> Path:
    """Where `yuqing model train --with-feedback` writes this installation's own model."""
    from yuqing.settings import get_settings

    return get_settings().data_dir / "models" / "sentiment.npz"


def default_model() -> SentimentModel:
    """The installation's own model if it has trained one, else the shipped one; a retrained
    file is picked up without a restart."""
    own = own_model_path()
    path = own if own.exists() else MODEL
    if not path.exists():
        raise FileNotFoundError(f"no sentiment model at {MODEL}: run `yuqing model train`")
    return _load(path, path.stat().st_mtime_ns)


@lru_cache(maxsize=2)
def _load(path: Path, _mtime: int) -> SentimentModel:
    return SentimentModel.load(path)
