"""Weibo comments labelled by their own emoticons, a distant supervision for the sentiment model.

An emoticon code such as [泪] or [哈哈] is the writer's own mark of feeling. The CED comments
(../shared/data/ced_weibo_rumor, 1,275,180 reposts and comments of 2010–2014) hold about 74,000
distinct texts whose own words carry only positive or only negative emoticons; with the codes
taken out, they teach the polarity of many words and phrases the 36,000 labelled posts never
show. Codes that can go either way ([吃惊], [围观], [呵呵], [思考], …) label nothing.
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterator
from pathlib import Path

from yuqing.text.normalise import normalise

CED_COMMENTS = Path("ced_weibo_rumor") / "reposts_comments.jsonl.gz"

_POSITIVE = (
    "哈哈 偷笑 嘻嘻 爱你 good 心 鼓掌 威武 给力 花心 赞 害羞 笑哈哈 太开心 可爱 馋嘴 亲亲 耶 "
    "得意地笑 蛋糕 ok 好爱哦 酷 好喜欢 微笑 鲜花 礼物 握手 作揖 赞啊 色 给劲 玫瑰"
)
_NEGATIVE = (
    "泪 怒 蜡烛 衰 抓狂 哼 鄙视 可怜 生病 弱 吐 怒骂 悲伤 伤心 失望 委屈 惊恐 心碎 泪流满面 "
    "伤不起 崩溃 哭 大哭 鸭梨 汗 晕 黑线 愤怒 左哼哼 右哼哼 呕吐 怒吼 咒骂 跪了 囧"
)
POSITIVE = frozenset(_POSITIVE.split())
NEGATIVE = frozenset(_NEGATIVE.split())
MIN_CHARS = 4  # what is left once the codes are out: shorter carries no words to learn

_CODE = re.compile(r"\[([^\[\]]{1,6})\]")
_CHAIN = re.compile(r"//@.*$", re.S)  # the reposted chain: someone else's words
_REPLY = re.compile(r"^回复@[^:：]{1,30}[:：]")
_NOISE = re.compile(r"@[\w\-]{1,30}|https?://\S+")


def emoticon_label(text: str) -> tuple[str, str] | None:
    """(normalised text without its codes, polarity) when the writer's own words carry
    emoticons of one polarity only; None otherwise."""
    own = _REPLY.sub("", _CHAIN.sub("", text))
    codes = {c.lower() for c in _CODE.findall(own)}
    positive, negative = bool(codes & POSITIVE), bool(codes & NEGATIVE)
    if positive == negative:
        return None
    body = normalise(_NOISE.sub("", _CODE.sub("", own))).strip(" :：,，。!！~")
    if len(body) < MIN_CHARS:
        return None
    return body, "positive" if positive else "negative"


def emoticon_labelled(data: Path) -> list[tuple[str, str]]:
    """Distinct emoticon-labelled texts of the CED comments; empty when the file is absent."""
    path = data / CED_COMMENTS
    if not path.exists():
        return []
    seen: dict[str, str] = {}
    for text in _texts(path):
        labelled = emoticon_label(text)
        if labelled is not None:
            seen.setdefault(*labelled)
    return list(seen.items())


def _texts(path: Path) -> Iterator[str]:
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            text = json.loads(line).get("text")
            if isinstance(text, str) and "[" in text:
                yield text
