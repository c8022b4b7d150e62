"""Event clustering quality: B-cubed precision, recall and F1 against known groupings.

    python -m bench.clustering [--cascades 200] [--posts 20000]

1. CED (ced_weibo_rumor): items of a reproducible sample of cascades, starts aligned so that
   they all run at once (a busy day), grouped by the events engine — once as deployed (a reply
   joins its post's event through reply_to) and once by text alone (reply links hidden), which
   is what happens to items that do not say what they answer. Truth: the cascade.
2. Topics (covid19_weibo_hashtag_posts): posts carrying exactly one hashtag, of the busiest
   days; the hashtags are removed from the text before grouping. Truth: the hashtag (a weak
   topic label: one hashtag covers many happenings, so recall is bounded by design).
The engine is the one the service runs (yuqing/events/engine.py), without storage.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from itertools import count
from typing import Any

from bench.common import COVID_POSTS, RESULTS, SHARED_DATA, machine
from yuqing.events.engine import EventEngine
from yuqing.events.model import Observation
from yuqing.replay.formats import choose, read_ced
from yuqing.text.normalise import normalise

CED = SHARED_DATA / "ced_weibo_rumor"


def bcubed(assigned: dict[str, int], truth: dict[str, str]) -> dict[str, float]:
    clusters: dict[int, list[str]] = defaultdict(list)
    labels: dict[str, list[str]] = defaultdict(list)
    for item, c in assigned.items():
        clusters[c].append(item)
        labels[truth[item]].append(item)
    label_sizes = {k: len(v) for k, v in labels.items()}
    precision = recall = 0.0
    for members in clusters.values():
        inside = Counter(truth[i] for i in members)
        for label, n in inside.items():
            precision += n * n / len(members)
            recall += n * n / label_sizes[label]
    total = len(assigned)
    p, r = precision / total, recall / total
    return {
        "items": total,
        "clusters": len(clusters),
        "truth_groups": len(labels),
        "precision": round(p, 3),
        "recall": round(r, 3),
        "f1": round(2 * p * r / (p + r), 3) if p + r else 0.0,
    }


def run_engine(
    stream: Iterable[tuple[str, Observation]], use_replies: bool
) -> tuple[dict[str, int], float]:
    ids = count(1)
    engine = EventEngine(None, lambda: next(ids), require_scheme=False, use_replies=use_replies)
    assigned: dict[str, int] = {}
    started = time.perf_counter()
    last = None
    for name, obs in stream:
        placed = engine.place(obs)
        if placed is not None:
            assigned[name] = placed.event_id
        if last is None or obs.at - last > timedelta(hours=1):
            engine.evict(obs.at)
            last = obs.at
    return assigned, time.perf_counter() - started


def ced(cascades: int) -> dict[str, Any]:
    records, info = read_ced(CED, choose(CED, cascades), align=True, within=timedelta(days=3))
    truth: dict[str, str] = {}
    stream: list[tuple[str, Observation]] = []
    keys = {r.item.id: n for n, r in enumerate(records)}
    for n, r in enumerate(records):
        item = r.item
        name = item.id or str(n)
        truth[name] = item.reply_to or name
        stream.append(
            (
                name,
                Observation(
                    item_id=n,
                    key=name,
                    at=r.at,
                    text=normalise(item.text),
                    reply_to=item.reply_to if item.reply_to in keys else None,
                ),
            )
        )
    out: dict[str, Any] = {"cascades": len(info)}
    for mode, replies in (("with_reply_links", True), ("text_only", False)):
        assigned, seconds = run_engine(stream, replies)
        out[mode] = {**bcubed(assigned, truth), "items_per_second": round(len(stream) / seconds)}
    return out


def topics(posts: int) -> dict[str, Any]:
    by_day: dict[str, list[dict[str, Any]]] = defaultdict(list)
    with gzip.open(COVID_POSTS / "posts_2020-01-19_to_02-23.jsonl.gz", "rt", encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            if len(d.get("hashtags") or []) == 1:
                by_day[d["date"]].append(d)
    chosen: list[dict[str, Any]] = []
    for day in sorted(by_day, key=lambda k: -len(by_day[k])):
        chosen += by_day[day]
        if len(chosen) >= posts:
            break
    chosen = chosen[:posts]
    chosen.sort(key=lambda d: d["date"])
    truth: dict[str, str] = {}
    stream = []
    for n, d in enumerate(chosen):
        name = str(n)
        truth[name] = d["hashtags"][0]
        at = datetime.fromisoformat(d["date"]).replace(tzinfo=UTC) + timedelta(seconds=n)
        stream.append((name, Observation(item_id=n, key=name, at=at, text=normalise(d["text"]))))
    assigned, seconds = run_engine(stream, True)
    return {**bcubed(assigned, truth), "items_per_second": round(len(stream) / seconds)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cascades", type=int, default=200)
    parser.add_argument("--posts", type=int, default=20_000)
    args = parser.parse_args(argv)
    if not CED.exists() or not COVID_POSTS.exists():
        print("bench: ../shared/data is absent", file=sys.stderr)
        return 1
    report = {
        "benchmark": "clustering",
        "command": f"python -m bench.clustering --cascades {args.cascades} --posts {args.posts}",
        "machine": machine(),
        "ced": ced(args.cascades),
        "covid_hashtag_topics": topics(args.posts),
        "at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "clustering.json").write_text(
        json.dumps(report, ensure_ascii=False, indent=2) + "\n"
    )
    print(json.dumps(report, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
