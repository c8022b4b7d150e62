"""What every connector shares: the source as plain data, the result, the interface."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from pydantic import BaseModel, ValidationError

from yuqing.collect.fetch import Fetcher


class ConfigError(ValueError):
    """A source's configuration is wrong; the message names the field."""


@dataclass(frozen=True)
class SourceSpec:
    id: int
    key: str
    kind: str
    config: dict[str, Any]
    allow_private: bool = False
    respect_robots: bool = True
    etag: str | None = None
    last_modified: str | None = None


@dataclass
class Harvest:
    items: list[dict[str, Any]] = field(default_factory=list)
    not_modified: bool = False
    etag: str | None = None
    last_modified: str | None = None
    notes: list[str] = field(default_factory=list)  # skipped articles, recovered parse errors


class Connector(Protocol):
    kind: str
    config_model: type[BaseModel]

    def url_of(self, config: BaseModel) -> str: ...

    def harvest(
        self,
        spec: SourceSpec,
        fetcher: Fetcher,
        now: datetime,
        known_url: Callable[[str], bool],
    ) -> Harvest: ...


def parse_config(model: type[BaseModel], config: dict[str, Any]) -> Any:
    """Validate a source configuration; ConfigError names each bad field."""
    try:
        return model.model_validate(config)
    except ValidationError as exc:
        parts = []
        for e in exc.errors(include_url=False):
            loc = ".".join(str(p) for p in e["loc"])
            parts.append(f"{loc}: {e['msg'].removeprefix('Value error, ')}")
        raise ConfigError("; ".join(parts)) from exc
