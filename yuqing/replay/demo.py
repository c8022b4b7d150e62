"""The built-in demonstration: a fictional county (示范县) and a story the project wrote itself —
parents report mouldy rice at the county's No. 1 middle school canteen; comments pile up, local,
provincial and city media pick it up within the hour — plus a small, unrelated complaint about
queues at the county hospital. Replayed as a drill at sixty times real speed, the hour takes a
minute: items arrive, an event forms, warnings rise from Ⅳ to Ⅱ, and an incident opens with the
plan's deadlines. Nothing is fetched from anywhere; every text below is invented.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from yuqing.collect.schema import ItemIn
from yuqing.replay.formats import Recorded

ROOT = (
    "示范县第一中学食堂今天午饭的米饭有股霉味，孩子说好几个同学吃完肚子疼，"
    "去了校医室，学校到现在也没给家长一个说法。#示范县一中食堂#"
)
REPLIES = [
    "我家孩子也在一中，说最近饭菜一直不好",
    "食堂承包给谁了？应该查一查",
    "学校赶紧出来说明情况啊",
    "孩子们的饭都敢糊弄，太过分了",
    "希望教育局介入调查",
    "上周就有家长反映过，没人管",
    "市场监管部门在哪里？",
    "请学校公开食材进货记录",
    "孩子现在还好吗？去医院看了没",
    "一中的伙食费可不便宜",
    "等官方通报，先别传谣",
    "必须给个说法，不能不了了之",
]
MEDIA = [
    (
        22,
        "示范县融媒体中心",
        "示范县第一中学食堂米饭霉味、学生肚子疼一事，记者从示范县教育局获悉，"
        "已派工作组赴学校了解食堂情况，市场监管部门对食堂食材进行抽检。",
    ),
    (
        34,
        "某省日报",
        "示范县第一中学食堂米饭有霉味，多名学生午饭后肚子疼，家长要求学校给说法，当地已介入调查。",
    ),
    (
        44,
        "某市广播电视台",
        "关注示范县一中食堂：家长反映米饭有霉味、孩子肚子疼，县教育局称正在核查。",
    ),
]
HOSPITAL = [
    "示范县人民医院挂号排队两个小时，自助机一半是坏的",
    "示范县人民医院门诊挂号排队太久了，老人根本挤不上",
    "示范县人民医院挂号排队能不能多开几个窗口",
    "今天在示范县人民医院挂号排队一上午，号还没叫到",
]


def demo_records(start: datetime) -> list[Recorded]:
    """The scenario's items, from `start` over the following hour (deterministic)."""
    items: list[tuple[float, ItemIn]] = [
        (
            0,
            ItemIn(
                id="demo-root",
                text=ROOT,
                author={"name": "家长小王", "followers": 860},
                metrics={"comments": 3, "reposts": 1},
            ),
        ),
    ]
    minute = 1.0
    n = 0
    while minute < 58:
        n += 1
        text = f"{REPLIES[n % len(REPLIES)]}（{n}）"
        items.append(
            (
                minute,
                ItemIn(
                    id=f"demo-reply-{n}",
                    text=text,
                    reply_to="demo-root",
                    author={"name": f"网友{1000 + n * 7}", "followers": 20 + n},
                ),
            )
        )
        minute += max(0.25, 1.6 - n * 0.02)  # the comments come faster and faster
    for at, name, text in MEDIA:
        items.append(
            (
                at,
                ItemIn(
                    id=f"demo-media-{at}",
                    text=text,
                    reply_to="demo-root",  # the media repost the parent's post with a report
                    author={"name": name, "followers": 200_000, "verified": True, "kind": "media"},
                ),
            )
        )
    for i, text in enumerate(HOSPITAL):
        items.append(
            (
                10 + i * 12,
                ItemIn(
                    id=f"demo-hospital-{i}", text=text, author={"name": f"市民{i}", "followers": 50}
                ),
            )
        )
    items.sort(key=lambda pair: pair[0])
    out = []
    for ref, (minutes, item) in enumerate(items, start=1):
        at = start + timedelta(minutes=minutes)
        out.append(Recorded(at, ref, item.model_copy(update={"observed_at": at})))
    return out
