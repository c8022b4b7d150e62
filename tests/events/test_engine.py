from datetime import UTC, datetime, timedelta
from itertools import count

from yuqing.events.engine import Control, EventEngine
from yuqing.events.keywords import words as words_of
from yuqing.events.model import Engagement, Observation
from yuqing.plan.loader import load_plan
from yuqing.plan.versions import templates
from yuqing.text.normalise import normalise

T0 = datetime(2026, 11, 22, 1, tzinfo=UTC)
PLAN = load_plan(templates()["enterprise-three-level"])


def _engine(**kw) -> EventEngine:  # type: ignore[no-untyped-def]
    ids = count(1)
    return EventEngine(PLAN, lambda: next(ids), **kw)


def _obs(i: int, text: str, minutes: float = 0, **kw) -> Observation:  # type: ignore[no-untyped-def]
    kw.setdefault("schemes", frozenset({1}))
    return Observation(i, f"1:{i}", T0 + timedelta(minutes=minutes), normalise(text), **kw)


POST = "某县第一中学食堂发生食物中毒，二十多名学生送医院治疗，家长质疑学校食品安全管理"


def test_replies_copies_and_similar_texts_join_one_event() -> None:
    e = _engine()
    first = e.place(_obs(1, POST))
    assert first is not None and first.how == "new"
    reply = e.place(_obs(2, "太可怕了", 1, reply_to="1:1", schemes=frozenset()))
    assert reply is not None and (reply.event_id, reply.how) == (first.event_id, "reply")
    copy = e.place(_obs(3, POST + "转", 2, story_id=1))
    assert copy is not None and (copy.event_id, copy.how) == (first.event_id, "copy")
    similar = e.place(_obs(4, "第一中学食堂食物中毒事件：学生送医院，家长质疑食品安全", 3))
    assert similar is not None and similar.how == "similar" and similar.event_id == first.event_id
    other = e.place(_obs(5, "高速公路连环追尾事故造成交通拥堵，交警正在现场处置", 4))
    assert other is not None and other.how == "new" and other.event_id != first.event_id


def test_unwatched_items_start_no_event_and_other_schemes_do_not_mix() -> None:
    e = _engine()
    assert e.place(_obs(1, POST, schemes=frozenset())) is None
    a = e.place(_obs(2, POST, schemes=frozenset({1})))
    b = e.place(_obs(3, POST, schemes=frozenset({2})))
    assert a is not None and b is not None and a.event_id != b.event_id
    watch_all = _engine(require_scheme=False)
    assert watch_all.place(_obs(1, POST, schemes=frozenset())) is not None


def test_metrics_grade_and_warning_follow_the_replies() -> None:
    e = _engine()
    e.place(_obs(1, POST, engagement=(100, 0, 0, 0)))
    for i in range(2, 61):
        e.place(_obs(i, f"评论{i}", i, reply_to="1:1", negative=i % 2 == 0))
    [d] = e.evaluate(T0 + timedelta(minutes=61))
    assert d.metrics["items"] == 60 and d.metrics["replies"] == 59
    assert d.metrics["comments"] == 59 and d.metrics["reads"] == 100
    assert d.metrics["negative_share"] == round(30 / 60, 3)
    assert d.grade.level == 3 and "评论 59 ≥ 50" in d.grade.reasons
    assert d.step is not None and d.step.action == "issued" and d.step.level == 3
    e.engage(Engagement(1, (5000, 0, 0, 0)))
    [d] = e.evaluate(T0 + timedelta(minutes=62))
    assert d.grade.level == 1 and d.grade.reasons == ("阅读 5000 ≥ 3000",)
    assert d.step is not None and d.step.action == "raised"
    assert e.evaluate(T0 + timedelta(minutes=63)) == []  # nothing changed, nothing graded


def test_override_holds_until_an_escalation_rule_fires() -> None:
    e = _engine()
    e.place(_obs(1, POST))
    for i in range(2, 60):
        e.place(_obs(i, f"评论{i}", i, reply_to="1:1"))
    e.controls[1] = Control(override=2, override_reason="涉及学生安全，提级处置")
    [d] = e.evaluate(T0 + timedelta(minutes=61))
    assert d.grade.level == 2 and d.rule_grade.level == 3
    assert d.grade.reasons == ("人工定级: 涉及学生安全，提级处置",)
    e.controls[1].missed_deadlines = 1
    [d] = e.evaluate(T0 + timedelta(minutes=62), everything=True)
    assert d.grade.level == 1 and d.override_lifted and e.controls[1].override is None


def test_surge_flag_and_eviction() -> None:
    e = _engine()
    e.place(_obs(1, POST))
    for i in range(2, 20):
        e.place(_obs(i, f"回复{i}", 60 + i * 0.1, reply_to="1:1"))
    [d] = e.evaluate(T0 + timedelta(minutes=62))
    assert "surge" in d.flags and d.metrics["growth"] == 18
    assert e.evict(T0 + timedelta(days=4)) == []  # the stream itself has not moved on
    later = e.place(_obs(99, "高速公路连环追尾事故造成交通拥堵", 4 * 24 * 60))
    assert later is not None
    assert e.evict(T0 + timedelta(days=4)) == [1]
    assert set(e.events) == {later.event_id} and set(e.by_item) == {99}


def test_a_quiet_event_keeps_its_grade_without_grading_again(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import yuqing.events.engine as module

    calls: list[int] = []
    real = module.grade

    def counted(metrics, flags, plan):  # type: ignore[no-untyped-def]
        calls.append(1)
        return real(metrics, flags, plan)

    monkeypatch.setattr(module, "grade", counted)
    e = _engine()
    e.place(_obs(1, POST))
    for i in range(2, 60):
        e.place(_obs(i, f"评论{i}", i, reply_to="1:1"))
    [first] = e.evaluate(T0 + timedelta(minutes=61))
    later = T0 + timedelta(hours=3)  # growth has fallen to 0: the metrics stand still from here
    [quiet] = e.evaluate(later, everything=True)
    graded = len(calls)
    [again] = e.evaluate(later + timedelta(minutes=5), everything=True)
    assert len(calls) == graded and again.rule_grade == quiet.rule_grade == first.rule_grade
    e.place(_obs(60, "评论60", 185, reply_to="1:1"))  # the event moves: graded afresh
    [moved] = e.evaluate(later + timedelta(minutes=6))
    assert len(calls) == graded + 1 and moved.metrics["items"] == 60
    e.plan = load_plan(templates()["enterprise-three-level"])  # a new plan version: graded again
    e.evaluate(later + timedelta(minutes=7), everything=True)
    assert len(calls) == graded + 2


STORIES = [
    POST,
    "城区自来水连续三天发黄有异味，居民质疑水厂水质检测不合格",
    "高速公路连环追尾事故造成交通拥堵，交警正在现场处置",
    "小区业主反映物业公司擅自涨价并停水停电，物业拒绝沟通",
    "县医院急诊科排队五个小时无人接诊，患者家属拍视频投诉",
    "农民工讨薪无门，工地老板拖欠半年工资至今未付",
]


def _stream() -> list[tuple[float, Observation | Engagement]]:
    """A big story, small ones that go quiet, one of which wakes up hours later."""
    out: list[tuple[float, Observation | Engagement]] = []
    ids = count(1)
    for s, text in enumerate(STORIES):
        root = next(ids)
        start = 0 if s == 0 else 10 * s
        out.append((start, _obs(root, text, start)))
        burst = 60 if s == 0 else 3
        for k in range(burst):
            i, at = next(ids), start + 1 + k * 0.5
            out.append((at, _obs(i, f"评论{i}", at, reply_to=f"1:{root}", schemes=frozenset())))
        if s == 1:  # wakes up after four quiet hours, fast enough for a forecast
            for k in range(40):
                i, at = next(ids), 240 + k * 0.5
                reply = _obs(i, f"评论{i}", at, reply_to=f"1:{root}", schemes=frozenset())
                out.append((at, reply))
        if s == 2:
            out.append((300, Engagement(root, (2500, 0, 0, 0))))
    return sorted(out, key=lambda x: x[0])


def _swept(engine: EventEngine) -> list[tuple[object, ...]]:
    """Every sweep's decisions that wrote or warned, every 5 minutes for eight hours."""
    stream, seen = _stream(), []
    for minute in range(5, 8 * 60, 5):
        while stream and stream[0][0] <= minute:
            _, what = stream.pop(0)
            if isinstance(what, Engagement):
                engine.engage(what)
            else:
                engine.place(what)
        for d in engine.evaluate(T0 + timedelta(minutes=minute), everything=True):
            if d.changed or d.step:
                seen.append((minute, d.event_id, d.metrics, d.flags, d.grade, d.prediction, d.step))
    return seen


def test_sweeps_skip_settled_events_and_decide_as_if_they_had_not(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Quiet ungraded events are not decided again by each sweep; what is written and warned,
    forecasts after a quiet event wakes up included, is what deciding every event gives."""
    fast, full = _engine(), _engine()
    monkeypatch.setattr(full, "_settled", lambda state: False)
    decided: list[bool] = []
    real = EventEngine._decide

    def counting(self: EventEngine, state, now):  # type: ignore[no-untyped-def]
        decided.append(self is fast)
        return real(self, state, now)

    monkeypatch.setattr(EventEngine, "_decide", counting)
    seen = _swept(fast)
    assert seen == _swept(full)
    assert any(prediction for *_, prediction, _ in seen)  # the woken story was forecast
    assert decided.count(True) < decided.count(False) / 2
    for event_id, state in full.events.items():
        assert fast.events[event_id].snapshots == state.snapshots


def test_an_events_words_keep_the_order_of_its_texts() -> None:
    """Ties among an event's words (its index words, its vector) go by the order the words
    came in, not by a set's order, which follows the string-hash seed."""
    e = _engine()
    placed = e.place(_obs(1, POST))
    assert placed is not None
    words = e.events[placed.event_id].words
    assert list(words) == list(dict.fromkeys(words_of(normalise(POST))))
    assert set(words.values()) == {1}
