"""Category (分类) and risk flags (风险标记) by configurable rules.

Each category and each flag is a list of terms; an item takes the category whose terms it
contains most (ties: the order below), or 其他 when none; it takes every flag whose terms it
contains. Flags are what the plan's grading reads (`flag.casualties`, …). Where the rules find
no category term, the category model may (yuqing/judge/category.py); the organisation edits the
terms in the console (yuqing/judge/taxonomy_store.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from ahocorasick_rs import AhoCorasick, MatchKind

from yuqing.text.normalise import normalise

CATEGORIES: dict[str, list[str]] = {
    "安全事故": ["爆炸", "火灾", "起火", "坍塌", "塌方", "事故", "泄漏", "车祸", "溺亡", "触电"],
    "食品药品": ["食品安全", "食物中毒", "过期食品", "假药", "疫苗", "药品", "地沟油", "食堂"],
    "医疗卫生": ["医院", "医生", "护士", "患者", "医疗", "卫健", "诊所", "手术", "就医"],
    "教育·师德": ["学校", "老师", "教师", "学生", "校长", "教育局", "师德", "体罚", "补课", "招生"],
    "环境污染": ["污染", "排污", "废水", "废气", "臭味", "雾霾", "垃圾场", "环保", "黑臭"],
    "征地拆迁": ["拆迁", "征地", "强拆", "安置房", "补偿款", "棚改"],
    "劳资欠薪": ["欠薪", "讨薪", "拖欠工资", "农民工工资", "工资", "社保", "裁员"],
    "执法司法": ["执法", "城管", "警察", "民警", "派出所", "法院", "判决", "检察院", "暴力执法"],
    "贪腐举报": ["贪污", "受贿", "腐败", "举报", "违纪", "公款", "纪委", "滥用职权"],
    "交通": ["交通", "堵车", "高速", "公交", "地铁", "道路", "限行", "交警"],
    "自然灾害": ["地震", "洪水", "暴雨", "台风", "泥石流", "干旱", "山火", "冰雹", "内涝"],
    "公共卫生": ["疫情", "确诊", "传染", "核酸", "隔离", "病例", "新冠", "肺炎", "防疫"],
    "网络谣言·不实信息": ["谣言", "辟谣", "不实", "造谣", "假消息", "网传"],
    "服务投诉": ["投诉", "态度差", "不作为", "办事难", "乱收费", "服务差", "12345", "维权"],
}
OTHER = "其他"

FLAGS: dict[str, list[str]] = {
    "casualties": ["死亡", "身亡", "遇难", "丧生", "伤亡", "受伤", "重伤", "死者", "遗体"],
    "crowd": ["聚集", "围堵", "堵路", "上访", "拉横幅", "静坐", "群体事件", "游行", "冲突"],
    "minors": ["未成年", "儿童", "幼儿园", "小学生", "中学生", "孩子", "学生"],
    "officials": ["书记", "县长", "局长", "镇长", "干部", "官员", "领导"],
    "rumor": ["谣言", "网传", "不实", "造谣"],
}


@dataclass(frozen=True)
class Tags:
    category: str
    category_terms: tuple[str, ...]
    flags: tuple[str, ...]


class Tagger:
    """All category and flag terms in one automaton; built once, applied to many items."""

    def __init__(
        self,
        categories: dict[str, list[str]] | None = None,
        flags: dict[str, list[str]] | None = None,
    ) -> None:
        self.categories = categories or CATEGORIES
        self.flags = flags or FLAGS
        self.terms: list[tuple[str, str, str]] = []  # (kind, name, normalised term)
        for kind, table in (("category", self.categories), ("flag", self.flags)):
            for name, words in table.items():
                self.terms.extend((kind, name, n) for n in {normalise(w) for w in words} if n)
        self.automaton = AhoCorasick([t for _, _, t in self.terms], matchkind=MatchKind.Standard)
        self.order = list(self.categories)
        self._rank = {name: i for i, name in enumerate(self.order)}

    def tag(self, norm_text: str) -> Tags:
        counts: dict[str, set[str]] = {}
        flags: set[str] = set()
        for index in self.automaton.find_matches_as_indexes(norm_text, overlapping=True):
            kind, name, term = self.terms[index[0]]
            if kind == "flag":
                flags.add(name)
            else:
                counts.setdefault(name, set()).add(term)
        if not counts:
            return Tags(OTHER, (), tuple(sorted(flags)))
        rank = self._rank  # most terms found; between equals, the first in the taxonomy
        best = min(counts, key=lambda c: (-len(counts[c]), rank[c]))
        return Tags(best, tuple(sorted(counts[best])), tuple(sorted(flags)))
