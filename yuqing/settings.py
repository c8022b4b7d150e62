"""Configuration: environment (YUQING_*) over the settings file in the data dir over defaults.

The data dir holds everything an installation owns (database, settings, secret), so that one
folder is what an operator backs up or moves.
"""

from __future__ import annotations

import json
import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import Field
from pydantic_settings import (
    BaseSettings,
    JsonConfigSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

SETTINGS_FILE = "settings.json"


def default_data_dir() -> Path:
    return Path(os.environ.get("YUQING_DATA_DIR", "var")).resolve()


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="YUQING_", extra="ignore")

    data_dir: Path = Field(default_factory=default_data_dir)
    database_url: str = ""
    secret_key: str = ""
    timezone: str = "Asia/Shanghai"
    default_language: str = "zh-CN"
    session_hours: int = 12
    login_max_failures: int = 5
    login_window_minutes: int = 15
    max_request_bytes: int = 16 * 1024 * 1024
    max_batch_items: int = 1000
    page_size: int = 50
    collect: bool = True  # run the collector inside `yuqing serve`
    notify: bool = True  # run the notifier (sending, 督办, digests) inside `yuqing serve`
    collect_tick_seconds: float = 5.0  # how often the collector looks for due sources
    heat_weights: dict[str, Any] = Field(default_factory=dict)  # see yuqing/judge/heat.py
    shared_data: Path = Path("../shared/data")  # recorded streams offered for drills
    public_url: str = "http://127.0.0.1:8000"  # how messages link back to the console
    demo_drill: bool = False  # `yuqing serve --demo`: play the built-in drill at start
    report_hour: int = 8  # daily (and Monday weekly, 1st monthly) reports made at this hour
    retention_days: int = 0  # forget raw items of quiet events after so many days; 0 keeps all

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        file = default_data_dir() / SETTINGS_FILE
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        if file.exists():
            sources.append(JsonConfigSettingsSource(settings_cls, json_file=file))
        return tuple(sources)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'yuqing.db'}"


def write_initial_settings(data_dir: Path) -> bool:
    """Create the data dir and its settings file with a fresh secret key; False if it existed."""
    data_dir.mkdir(parents=True, exist_ok=True)
    file = data_dir / SETTINGS_FILE
    if file.exists():
        return False
    content: dict[str, Any] = {"secret_key": secrets.token_urlsafe(48), "timezone": "Asia/Shanghai"}
    file.write_text(json.dumps(content, indent=2) + "\n", encoding="utf-8")
    file.chmod(0o600)
    return True


@lru_cache
def get_settings() -> Settings:
    return Settings()
