"""The judging stage's throughput on one core: normalise → match 200 schemes → sentiment →
category and flags (rules, then the model where they are silent) → heat, over all 322,665
covid19_weibo_hashtag_posts (issue target: 5,000 items/s). Pure code, no database: what every
item costs before it is stored.

    python -m bench.judging [--posts N]     (part of `make bench`; bench/results/judging.json)
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import time

from bench.common import COVID_POSTS, RESULTS, machine
from bench.schemes import make_schemes
from yuqing.judge.category import default_category_model
from yuqing.judge.heat import HeatInput, heat
from yuqing.judge.matcher import MatchInput, SchemeSet
from yuqing.judge.sentiment import default_model
from yuqing.judge.taxonomy import OTHER, Tagger
from yuqing.text.normalise import normalise

BATCH = 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=None)
    args = parser.parse_args(argv)
    path = COVID_POSTS / "posts_2020-01-19_to_02-23.jsonl.gz"
    if not path.exists():
        print(f"{path} is absent", file=sys.stderr)
        return 1
    raw: list[str] = []
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            raw.append(json.loads(line)["text"])
            if args.posts and len(raw) >= args.posts:
                break
    schemes = SchemeSet(make_schemes([normalise(t) for t in raw[:5000]]))
    model, tagger, categories = default_model(), Tagger(), default_category_model()
    assert categories is not None, "no category model: run `yuqing model train-category`"
    guessed = 0
    spent = dict.fromkeys(("normalise", "match", "sentiment", "category", "heat"), 0.0)
    matches = negative = 0
    started = time.perf_counter()
    for start in range(0, len(raw), BATCH):
        chunk = raw[start : start + BATCH]
        t0 = time.perf_counter()
        texts = [normalise(t) for t in chunk]
        t1 = time.perf_counter()
        matches += sum(len(schemes.match(MatchInput(title="", text=t))) for t in texts)
        t2 = time.perf_counter()
        negative += sum(p.label == "negative" for p in model.predict(texts, normalised=True))
        t3 = time.perf_counter()
        tags = [tagger.tag(t) for t in texts]
        unsure = [t for t, tag in zip(texts, tags, strict=True) if tag.category == OTHER]
        guessed += sum(g is not None for g in categories.confident(unsure, normalised=True))
        t4 = time.perf_counter()
        for _ in texts:
            heat(HeatInput(reads=120, comments=4, reposts=2, likes=9, followers=800))
        t5 = time.perf_counter()
        for name, (a, b) in zip(
            spent, ((t0, t1), (t1, t2), (t2, t3), (t3, t4), (t4, t5)), strict=True
        ):
            spent[name] += b - a
    seconds = time.perf_counter() - started
    result = {
        "benchmark": "judging stage",
        "command": "python -m bench.judging",
        "data": f"covid19_weibo_hashtag_posts, {len(raw)} posts",
        "schemes": len(schemes.schemes),
        "items_per_second": round(len(raw) / seconds),
        "seconds": round(seconds, 1),
        "per_stage_items_per_second": {k: round(len(raw) / v) for k, v in spent.items() if v},
        "matches": matches,
        "negative": negative,
        "categories_by_the_model": guessed,
        "machine": machine(),
        "at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "judging.json").write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
