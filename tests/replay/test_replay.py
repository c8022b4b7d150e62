"""`yuqing replay` through the whole pipeline, and the CED reader on the data's quirks."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from typer.testing import CliRunner

from yuqing.cli import app
from yuqing.replay.formats import read_ced, read_jsonl
from yuqing.replay.run import ticks

T0 = datetime(2026, 11, 22, 1, 0, tzinfo=UTC)
POST = "某县第一中学食堂发生食物中毒，二十多名学生送医院治疗，家长质疑学校食品安全管理"


def _stream(path: Path) -> Path:
    lines = [{"id": "p1", "source": "weibo", "text": POST, "observed_at": T0.isoformat()}]
    for i in range(1, 130):
        at = T0 + timedelta(minutes=i * 0.5)
        lines.append(
            {
                "id": f"r{i}",
                "source": "weibo",
                "text": f"第{i}条评论：食堂必须给个说法",
                "reply_to": "p1",
                "observed_at": at.isoformat(),
            }
        )
    lines.append(
        {
            "id": "p1",
            "source": "weibo",
            "text": POST,
            "metrics": {"reads": 4000},
            "observed_at": (T0 + timedelta(minutes=70)).isoformat(),
        }
    )
    text = "\n".join(json.dumps(x, ensure_ascii=False) for x in lines)
    path.write_text(text + "\n{broken\n" + json.dumps({"id": "x", "text": "无时间"}) + "\n")
    return path


def run(args: list[str]):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, args)


def test_replay_writes_every_decision(tmp_path: Path) -> None:
    out = tmp_path / "timeline.jsonl"
    result = run(
        [
            "replay",
            str(_stream(tmp_path / "s.jsonl")),
            "--plan",
            "yuqing/plan/builtin/enterprise-three-level.yaml",
            "--out",
            str(out),
        ]
    )
    assert result.exit_code == 0, result.output
    assert "s.jsonl:132: invalid JSON" in result.output
    assert "s.jsonl:133: neither observed_at" in result.output
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    items = [x for x in lines if x["type"] == "item"]
    assert len(items) == 130 and {x["event_id"] for x in items} == {items[0]["event_id"]}
    assert items[0]["item_id"] == "p1" and items[1]["how"] == "reply"
    warnings = [x for x in lines if x["type"] == "warning"]
    levels = [(w["action"], w["level"], w["predicted"]) for w in warnings]
    assert levels[0][0] == "issued"
    real = [w for w in warnings if not w["predicted"]]
    assert real[-1]["level"] == 1 and "阅读 4000 ≥ 3000" in real[-1]["reasons"]
    forecast = [w for w in warnings if w["predicted"]]
    assert forecast and forecast[0]["reasons"][0].startswith("预计")
    first_real_2 = next(w for w in warnings if w["level"] <= 2 and not w["predicted"])
    assert forecast[0]["t"] < first_real_2["t"]  # the forecast came before the crossing


def test_replay_refuses_a_wrong_plan(tmp_path: Path) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text(
        "name: x\nlevels:\n  - level: 1\n    name: 一级\n    colour: red\n"
        "    criteria: [coments >= 5]\n    lead_unit: a\n    approver: b\n"
    )
    result = run(["replay", str(_stream(tmp_path / "s.jsonl")), "--plan", str(plan)])
    assert result.exit_code == 1 and "6:16: levels.0.criteria.0: unknown metric" in result.output


def test_ticks_group_by_simulated_time(tmp_path: Path) -> None:
    records, _ = read_jsonl(_stream(tmp_path / "s.jsonl"))
    groups = list(ticks(records, timedelta(minutes=5)))
    assert groups[0][0] == T0 + timedelta(minutes=5) and len(groups[0][1]) == 10
    assert sum(len(g) for _, g in groups) == len(records)


def test_ced_reader_handles_the_datas_quirks(tmp_path: Path) -> None:
    posts = [
        {
            "event_id": "a",
            "label": "rumor",
            "text": "网传某地水库决堤",
            "time": 1347334462,
            "user": {"followers": 10, "verified": False},
            "comments": 3,
            "reposts": 0,
        },
        {
            "event_id": "b",
            "label": "non-rumor",
            "text": "",
            "user": "empty",
            "comments": 0,
            "time": "Sat Jun 29 12:40:09 +0800 2013",
        },
    ]
    (tmp_path / "original_microblogs.jsonl").write_text(
        "\n".join(json.dumps(p, ensure_ascii=False) for p in posts) + "\n"
    )
    replies = [
        {
            "event_id": "a",
            "mid": "m1",
            "uid": "u1",
            "text": "真的假的",
            "date": "2012-09-11 11:40:00",
        },
        {"event_id": "a", "mid": "m0", "uid": "u2", "text": "", "date": "2012-09-10 00:00:00"},
        {"event_id": "b", "mid": "m2", "uid": "u3", "text": "辟谣了", "date": "07月01日 09:00"},
    ]
    with gzip.open(tmp_path / "reposts_comments.jsonl.gz", "wt", encoding="utf-8") as f:
        for r in replies:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    records, cascades = read_ced(tmp_path)
    assert [r.item.id for r in records] == ["a", "a/m0", "a/m1", "b", "b/m2"]
    assert records[1].at == records[0].at  # a reply stamped before its post moves to the post
    assert records[1].item.text == "转发微博" and records[3].item.text == "转发微博"
    assert records[4].at == datetime(2013, 7, 1, 1, 0, tzinfo=UTC)
    assert len(cascades["a"].replies) == 2
    aligned, _ = read_ced(tmp_path, align=True, within=timedelta(days=1))
    assert {r.at for r in aligned if r.item.reply_to is None} == {records[0].at}
    assert len(aligned) == 4  # b's reply came two days later
