"""`yuqing model train`: the sentiment model, trained and measured on the shared Weibo data.

Data (../shared/data): smp2020_ewect usual + virus train (human-annotated Weibo emotions) for
training, the CED comments' emoticons as a distant supervision (judge/emoticons.py); the two eval
files for the figures. Polarity: negative = angry/sad/fear, positive =
happy, neutral = neutral; surprise is left out of polarity (it can be either) but kept for the
emotion head. Writes the model file and its model card.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score

from yuqing.judge.emoticons import emoticon_labelled
from yuqing.judge.sentiment import NGRAMS, Head, SentimentModel, readable
from yuqing.text.normalise import normalise

POLARITY = {
    "angry": "negative",
    "sad": "negative",
    "fear": "negative",
    "happy": "positive",
    "neutral": "neutral",
}
MAX_FEATURES = 200_000
C = 4
EMOTICON_C = 2
EMOTICON_SCALE = 0.3  # the emoticon model's score as one more feature, at this scale
NB_SHARE = 1 / 3  # the naive-Bayes-weighted model's share of the polarity head


@dataclass
class Labelled:
    texts: list[str]
    emotions: list[str]

    @property
    def polar(self) -> tuple[list[str], list[str]]:
        pairs = [
            (t, POLARITY[e])
            for t, e in zip(self.texts, self.emotions, strict=True)
            if e in POLARITY
        ]
        return [t for t, _ in pairs], [p for _, p in pairs]


class TrainingDataError(ValueError):
    """A training file that cannot be read, named with what is wrong."""


def load_smp(data: Path, name: str) -> Labelled:
    path = data / "smp2020_ewect" / name
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))
        return Labelled([normalise(r["content"]) for r in rows], [r["label"] for r in rows])
    except (OSError, UnicodeDecodeError) as exc:
        raise TrainingDataError(f"{path}: cannot be read ({exc})") from exc
    except json.JSONDecodeError as exc:
        raise TrainingDataError(
            f"{path}: not JSON at line {exc.lineno} column {exc.colno}"
        ) from exc
    except (TypeError, KeyError) as exc:
        raise TrainingDataError(
            f"{path}: expected a list of {{content, label}} objects ({exc!r})"
        ) from exc


FEEDBACK_WEIGHT = 3.0  # a correction by the organisation's monitors counts three times


def train(
    data: Path,
    out: Path,
    card: Path | None = None,
    feedback: list[tuple[str, str]] | None = None,
) -> dict[str, Any]:
    """Train, write the model and measure it; `feedback` (normalised text, polarity) pairs are
    monitors' corrections, learnt by the polarity head with extra weight."""
    started = time.perf_counter()
    usual, virus = load_smp(data, "usual_train.json"), load_smp(data, "virus_train.json")
    texts = usual.texts + virus.texts
    emotions = usual.emotions + virus.emotions
    feedback = feedback or []
    vectorizer = TfidfVectorizer(
        analyzer="char",
        ngram_range=NGRAMS,
        sublinear_tf=True,
        max_features=MAX_FEATURES,
        min_df=2,
        dtype=np.float32,
    )
    x_all = vectorizer.fit_transform([readable(t) for t in texts + [t for t, _ in feedback]])
    polar_rows = [i for i, e in enumerate(emotions) if e in POLARITY]
    fed = list(range(len(texts), len(texts) + len(feedback)))
    labelled = emoticon_labelled(data)
    prior = emoticon_direction(vectorizer, labelled)
    polarity = fit_polarity(
        x_all[polar_rows + fed],
        np.array([POLARITY[emotions[i]] for i in polar_rows] + [lab for _, lab in feedback]),
        np.array([1.0] * len(polar_rows) + [FEEDBACK_WEIGHT] * len(fed)),
        prior,
    )
    x_all = x_all[: len(texts)]
    emo = LogisticRegression(C=C, max_iter=2000, class_weight="balanced")
    emo.fit(x_all, emotions)
    vocab = sorted(vectorizer.vocabulary_, key=vectorizer.vocabulary_.get)
    model = SentimentModel(
        vocab, vectorizer.idf_, polarity, Head(emo.classes_, emo.coef_, emo.intercept_)
    )
    model.save(out)
    trained_s = time.perf_counter() - started
    shipped = SentimentModel.load(out)  # measure what ships, float16 weights and all
    report: dict[str, Any] = {
        "train_examples": len(texts),
        "feedback_examples": len(feedback),
        "emoticon_examples": len(labelled),
        "features": len(vocab),
        "train_seconds": round(trained_s, 1),
        "model_bytes": out.stat().st_size,
        "eval": {},
    }
    for name in ("usual", "virus"):
        ev = load_smp(data, f"{name}_eval_labeled.json")
        t_texts, t_labels = ev.polar
        t0 = time.perf_counter()
        predicted = shipped.predict(ev.texts)
        speed = len(ev.texts) / (time.perf_counter() - t0)
        by_text = dict(zip(ev.texts, predicted, strict=True))
        p_labels = [by_text[t].label for t in t_texts]
        report["eval"][name] = {
            "examples": len(t_texts),
            "polarity_macro_f1": round(f1_score(t_labels, p_labels, average="macro"), 4),
            "polarity_accuracy": round(accuracy_score(t_labels, p_labels), 4),
            "polarity_f1_per_class": dict(
                zip(
                    ["negative", "neutral", "positive"],
                    [
                        round(v, 4)
                        for v in f1_score(
                            t_labels,
                            p_labels,
                            average=None,
                            labels=["negative", "neutral", "positive"],
                        )
                    ],
                    strict=True,
                )
            ),
            "emotion_macro_f1": round(
                f1_score(ev.emotions, [p.emotion for p in predicted], average="macro"), 4
            ),
            "texts_per_second": round(speed),
        }
    out.with_suffix(".json").write_text(json.dumps(report, indent=1), encoding="utf-8")
    if card is not None:
        card.write_text(model_card(report), encoding="utf-8")
    return report


def emoticon_direction(
    vectorizer: TfidfVectorizer, labelled: list[tuple[str, str]]
) -> np.ndarray | None:
    """Weights of a negative-vs-positive model of the emoticon-labelled comments over the same
    features: its score of a text is what the emoticons taught about that text's words. None
    without comments of both polarities."""
    if len({p for _, p in labelled}) < 2:
        return None
    model = LogisticRegression(C=EMOTICON_C, max_iter=2000)
    model.fit(vectorizer.transform([t for t, _ in labelled]), [p for _, p in labelled])
    return model.coef_[0]  # classes sort as negative, positive: the weights favour positive


def fit_polarity(
    x: sparse.csr_matrix, labels: np.ndarray, weights: np.ndarray, prior: np.ndarray | None
) -> Head:
    """The polarity head: logits of a logistic regression that also reads the emoticon model's
    score (folded back into plain weights, so applying the model costs nothing more) averaged
    with those of naive-Bayes-weighted one-vs-rest regressions (NB-LR). Each moved both eval
    files by under a point; together, usual 0.820 → 0.825 and virus 0.763 → 0.776 (model card)."""
    extra = (
        sparse.csr_matrix(((x @ prior) * EMOTICON_SCALE)[:, None]) if prior is not None else None
    )
    main = LogisticRegression(C=C, max_iter=2000, class_weight="balanced")
    main.fit(
        sparse.hstack([x, extra]).tocsr() if extra is not None else x, labels, sample_weight=weights
    )
    coef = main.coef_
    if prior is not None:
        coef = coef[:, :-1] + EMOTICON_SCALE * np.outer(coef[:, -1], prior)
    nb_coef, nb_intercept = naive_bayes_logistic(x, labels, weights, main.classes_)
    return Head(
        main.classes_,
        (1 - NB_SHARE) * coef + NB_SHARE * nb_coef,
        (1 - NB_SHARE) * main.intercept_ + NB_SHARE * nb_intercept,
    )


def naive_bayes_logistic(
    x: sparse.csr_matrix, labels: np.ndarray, weights: np.ndarray, classes: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """One-vs-rest logistic regressions over features scaled by their naive-Bayes log-count
    ratio (Wang & Manning 2012), each folded back to weights over the plain features."""
    coef = np.zeros((len(classes), x.shape[1]))
    intercept = np.zeros(len(classes))
    for k, label in enumerate(classes):
        mine = labels == label
        p = np.asarray(x.T @ (weights * mine)).ravel() + 1
        q = np.asarray(x.T @ (weights * ~mine)).ravel() + 1
        ratio = np.log(p / p.sum()) - np.log(q / q.sum())
        one = LogisticRegression(C=C, max_iter=2000, class_weight="balanced")
        one.fit(x.multiply(ratio).tocsr(), mine, sample_weight=weights)
        coef[k] = one.coef_[0] * ratio
        intercept[k] = one.intercept_[0]
    return coef, intercept


def model_card(r: dict[str, Any]) -> str:
    u, v = r["eval"]["usual"], r["eval"]["virus"]
    weakest = ", ".join(
        f"{min(e['polarity_f1_per_class'], key=e['polarity_f1_per_class'].get)} on {name}"
        for name, e in (("usual", u), ("virus", v))
    )
    rows = "\n".join(
        f"| {name} | {e['examples']} | **{e['polarity_macro_f1']}** | {e['polarity_accuracy']} | "
        f"{e['polarity_f1_per_class']['negative']} / {e['polarity_f1_per_class']['neutral']} / "
        f"{e['polarity_f1_per_class']['positive']} | {e['emotion_macro_f1']} | "
        f"{e['texts_per_second']:,} |"
        for name, e in (("SMP2020 usual eval", u), ("SMP2020 virus eval", v))
    )
    return f"""# Model card: sentiment (情感倾向)

File: `yuqing/judge/models/sentiment.npz` ({r["model_bytes"] / 1e6:.1f} MB). Made by
`yuqing model train` (code: `yuqing/judge/train.py`, applied by `yuqing/judge/sentiment.py`).

## What it does
Gives each text a polarity — negative, neutral or positive — with the probability of that label,
and an emotion (angry, fear, sad, happy, surprise, neutral). Input is normalised first (full/half
width, traditional → simplified), so traditional-script posts are read too.

## Data
Trained on SMP2020-EWECT (Weibo, human-annotated by HIT-SCIR; research data, no open licence):
the "usual" (general Weibo) and "virus" (COVID Weibo) training files, {r["train_examples"]:,}
posts. Polarity: negative = angry, sad, fear; positive = happy; neutral = neutral; surprise is
left out of polarity training and evaluation (it can be either) but kept for the emotion head.
Selected and measured on the two official eval files, which are not used for training.
A distant supervision from CED (Weibo comments of 2010–2014; research data, no open licence):
{r.get("emoticon_examples", 0):,} distinct comments whose writers marked them with emoticons of one
polarity only ([哈哈], [爱你] … / [泪], [怒], [蜡烛] …; `yuqing/judge/emoticons.py`), the codes
taken out. Monitors' corrections learnt with `--with-feedback`: {r.get("feedback_examples", 0):,}
(each weighs {FEEDBACK_WEIGHT:g}).

## Method
Character 1–3-grams ({r["features"]:,} most frequent, seen at least twice) of the normalised
text with @names and links taken out and every number read as 0, TF-IDF with sublinear term
frequency, and two linear heads: polarity and emotion. The emotion head is a logistic regression
(C = {C}, balanced class weights). The polarity head averages the logits of two models over the
same features, each folded into plain weights so that applying the model costs no more than one
logistic regression:
- a logistic regression (C = {C}, balanced) that also reads, at scale {EMOTICON_SCALE}, the score
  of a negative-vs-positive logistic regression (C = {EMOTICON_C}) trained on the
  emoticon-labelled comments — what the emoticons taught about the words of a text (weight
  {1 - NB_SHARE:.2f});
- one-vs-rest logistic regressions over the features scaled by their naive-Bayes log-count ratio
  (NB-LR, Wang & Manning 2012; weight {NB_SHARE:.2f}).

Weights are stored as float16; the figures below are of the shipped file.

## Figures
| data | posts | polarity macro-F1 | accuracy | F1 neg / neu / pos | emotion macro-F1 | texts/s |
| --- | --- | --- | --- | --- | --- | --- |
{rows}

Reproduce: `yuqing model train` (about {r["train_seconds"]:.0f} s here; it rewrites this card).
Targets for the product: 0.85 (usual) and 0.80 (virus) macro-F1 — **not yet met** (Limits).

## What else was measured (same eval files, polarity macro-F1 usual / virus)
| variant | usual | virus |
| --- | --- | --- |
| this model | {u["polarity_macro_f1"]} | {v["polarity_macro_f1"]} |
| one logistic regression (the model until 2026-11-23; the rows below vary it) | 0.8198 | 0.763 |
| C = 2 / C = 8 | 0.817 / 0.817 | 0.766 / 0.766 |
| + NLPCC 2020 COVID emotion, deduplicated (10,925; weight .5 / 1) | .826 / .828 | .758 / .753 |
| char 1–4-grams (400,000) | 0.820 | 0.756 |
| char 1–3-grams + rjieba word 1–2-grams | 0.819 | 0.770 |
| the same features, linear SVM | 0.821 | 0.763 |
| NB-weighted features, one-vs-rest (NB-LR, C = 4) | 0.823 | 0.768 |
| NB-LR averaged with this model | 0.827 | 0.770 |
| self-training: + 12,224 COVID hashtag posts it labels with p ≥ 0.9 (weight .3) | 0.817 | 0.769 |
| class biases tuned for macro-F1 by 5-fold cross-validation on the training files | 0.826 | 0.757 |
| polarity summed from the emotion head / averaged with this model | .817 / .819 | .762 / .760 |
| + the emoticon model's score as a feature (no NB-LR) | 0.824 | 0.772 |
| NB-LR as in this head, alone / averaged with the regression | .813 / .820 | .769 / .771 |
| + a 40-way emoticon model's log-probabilities as features, not the score | 0.823 | 0.772 |
| vocabulary from the posts and the comments (300,000), score at 0.1 | 0.826 | 0.773 |
| @names and links left in (the model of 2026-11-23 before the last change) | 0.8249 | 0.776 |
| hashtags (#…#) taken out too | 0.824 | 0.780 |
| numbers as they are (@names and links out) | 0.8221 | 0.7869 |
| only the writer's own words, before the first //@ of a repost chain | 0.825 | 0.773 |
| emoticon codes of known polarity ([泪], [哈哈] …) marked with it | 0.824 | 0.787 |
| C = 2 / 8 (full precision, not float16) | .822 / .824 | .789 / .781 |
| NB-LR's share 1/4 / 1/2; the score at 0.6 | .826 / .822; .822 | .785 / .788; .788 |
| + a second score: NLPCC 2020 COVID emotion posts, negative vs positive | 0.828 | 0.774 |
| + a second score: news-style COVID posts (【…】) vs the comments, for neutral | 0.823 | 0.777 |
| + features per domain (Daumé 2007), domain guessed (known: .823/.787) | 0.823 | 0.779 |
| 2026-12-06: plain LR on the text as this model reads it (base of the … rows) | 0.8185 | 0.7777 |
| … + mean/max of character vectors (skip-gram, 780k texts), scale .1 | 0.8226 | 0.7781 |
| … + HowNet/DUTIR lexicon hits, scale .1 / .3 / 1 | .824/.822/.822 | .780/.780/.780 |
| character BiGRU, 3 seeds, each / averaged | .805–.814 / .819 | .757–.765 / .764 |
| the 3 BiGRUs averaged with this model (their share .5 / .3) | .833 / .831 | .781 / .784 |
| … + 143,106 texts they label with it (p ≥ .6, weight .3), hard / soft | .818/.819 | .783/.779 |
| … + 83,384 (p ≥ .8), BiGRU share .5 / 1 / 0 (self-training) | .819/.817/.814 | .781/.781/.778 |

Linear models on these features plateau around 0.82 / 0.77; the COVID emotion posts help the
general domain and hurt the COVID one (they have no neutral class), so they are left out.
Self-training on unlabelled posts of the COVID domain, tuned class biases and the emotion head's
polarity move each file by under a point, or one up and the other down (not adopted). What the
emoticons teach and the naive-Bayes weighting each add under a point; together they move the COVID
file by 1.3 points and the general one by half a point, at no cost when the model is applied
(adopted 2026-11-23). Reading the text without @names and links adds a point on the COVID file
(repost chains are mostly names) for 0.3 on the general one, which reading every number as 0
wins back (both adopted the same day). The rows of 2026-12-06 asked whether a better reader of
characters closes the gap: skip-gram character vectors learnt from 780k unlabelled Weibo texts
(the COVID hashtag posts, CED posts and comments; the eval texts left out), a bidirectional GRU
over them trained on the same posts, and this model retrained on the GRU's labels of unlabelled
texts (distillation: applying it would cost nothing more). None does: the GRU alone is below this
model, averaged with it moves the general file by under a point and the COVID file not at all, and
reads about 2,850 texts/s on one core, under the target of 5,000; what it teaches a linear model is
worth under half a point; the vectors and two published emotion lexicons as features, the same.
Reproduce: `pip install -e '.[neural]'`, then `python -m bench.sentiment_teacher corpus`,
`vectors`, `teacher --seeds 1,2,3`, `evaluate --seeds 1,2,3`, `label --seeds 1,2`, `distil
none 0.5,0.6,0.3 …`, `features vectors,0.1 lexicon,0.3 …` (about 40 minutes here). The rest of the
gap to the targets needs a pretrained encoder, which cannot be downloaded here, whose knowledge
would have to reach the shipped model by the same distillation.

## Limits
- Below the targets. The weakest classes: {weakest}. Better features or a small CPU model
  are the next step (issue #4). Without the CED file the emoticon step is skipped (the card
  says 0 comments). Speed is measured on one core of the build machine.
- Weibo of 2020 and earlier; new slang, sarcasm and emoji-only posts are weak spots.
- Never hide a negative item because of this model: the console shows the score, and people
  correct it.
"""
