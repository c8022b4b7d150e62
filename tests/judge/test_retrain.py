"""What the console knows of a training when the process that started it is gone."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import make_settings
from yuqing.judge import retrain
from yuqing.store.db import Database


def _state(settings, **values: object) -> None:  # type: ignore[no-untyped-def]
    folder = settings.data_dir / "models"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / retrain.STATE).write_text(json.dumps(values))


def _dead_pid() -> int:
    done = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        text=True,
        capture_output=True,
        check=True,
    )
    return int(done.stdout)


def test_a_training_whose_process_is_gone_is_judged_by_what_it_left(
    db: Database, tmp_path: Path
) -> None:
    settings = make_settings(tmp_path, db)
    assert retrain.training(settings).state == "none"
    started = "2026-11-23T10:00:00+00:00"
    _state(settings, state="running", pid=_dead_pid(), by="boss", started_at=started)
    lost = retrain.training(settings)
    assert lost.state == "failed" and retrain.LOG in lost.message
    model = tmp_path / "models" / "sentiment.npz"
    model.write_bytes(b"written after the start")
    assert retrain.training(settings).state == "done"
    _state(
        settings,
        state="running",
        pid=_dead_pid(),
        by="boss",
        started_at=f"{time.strftime('%Y')}-12-31T23:59:59+00:00",
    )
    assert retrain.training(settings).state == "failed"  # the model is older than the start


def test_a_broken_state_file_reads_as_no_training(db: Database, tmp_path: Path) -> None:
    settings = make_settings(tmp_path, db)
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / retrain.STATE).write_text("{half a fi")
    assert retrain.training(settings).state == "none"
