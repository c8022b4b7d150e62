"""The events engine: items into events online, then grading and warnings for what changed.

Placement, in order: a reply or repost joins the event of the item it answers (reply_to); a
copy joins the event of its story's first item (dedup); any other item joins the most similar
recent event (TF-IDF cosine of its words with the event's words ≥ threshold) that shares one of
its schemes; else it starts a new event. Only items matching a scheme start events, unless the
installation has no scheme at all (then everything is watched, as in a replay).

The engine holds only events active within the window (by their last item), so its memory is
bounded by the window. It is pure: the database adapter (stage.py) and the replay feed it
Observations and persist what it decides; ids of new events come from `new_id`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from yuqing.events.keywords import DocFreq, cosine, vector, words
from yuqing.events.model import Engagement, Observation, Placement
from yuqing.events.state import BUCKET, HOUR, EventState
from yuqing.judge.heat import HeatWeights
from yuqing.plan.grade import Grade, ResponseFacts, escalate, grade
from yuqing.plan.loader import Plan
from yuqing.plan.predict import Prediction, lookback, predict
from yuqing.warn.lifecycle import Active, Step, apply, next_step

WINDOW = timedelta(hours=72)
THRESHOLD = 0.3
QUERY_WORDS = 8  # an item looks for events under its best words
INDEX_WORDS = 15  # an event is found under its best words
MAX_CANDIDATES = 50
STALE = 0.02  # an event's cached vector is weighed again once its items move by 2 % …
STALE_DOCS = 0.1  # … or the documents seen by 10 % (idf moves by at most log 1.1 ≈ 0.1)
COOLDOWN = timedelta(hours=2)  # after a forecast failed, the same forecast waits this long


@dataclass
class Control:
    """What people and the incident workflow decide about an event."""

    override: int | None = None
    override_reason: str = ""
    responded_at: datetime | None = None
    missed_deadlines: int = 0


@dataclass(frozen=True)
class Decision:
    """An event's grade after a change, its prediction, and the warning step it caused."""

    event_id: int
    metrics: dict[str, float]
    flags: frozenset[str]
    grade: Grade
    rule_grade: Grade
    prediction: Prediction | None
    step: Step | None
    override_lifted: bool = False
    changed: bool = True  # anything to write (metrics, flags, grade, forecast or a step)


@dataclass
class EventEngine:
    plan: Plan | None
    new_id: Callable[[], int]
    require_scheme: bool = True
    threshold: float = THRESHOLD
    window: timedelta = WINDOW
    use_replies: bool = True
    heat_weights: HeatWeights | None = None
    events: dict[int, EventState] = field(default_factory=dict)
    controls: dict[int, Control] = field(default_factory=dict)
    warnings: dict[int, Active] = field(default_factory=dict)
    by_key: dict[str, int] = field(default_factory=dict)
    by_item: dict[int, int] = field(default_factory=dict)
    index: dict[str, set[int]] = field(default_factory=dict)
    indexed: dict[int, tuple[str, ...]] = field(default_factory=dict)
    df: DocFreq = field(default_factory=DocFreq)
    touched: set[int] = field(default_factory=set)
    # Brings back a quiet event from storage when a late reply or copy names one of its items.
    revive: Callable[[str | None, int | None], int | None] | None = None
    cooldown: dict[int, tuple[int, datetime]] = field(default_factory=dict)
    latest: datetime | None = None  # the newest item seen: the stream's own clock

    def place(self, obs: Observation) -> Placement | None:
        """Put an item into an event; None when it is not watched (no scheme matched)."""
        if obs.item_id in self.by_item:
            return Placement(obs.item_id, self.by_item[obs.item_id], "known")
        if self.latest is None or obs.at > self.latest:
            self.latest = obs.at
        event_id, how, score = None, "new", 0.0
        reply_to = obs.reply_to if self.use_replies else None
        if reply_to and (reply_to in self.by_key or self._revived(reply_to, None)):
            event_id, how = self.by_key[reply_to], "reply"
        elif obs.story_id is not None and (
            obs.story_id in self.by_item or self._revived(None, obs.story_id)
        ):
            event_id, how = self.by_item[obs.story_id], "copy"
        elif self.require_scheme and not obs.schemes:
            return None
        terms = words(obs.text)
        self.df.add(set(terms))
        if how == "new":
            event_id, score = self._similar(obs, Counter(terms))
            how = "similar" if event_id is not None else "new"
        if event_id is None:
            event_id = self.new_id()
            self.events[event_id] = EventState(event_id, obs.at, obs.at)
        self.join(event_id, obs, how == "reply", terms)
        return Placement(obs.item_id, event_id, how, round(score, 3))

    def _revived(self, key: str | None, item_id: int | None) -> bool:
        if self.revive is None:
            return False
        self.revive(key, item_id)
        return (key in self.by_key) if key is not None else (item_id in self.by_item)

    def join(self, event_id: int, obs: Observation, is_reply: bool, terms: list[str]) -> None:
        state = self.events[event_id]
        state.add(obs, is_reply, terms)
        self.by_key[obs.key] = event_id
        self.by_item[obs.item_id] = event_id
        self.touched.add(event_id)
        self._reindex(state)

    def _reindex(self, state: EventState) -> None:
        best = tuple(w for w, _ in state.words.most_common(INDEX_WORDS))
        old = self.indexed.get(state.id, ())
        if best == old:
            return
        for w in set(old) - set(best):
            ids = self.index.get(w)
            if ids is not None:
                ids.discard(state.id)
                if not ids:
                    del self.index[w]
        for w in set(best) - set(old):
            self.index.setdefault(w, set()).add(state.id)
        self.indexed[state.id] = best

    def _similar(self, obs: Observation, counts: Counter[str]) -> tuple[int | None, float]:
        if not counts:
            return None, 0.0
        item_vec = vector(counts, self.df)
        seen: Counter[int] = Counter()
        for w in list(item_vec)[:QUERY_WORDS]:
            seen.update(self.index.get(w, ()))
        best, best_score = None, 0.0
        for event_id, _ in seen.most_common(MAX_CANDIDATES):
            state = self.events[event_id]
            if obs.at - state.last_at > self.window:
                continue
            if self.require_scheme and obs.schemes and not (obs.schemes & state.schemes):
                continue
            score = cosine(item_vec, self._vector(state))
            if score > best_score:
                best, best_score = event_id, score
        if best_score >= self.threshold:
            return best, best_score
        return None, best_score

    def _vector(self, state: EventState) -> dict[str, float]:
        """An event's TF-IDF vector, kept until the event's items or the documents seen move
        by more than STALE / STALE_DOCS: an item is compared with up to 50 events, and
        weighting all of a large event's words each time was most of the stage's time under
        load (a small event's vector is weighed again at each new item). Documents seen grow
        with every watched item; at 2 % a fresh stream re-weighed every event it touched each
        few hundred items, for idf shifts of 0.02."""
        docs, cached = self.df.docs, state.vector
        if (
            cached is None
            or abs(state.items - cached[0]) > cached[0] * STALE
            or abs(docs - cached[1]) > docs * STALE_DOCS
        ):
            cached = state.vector = (state.items, docs, vector(state.words, self.df))
        return cached[2]

    def engage(self, update: Engagement) -> None:
        event_id = self.by_item.get(update.item_id)
        if event_id is not None and event_id in self.events:
            self.events[event_id].engage(update.item_id, update.values)
            self.touched.add(event_id)

    def evaluate(self, now: datetime, everything: bool = False) -> list[Decision]:
        """Grade the events that changed (or all active ones, for time-driven steps)."""
        ids = set(self.events) if everything else self.touched & set(self.events)
        self.touched.clear()
        out = []
        for i in sorted(ids):
            state = self.events[i]
            if self._settled(state):
                state.snapshot(now, state.settled[3])  # type: ignore[index]
            else:
                out.append(self._decide(state, now))
        return out

    def _settled(self, state: EventState) -> bool:
        """Whether deciding again would give what the last decision gave, and change nothing:
        a sweep re-decides every active event, and in the first 60,000 COVID posts four in five
        of those decisions were of such events. Its timeline still gets the sweep's bucket, so
        later forecasts read the same baselines."""
        held = state.settled
        return (
            held is not None
            and held[0] == state.changes
            and held[1] is self.plan
            and held[2] is self.heat_weights
            and state.id not in self.warnings
            and state.id not in self.cooldown
        )

    def _settle(
        self,
        state: EventState,
        now: datetime,
        metrics: dict[str, float],
        control: Control,
        decision: Decision,
    ) -> None:
        """Mark an event settled when time alone can no longer move its decision: ungraded, no
        warning, no forecast, no response being watched, and unchanged for longer than growth
        (an hour), a surge (an hour and a bucket) and the forecast's lookback look back — after
        that its metrics, flags and forecast rates stand still until it changes."""
        if state.decided is None or state.decided[0] != state.changes:
            state.decided = (state.changes, now)
        state.settled = None
        if (
            self.plan is None
            or decision.grade.level is not None
            or decision.prediction is not None
            or decision.step is not None
            or decision.override_lifted
            or control.responded_at is not None
            or state.id in self.warnings
        ):
            return
        if now - state.decided[1] > max(HOUR, lookback(self.plan)) + BUCKET:
            state.settled = (state.changes, self.plan, self.heat_weights, metrics)

    def _decide(self, state: EventState, now: datetime) -> Decision:
        metrics = state.metrics(now, self.heat_weights)
        flags = state.flags(now)
        state.snapshot(now, metrics)
        if self.plan is None:
            none = Grade(None)
            changed = self._changed(state, (metrics, flags))
            return Decision(state.id, metrics, flags, none, none, None, None, changed=changed)
        control = self.controls.get(state.id, Control())
        rule_grade = self._rule_grade(state, metrics, flags)
        base = rule_grade
        if control.override is not None:
            base = Grade(control.override, (f"人工定级: {control.override_reason}",), "override")
        facts = ResponseFacts(control.responded_at, 0, 0, control.missed_deadlines)
        if control.responded_at is not None:
            before = state.items_at(control.responded_at)
            facts = ResponseFacts(
                control.responded_at,
                before - state.items_at(control.responded_at - timedelta(hours=1)),
                state.items - before,
                control.missed_deadlines,
            )
        final = escalate(base, facts, self.plan, now)
        lifted = final.escalated and control.override is not None
        if lifted:
            control.override = None
        prediction = predict(
            state.baseline, metrics, flags, self.plan, now, state.first_at, final.level
        )
        held = self.cooldown.get(state.id)
        if prediction is not None and held is not None:
            if now >= held[1]:
                del self.cooldown[state.id]
            elif prediction.level >= held[0]:
                prediction = None  # the same forecast failed a moment ago: do not repeat it
        active = self.warnings.get(state.id)
        step = next_step(active, final, prediction, now)
        if (
            step is not None
            and active is not None
            and active.predicted
            and (step.action in ("lowered", "lifted"))
        ):
            self.cooldown[state.id] = (active.level, now + COOLDOWN)
        if step is not None:
            new = apply(active, step)
            if new is None:
                self.warnings.pop(state.id, None)
            else:
                self.warnings[state.id] = new
        forecast = (
            (
                prediction.level,
                prediction.at.replace(
                    minute=prediction.at.minute // 30 * 30, second=0, microsecond=0
                ),
            )
            if prediction
            else None
        )
        changed = self._changed(state, (metrics, flags, final, rule_grade.level, forecast))
        decision = Decision(
            state.id,
            metrics,
            flags,
            final,
            rule_grade,
            prediction,
            step,
            lifted,
            changed or step is not None or lifted,
        )
        self._settle(state, now, metrics, control, decision)
        return decision

    def _rule_grade(
        self, state: EventState, metrics: dict[str, float], flags: frozenset[str]
    ) -> Grade:
        """Grading is pure, so a quiet event whose metrics and flags stand still keeps its grade:
        the sweep re-decides every active event every 5 minutes, and most of them are quiet."""
        assert self.plan is not None
        held = state.graded
        if held is not None and held[0] is self.plan and held[1] == flags and held[2] == metrics:
            return held[3]
        result = grade(metrics, flags, self.plan)
        state.graded = (self.plan, flags, metrics, result)
        return result

    @staticmethod
    def _changed(state: EventState, fingerprint: tuple[object, ...]) -> bool:
        if state.saved == fingerprint:
            return False
        state.saved = fingerprint
        return True

    def evict(self, now: datetime) -> list[int]:
        """Forget events quiet for longer than the window (they stay in the database). The
        window is measured back from the newest item seen, so importing last year's posts keeps
        last year's recent events together."""
        head = min(now, self.latest) if self.latest else now
        gone = [i for i, s in self.events.items() if head - s.last_at > self.window]
        for event_id in gone:
            state = self.events.pop(event_id)
            for item_id in state.engagement:
                self.by_item.pop(item_id, None)
            for w in self.indexed.pop(event_id, ()):
                ids = self.index.get(w)
                if ids is not None:
                    ids.discard(event_id)
                    if not ids:
                        del self.index[w]
            self.controls.pop(event_id, None)
            self.warnings.pop(event_id, None)
            self.cooldown.pop(event_id, None)
        if gone:
            live = set(self.events)
            self.by_key = {k: e for k, e in self.by_key.items() if e in live}
        return gone
