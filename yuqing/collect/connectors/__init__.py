"""Connectors: one small module per kind of source, all behind `Connector.harvest`.

A connector turns a source's configuration into item dicts in the item schema. It never writes
to the database: the runner stores what it returns, then advances the source's state.
"""

from __future__ import annotations

from yuqing.collect.connectors.api import ApiConnector
from yuqing.collect.connectors.base import ConfigError, Connector, Harvest, SourceSpec
from yuqing.collect.connectors.rss import RssConnector
from yuqing.collect.connectors.web import WebConnector

CONNECTORS: dict[str, Connector] = {
    "rss": RssConnector(),
    "web": WebConnector(),
    "api": ApiConnector(),
}
PULL_KINDS = tuple(CONNECTORS)

__all__ = ["CONNECTORS", "PULL_KINDS", "ConfigError", "Connector", "Harvest", "SourceSpec"]
