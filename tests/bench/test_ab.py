from bench.ab import order, summary


def test_each_side_runs_first_as_often_as_the_other() -> None:
    runs = order(4)
    assert runs == ["base", "this", "this", "base", "base", "this", "this", "base"]
    firsts = [runs[i] for i in range(0, len(runs), 2)]
    assert firsts.count("base") == firsts.count("this")


def _run(rate: int, events: int = 10) -> dict[str, int]:
    return {"items_per_second": rate, "events": events, "warnings": 2}


def test_the_change_is_judged_by_the_ratio_of_medians_and_its_results_compared() -> None:
    out = summary(
        {"base": [_run(100), _run(300), _run(110)], "this": [_run(120), _run(121), _run(90)]}
    )
    assert out["median"] == {"base": 110, "this": 120}
    assert out["ratio"] == 1.091
    assert out["same_results"] == {"events": True, "warnings": True}
    changed = summary({"base": [_run(100)], "this": [_run(100, events=11)]})
    assert changed["same_results"] == {"events": False, "warnings": True}
    assert changed["events"] == {"base": 10, "this": 11}
