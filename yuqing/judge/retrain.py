"""Retraining the sentiment model from the console.

The console starts `yuqing model train --with-feedback` as a child process: training takes
minutes of CPU, which the web process must not spend, and it goes on if the page is closed. Its
state is a small file in the data folder, so every web worker (and a restarted one) sees it.
"""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from yuqing.judge.sentiment import CARD, MODEL, own_model_path
from yuqing.settings import Settings
from yuqing.store.base import utcnow

STATE = "sentiment-training.json"
LOG = "sentiment-training.log"
LOCK = "sentiment-training.lock"
_LOG_TAIL = 2_000  # characters of the log shown when a training failed


class TrainingRefused(Exception):
    """Why a training cannot start now; shown to the person who asked."""


@dataclass(frozen=True)
class Training:
    state: str  # none | running | done | failed
    by: str = ""
    started_at: datetime | None = None
    finished_at: datetime | None = None
    message: str = ""


@dataclass(frozen=True)
class ModelInfo:
    own: bool  # trained here with the console's corrections, not the shipped one
    trained_at: datetime | None  # of the own model
    report: dict[str, Any]  # what `yuqing model train` measured (empty when unknown)
    card: str  # the model card, as written with the model
    shipped: dict[str, Any]  # the shipped model's figures, to compare an own model with


def model_info(settings: Settings) -> ModelInfo:
    own = own_model_path(settings)
    path = own if own.exists() else MODEL
    card_file = own.with_name(CARD.name) if own.exists() else CARD
    card = card_file.read_text(encoding="utf-8") if card_file.exists() else ""
    trained = datetime.fromtimestamp(own.stat().st_mtime, UTC) if own.exists() else None
    return ModelInfo(own.exists(), trained, _report(path), card, _report(MODEL))


def _report(model: Path) -> dict[str, Any]:
    try:
        report = json.loads(model.with_suffix(".json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return report if isinstance(report, dict) else {}


def reset(settings: Settings) -> bool:
    """Go back to the shipped model (the corrections stay, for a later training); False when
    there was no own model."""
    if training(settings).state == "running":
        raise TrainingRefused("a training is running: wait for it to finish")
    own = own_model_path(settings)
    existed = own.exists()
    for path in (own, own.with_suffix(".json"), own.with_name(CARD.name)):
        path.unlink(missing_ok=True)
    return existed


def training(settings: Settings) -> Training:
    """The last training asked for in the console, as far as anyone can tell now."""
    raw = _read_state(settings)
    if not raw:
        return Training("none")
    t = Training(
        raw.get("state", "none"),
        raw.get("by", ""),
        _time(raw.get("started_at")),
        _time(raw.get("finished_at")),
        raw.get("message", ""),
    )
    if t.state == "running" and not _alive(raw.get("pid")):
        # The process that waited for it is gone (a restart): judge by what it left.
        own = own_model_path(settings)
        done = t.started_at and own.exists() and own.stat().st_mtime >= t.started_at.timestamp()
        message = "" if done else f"the training stopped without a model; see {_log(settings)}"
        return Training("done" if done else "failed", t.by, t.started_at, None, message)
    return t


def start(settings: Settings, by: str) -> Training:
    """Start a training unless one runs or the training data is missing. Web workers asked at
    once take turns on a lock file, so only one of them starts it."""
    folder = own_model_path(settings).parent
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / LOCK).open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return _start(settings, by)


def _start(settings: Settings, by: str) -> Training:
    current = training(settings)
    if current.state == "running":
        raise TrainingRefused(f"a training started by {current.by} is still running")
    data = settings.shared_data.resolve()
    if not (data / "smp2020_ewect").exists():
        raise TrainingRefused(
            f"the training data is not at {data / 'smp2020_ewect'}: set shared_data in settings"
        )
    env = os.environ | {"YUQING_DATA_DIR": str(settings.data_dir)}
    if settings.database_url:
        env["YUQING_DATABASE_URL"] = settings.database_url
    command = [sys.executable, "-m", "yuqing.cli", "model", "train", "--with-feedback"]
    with _log(settings).open("w", encoding="utf-8") as log:
        child = subprocess.Popen(
            [*command, "--data", str(data)],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            start_new_session=True,
        )
    started = utcnow()
    state = {"state": "running", "pid": child.pid, "by": by, "started_at": started.isoformat()}
    _write_state(settings, state)
    threading.Thread(target=_wait, args=(settings, child, state), daemon=True).start()
    return Training("running", by, started)


def _wait(settings: Settings, child: subprocess.Popen[bytes], state: dict[str, Any]) -> None:
    code = child.wait()
    message = ""
    if code != 0:
        text = _log(settings).read_text(encoding="utf-8", errors="replace")
        message = f"exit code {code}: {text[-_LOG_TAIL:]}"
    finished = {"finished_at": utcnow().isoformat(), "message": message}
    _write_state(settings, state | finished | {"state": "done" if code == 0 else "failed"})


def _alive(pid: object) -> bool:
    if not isinstance(pid, int):
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _time(value: object) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) else None


def _state_file(settings: Settings) -> Path:
    return own_model_path(settings).with_name(STATE)


def _log(settings: Settings) -> Path:
    return own_model_path(settings).with_name(LOG)


def _read_state(settings: Settings) -> dict[str, Any]:
    try:
        raw = json.loads(_state_file(settings).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return raw if isinstance(raw, dict) else {}


def _write_state(settings: Settings, state: dict[str, Any]) -> None:
    """Written whole and renamed into place: a reader never sees half a file."""
    path = _state_file(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(state, ensure_ascii=False), encoding="utf-8")
    tmp.replace(path)
