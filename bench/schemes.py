"""Matching throughput: 200 monitoring schemes against real posts, one core.

Run: `python -m bench.schemes` (also part of `make bench`), writes bench/results/schemes.json.
The schemes are generated from the posts' own vocabulary (frequent 2–4 character words as
subjects and events) so that they hit, as real schemes do.
"""

from __future__ import annotations

import gzip
import json
import random
import sys
import time
from collections import Counter

from bench.common import COVID_POSTS, RESULTS, machine
from yuqing.judge.admin import SchemeForm
from yuqing.judge.matcher import MatchInput, SchemeSet
from yuqing.judge.schemes import Node, from_lists, parse
from yuqing.text.normalise import normalise

POSTS = 50_000
SCHEMES = 200


def scheme_forms(texts: list[str], count: int = SCHEMES) -> list[SchemeForm]:
    """Schemes drawn from the posts' own frequent 2–4 character strings, half of them in the
    simple form and half in the expression language."""
    grams = Counter(
        t[i : i + n]
        for t in texts[:5000]
        for n in (2, 3, 4)
        for i in range(0, max(len(t) - n, 0), 7)
    )
    vocab = [g for g, c in grams.most_common(3000) if g.strip() and all(ch.isalnum() for ch in g)]
    rng = random.Random(3)
    forms = []
    for i in range(count):
        if i % 2:
            subject, event, exclude = (
                rng.sample(vocab, 3),
                rng.sample(vocab, 4),
                rng.sample(vocab, 2),
            )
            forms.append(
                SchemeForm(
                    name=f"方案{i}", subject_terms=subject, event_terms=event, exclude_terms=exclude
                )
            )
        else:
            a, b, c, d = rng.sample(vocab, 4)
            expression = f'({a} | {b}) + {c} NEAR/20 {d} -"{rng.choice(vocab)}"'
            forms.append(SchemeForm(name=f"方案{i}", mode="advanced", expression=expression))
    return forms


def make_schemes(texts: list[str], count: int = SCHEMES) -> dict[int, Node]:
    return {
        i: parse(f.expression)
        if f.mode == "advanced"
        else from_lists(f.subject_terms, None, f.event_terms, f.exclude_terms)
        for i, f in enumerate(scheme_forms(texts, count))
    }


def main() -> int:
    path = COVID_POSTS / "posts_2020-01-19_to_02-23.jsonl.gz"
    if not path.exists():
        print(f"{path} is absent", file=sys.stderr)
        return 1
    texts: list[str] = []
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            texts.append(normalise(json.loads(line)["text"]))
            if len(texts) >= POSTS:
                break
    schemes = make_schemes(texts)
    started = time.perf_counter()
    compiled = SchemeSet(schemes)
    build_ms = (time.perf_counter() - started) * 1000
    items = [MatchInput(title="", text=t) for t in texts]
    started = time.perf_counter()
    matched = sum(len(compiled.match(item)) for item in items)
    seconds = time.perf_counter() - started
    result = {
        "benchmark": "scheme matching",
        "data": f"covid19_weibo_hashtag_posts, first {len(items)} posts",
        "schemes": SCHEMES,
        "build_ms": round(build_ms, 1),
        "items_per_second": round(len(items) / seconds),
        "matches": matched,
        "machine": machine(),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "schemes.json").write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
