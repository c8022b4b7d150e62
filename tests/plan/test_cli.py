from pathlib import Path

from yuqing.plan.versions import templates


def test_check_load_list_template(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    code, out = run("plan", "template")
    assert code == 0 and "county-four-level" in out
    text = run("plan", "template", "school-three-level")[1]
    assert text == templates()["school-three-level"]
    good = tmp_path / "plan.yaml"
    good.write_text(text, encoding="utf-8")
    code, out = run("plan", "check", str(good))
    assert code == 0 and "Ⅰ级（重大）" in out
    bad = tmp_path / "bad.yaml"
    bad.write_text(text.replace("comments >= 500 or reposts >= 500", "comments >= 500 or"))
    code, out = run("plan", "check", str(bad))
    assert code == 1 and f"{bad}:" in out
    assert "a metric, flag.NAME or ( is missing" in out
    assert run("plan", "load", str(good))[0] == 0
    assert "v1" in run("plan", "load", str(good), "--note", "same")[1]  # unchanged: same version
    good.write_text(text.replace("items >= 3 or", "items >= 5 or"), encoding="utf-8")
    assert "v2 stored and active" in run("plan", "load", str(good))[1]
    listing = run("plan", "list")[1].splitlines()
    assert listing[0].startswith("*") and "v2" in listing[0] and "v1" in listing[1]
    gbk = tmp_path / "gbk.yaml"
    gbk.write_bytes(text.encode("gbk"))
    assert "not UTF-8" in run("plan", "check", str(gbk))[1]
