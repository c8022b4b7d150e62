"""Small stand-ins for ../shared/data's files that `yuqing model train` reads."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

SAD = ["太难过了", "心里很难受", "真让人伤心", "哭了一晚上", "悲痛欲绝", "好伤心啊"]
HAPPY = ["太开心了", "真高兴", "好幸福啊", "笑死我了哈哈", "开心极了", "高兴得跳起来"]
CALM = ["今天开会", "明天下雨", "公交改线", "通知如下", "会议延期", "数据更新"]


def write_smp(folder: Path) -> Path:
    """SMP2020-EWECT's four files, all alike; returns the data folder."""
    rows = [{"content": t, "label": "sad"} for t in SAD]
    rows += [{"content": t, "label": "happy"} for t in HAPPY]
    rows += [{"content": t, "label": "neutral"} for t in CALM]
    rows += [
        {"content": "居然这样", "label": "surprise"},
        {"content": "气死了", "label": "angry"},
        {"content": "好可怕", "label": "fear"},
    ]
    smp = folder / "smp2020_ewect"
    smp.mkdir(parents=True)
    for name in ("usual_train", "virus_train", "usual_eval_labeled", "virus_eval_labeled"):
        (smp / f"{name}.json").write_text(json.dumps(rows, ensure_ascii=False))
    return folder


def write_ced(folder: Path, texts: list[str]) -> Path:
    """CED's reposts and comments file with these texts (and a line without one)."""
    path = folder / "ced_weibo_rumor" / "reposts_comments.jsonl.gz"
    path.parent.mkdir(parents=True)
    with gzip.open(path, "wt", encoding="utf-8") as out:
        out.write(json.dumps({"mid": "0", "kids": []}) + "\n")
        for i, text in enumerate(texts):
            out.write(json.dumps({"mid": str(i), "kids": [], "text": text}) + "\n")
    return folder
