"""Near-duplicate grouping quality on weibo21_mdfend: copies made the way copies are made online
(repost prefixes, truncation, hashtags and emoticons, traditional script, dropped characters)
must join their original's story; distinct posts must not.

Run: `python -m bench.dedup_eval` (also part of `make bench`), writes bench/results/dedup.json.
"""

from __future__ import annotations

import csv
import json
import random
import sys
import time
from datetime import UTC, datetime
from typing import Any

import opencc

from bench.common import RESULTS, SHARED_DATA
from yuqing.collect.dedup import MIN_CHARS, NearDupIndex, content
from yuqing.text.normalise import normalise

DATA = SHARED_DATA / "weibo21_mdfend"
NOW = datetime(2026, 11, 3, tzinfo=UTC)
S2T = opencc.OpenCC("s2t")


def _drop(text: str, rng: random.Random, share: float) -> str:
    return "".join(c for c in text if rng.random() > share)


COPIES = {
    "repost": lambda t, rng: f"//@网友{rng.randint(1, 999)}:转发微博 {t}",
    "truncated": lambda t, rng: t[: int(len(t) * 0.8)],
    "decorated": lambda t, rng: f"#热点# {t.replace('，', ' ')} [怒][怒] 求扩散！",
    "traditional": lambda t, rng: S2T.convert(t),
    "dropped_5pct": lambda t, rng: _drop(t, rng, 0.05),
}


def load() -> list[str]:
    texts: list[str] = []
    for name in ("train.csv", "val.csv", "test.csv"):
        with (DATA / name).open(encoding="utf-8") as f:
            texts.extend(row["content"] for row in csv.DictReader(f))
    return texts


def evaluate(sample: int = 1000, seed: int = 7) -> dict[str, Any]:
    rng = random.Random(seed)
    texts = [t for t in dict.fromkeys(load()) if len(content(normalise(t))) >= MIN_CHARS]
    index = NearDupIndex()
    started = time.perf_counter()
    original_matches = 0
    story_of: list[int] = []
    for i, text in enumerate(texts):
        match = index.match(normalise(text))
        if match:  # weibo21 holds some genuine copies: they join the earlier post's story
            original_matches += 1
        story_of.append(match[0] if match else i)
        index.add(i, normalise(text), story_of[i], NOW)
    chosen = rng.sample(range(len(texts)), sample)
    per_kind: dict[str, dict[str, int]] = {}
    for kind, make in COPIES.items():
        found = wrong = 0
        for i in chosen:
            match = index.match(normalise(make(texts[i], rng)))
            if match is None:
                continue
            if match[0] == story_of[i]:
                found += 1
            else:
                wrong += 1
        per_kind[kind] = {"copies": sample, "found": found, "wrong_story": wrong}
    seconds = time.perf_counter() - started
    copies = sample * len(COPIES)
    found = sum(k["found"] for k in per_kind.values())
    wrong = sum(k["wrong_story"] for k in per_kind.values())
    return {
        "benchmark": "near-duplicate grouping",
        "data": f"weibo21_mdfend, {len(texts)} distinct posts; {sample} sampled, "
        f"{len(COPIES)} kinds of copy each",
        "recall": round(found / copies, 4),
        "precision": round(found / (found + wrong), 4) if found + wrong else None,
        "per_kind": {
            k: {**v, "recall": round(v["found"] / v["copies"], 4)} for k, v in per_kind.items()
        },
        "originals_matching_an_earlier_original": original_matches,
        "items_per_second": round((len(texts) + copies) / seconds),
        "parameters": {"shingle": 3, "num_perm": 64, "bands": 16, "threshold": 0.6},
    }


def main() -> int:
    if not DATA.exists():
        print(f"{DATA} is absent", file=sys.stderr)
        return 1
    result = evaluate()
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "dedup.json").write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
