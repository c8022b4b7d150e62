"""`yuqing model train-category`: the classifier for items the rules leave as 其他.

Data: weibo21 (../shared/data/weibo21_mdfend; Weibo posts in 9 topic domains, research use only):
train.csv to learn, val.csv to choose the regularisation, test.csv for the figures. Only three
domains have a counterpart in the taxonomy; the other six (and 无法确定) are 其他, so the model
also learns what is *not* one of the three.
"""

from __future__ import annotations

import csv
import time
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score

from yuqing.judge.category import CONFIDENT, CategoryModel
from yuqing.judge.sentiment import NGRAMS, Head
from yuqing.judge.taxonomy import OTHER, Tagger
from yuqing.text.normalise import normalise

DOMAINS = {"医药健康": "医疗卫生", "灾难事故": "安全事故", "教育考试": "教育·师德"}
TARGETS = sorted(DOMAINS.values())


def load(path: Path) -> tuple[list[str], list[str]]:
    with path.open(encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    return (
        [normalise(r["content"]) for r in rows],
        [DOMAINS.get(r["category"], OTHER) for r in rows],
    )


def _scores(truth: list[str], predicted: list[str]) -> dict[str, Any]:
    folded = [p if p in TARGETS else OTHER for p in predicted]
    return {
        "accuracy": round(accuracy_score(truth, folded), 4),
        "macro_f1_three": round(
            f1_score(truth, folded, labels=TARGETS, average="macro", zero_division=0), 4
        ),
    }


def train_category(data: Path, out: Path, card: Path | None = None) -> dict[str, Any]:
    folder = data / "weibo21_mdfend"
    texts, labels = load(folder / "train.csv")
    val_texts, val_labels = load(folder / "val.csv")
    test_texts, test_labels = load(folder / "test.csv")
    started = time.perf_counter()
    vectorizer = TfidfVectorizer(
        analyzer="char",
        ngram_range=NGRAMS,
        sublinear_tf=True,
        max_features=100_000,
        min_df=2,
        dtype=np.float32,
    )
    x = vectorizer.fit_transform(texts)
    best: tuple[float, LogisticRegression] | None = None
    for c in (1.0, 4.0, 16.0):
        clf = LogisticRegression(C=c, max_iter=2000, class_weight="balanced").fit(x, labels)
        f1 = f1_score(val_labels, clf.predict(vectorizer.transform(val_texts)), average="macro")
        if best is None or f1 > best[0]:
            best = (f1, clf)
    assert best is not None
    clf = best[1]
    vocab = sorted(vectorizer.vocabulary_, key=vectorizer.vocabulary_.get)
    CategoryModel(vocab, vectorizer.idf_, Head(clf.classes_, clf.coef_, clf.intercept_)).save(out)
    shipped = CategoryModel.load(out)
    rules = [t.category for t in map(Tagger().tag, test_texts)]
    guesses = shipped.confident(test_texts, normalised=True)
    combined = [
        r if r != OTHER or g is None else g.category for r, g in zip(rules, guesses, strict=True)
    ]
    t0 = time.perf_counter()
    shipped.guess(test_texts, normalised=True)
    speed = len(test_texts) / (time.perf_counter() - t0)
    report = {
        "train_examples": len(texts),
        "test_examples": len(test_texts),
        "C": clf.C,
        "features": len(vocab),
        "model_bytes": out.stat().st_size,
        "train_seconds": round(time.perf_counter() - started, 1),
        "texts_per_second": round(speed),
        "rules_only": _scores(test_labels, rules),
        "model_only": _scores(test_labels, [g.category for g in shipped.guess(test_texts, True)]),
        "rules_then_model": _scores(test_labels, combined),
        "per_class_rules_then_model": dict(
            zip(
                TARGETS,
                [
                    round(v, 4)
                    for v in f1_score(
                        test_labels,
                        [p if p in TARGETS else OTHER for p in combined],
                        labels=TARGETS,
                        average=None,
                        zero_division=0,
                    )
                ],
                strict=True,
            )
        ),
    }
    if card is not None:
        card.write_text(model_card(report), encoding="utf-8")
    return report


def model_card(r: dict[str, Any]) -> str:
    rows = "\n".join(
        f"| {name} | {r[key]['accuracy']} | {r[key]['macro_f1_three']} |"
        for name, key in (
            ("rules only (the built-in taxonomy)", "rules_only"),
            ("model only", "model_only"),
            (f"rules, then the model where they say 其他 (p ≥ {CONFIDENT})", "rules_then_model"),
        )
    )
    per_class = ", ".join(f"{k} {v}" for k, v in r["per_class_rules_then_model"].items())
    return f"""# Model card: category for items the rules leave as 其他

File: `yuqing/judge/models/category.npz` ({r["model_bytes"] / 1e6:.1f} MB). Made by
`yuqing model train-category` (code: `yuqing/judge/category_train.py`, applied by
`yuqing/judge/category.py` inside judging).

## What it does
The category rules (the taxonomy, editable in the console) decide first. When they find no term,
this model may name 医疗卫生, 安全事故 or 教育·师德 — only with a probability of at least
{CONFIDENT}; otherwise the item stays 其他. The console shows such a category as 模型判断 with its
probability.

## Data
weibo21 (MDFEND; Weibo posts in 9 topic domains; research use only). Three domains have a
counterpart in the taxonomy: 医药健康 → 医疗卫生, 灾难事故 → 安全事故, 教育考试 → 教育·师德; the
other six and 无法确定 are 其他. Trained on train.csv ({r["train_examples"]:,} posts), C chosen on
val.csv (C = {r["C"]:g}), measured on test.csv ({r["test_examples"]:,} posts).

## Figures (test.csv)
| | accuracy (4 classes) | macro-F1 over the three categories |
| --- | --- | --- |
{rows}

Per class, rules then model: {per_class}. {r["texts_per_second"]:,} texts/s on one core.
Reproduce: `yuqing model train-category` (about {r["train_seconds"]:.0f} s; rewrites this card).

## Limits
- Three categories only: weibo21 has no domain for 征地拆迁, 劳资欠薪, 执法司法, 环境污染 and the
  others, which stay with the rules.
- weibo21 is news-like Weibo of 2014–2021 with fake-news over-represented.
"""
