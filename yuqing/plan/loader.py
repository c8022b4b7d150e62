"""Reading a plan file: YAML → checked `Plan`, or every problem with its line and column.

PyYAML's node tree keeps where each value was written, so a problem found by pydantic (which
knows only the path, e.g. levels.1.criteria.0) or by the criteria parser (which knows the
column inside the expression) is reported at its place in the file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml
from pydantic import ValidationError

from yuqing.plan.durations import Duration, parse_duration
from yuqing.plan.expr import Expr, ExprError, parse
from yuqing.plan.schema import ROMAN, LevelSpec, PlanSpec, ShiftDeadline


@dataclass(frozen=True)
class Problem:
    line: int
    column: int
    path: str
    message: str

    def __str__(self) -> str:
        where = f" {self.path}:" if self.path else ""
        return f"{self.line}:{self.column}:{where} {self.message}"


class PlanError(ValueError):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class Deadline:
    at_work: Duration
    off_hours: Duration  # the same as at_work unless the plan says otherwise


@dataclass(frozen=True)
class Level:
    spec: LevelSpec
    criteria: tuple[Expr, ...]
    deadlines: dict[str, Deadline]

    @property
    def number(self) -> int:
        return self.spec.level

    @property
    def label(self) -> str:
        """'Ⅱ级（重大）'."""
        return f"{ROMAN[self.number]}级（{self.spec.name}）"


@dataclass(frozen=True)
class Plan:
    spec: PlanSpec
    levels: tuple[Level, ...]  # most severe first
    text: str = field(repr=False, default="")

    @property
    def name(self) -> str:
        return self.spec.name

    def level(self, number: int) -> Level:
        return self.levels[number - 1]

    @property
    def least(self) -> int:
        return len(self.levels)


def _locate(root: yaml.Node | None, path: tuple[Any, ...]) -> yaml.Node | None:
    """The deepest node along a pydantic error path (a key, an index, …)."""
    node = root
    for part in path:
        if isinstance(node, yaml.MappingNode):
            found = None
            for key, value in node.value:
                if key.value == str(part):
                    found = value
                    break
            if found is None:
                return node
            node = found
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if part >= len(node.value):
                return node
            node = node.value[part]
        else:
            return node
    return node


def _where(node: yaml.Node | None) -> tuple[int, int]:
    if node is None:
        return 1, 1
    return node.start_mark.line + 1, node.start_mark.column + 1


def _path(parts: tuple[Any, ...]) -> str:
    return ".".join(str(p) for p in parts)


def _duplicates(node: yaml.Node | None, path: tuple[Any, ...] = ()) -> list[Problem]:
    problems: list[Problem] = []
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            if key.value in seen:
                line, col = _where(key)
                problems.append(Problem(line, col, _path(path), f"{key.value!r} is given twice"))
            seen.add(key.value)
            problems += _duplicates(value, (*path, key.value))
    elif isinstance(node, yaml.SequenceNode):
        for i, value in enumerate(node.value):
            problems += _duplicates(value, (*path, i))
    return problems


def load_plan(text: str) -> Plan:
    """A checked plan, or PlanError listing every problem found."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise PlanError([Problem(line, col, "", f"not valid YAML: {exc.problem}")]) from exc
    except yaml.reader.ReaderError as exc:  # a control character: YAML refuses it
        line = text.count("\n", 0, exc.position) + 1
        column = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        raise PlanError(
            [Problem(line, column, "", f"character U+{exc.character:04X} is not allowed in YAML")]
        ) from exc
    except yaml.YAMLError as exc:
        raise PlanError([Problem(1, 1, "", f"not valid YAML: {exc}")]) from exc
    problems = _duplicates(root)
    if not isinstance(data, dict):
        raise PlanError([Problem(1, 1, "", "a plan is a mapping with name, levels, …")])
    try:
        spec = PlanSpec.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            loc = tuple(err["loc"])
            # a union's member names (str, ShiftDeadline) are not part of the file's path
            loc = tuple(p for p in loc if p not in ("str", "ShiftDeadline"))
            line, col = _where(_locate(root, loc))
            problems.append(Problem(line, col, _path(loc), err["msg"]))
        raise PlanError(problems) from exc
    levels, more = _compile(spec, root)
    problems += more
    if problems:
        raise PlanError(sorted(problems, key=lambda p: (p.line, p.column)))
    return Plan(spec, levels, text)


def _compile(spec: PlanSpec, root: yaml.Node | None) -> tuple[tuple[Level, ...], list[Problem]]:
    problems: list[Problem] = []

    def problem(path: tuple[Any, ...], message: str, offset: int = 0) -> None:
        node = _locate(root, path)
        line, col = _where(node)
        if isinstance(node, yaml.ScalarNode) and node.style in ("'", '"'):
            offset += 1
        problems.append(Problem(line, col + offset, _path(path), message))

    numbers = [lv.level for lv in spec.levels]
    if sorted(numbers) != list(range(1, len(numbers) + 1)):
        problem(("levels",), f"levels must be numbered 1..{len(numbers)} once each, got {numbers}")
    if spec.warnings.incident_at > len(numbers):
        problem(("warnings", "incident_at"), f"there is no level {spec.warnings.incident_at}")
    for i, e in enumerate(spec.escalation):
        try:
            parse_duration(e.window)
        except ValueError as exc:
            problem(("escalation", i, "window"), str(exc))
    for key in ("horizon", "lookback"):
        try:
            parse_duration(getattr(spec.warnings.predict, key))
        except ValueError as exc:
            problem(("warnings", "predict", key), str(exc))
    for key in ("ack_within", "digest_every"):
        try:
            if parse_duration(getattr(spec.warnings, key)).working_days:
                problem(("warnings", key), "minutes or hours, not working days")
        except ValueError as exc:
            problem(("warnings", key), str(exc))
    levels: list[Level] = []
    for i, lv in enumerate(spec.levels):
        criteria: list[Expr] = []
        for j, text in enumerate(lv.criteria):
            try:
                criteria.append(parse(text))
            except ExprError as exc:
                problem(("levels", i, "criteria", j), exc.message, exc.column - 1)
        deadlines: dict[str, Deadline] = {}
        for kind, value in lv.deadlines.items():
            try:
                if isinstance(value, ShiftDeadline):
                    at_work = parse_duration(value.working_hours)
                    deadlines[kind] = Deadline(at_work, parse_duration(value.off_hours))
                else:
                    d = parse_duration(value)
                    deadlines[kind] = Deadline(d, d)
            except ValueError as exc:
                problem(("levels", i, "deadlines", kind), str(exc))
        levels.append(Level(lv, tuple(criteria), deadlines))
    levels.sort(key=lambda lv: lv.number)
    return tuple(levels), problems
