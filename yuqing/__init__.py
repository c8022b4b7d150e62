"""Yuqing (舆情): run an organisation's online public-opinion emergency plan end to end."""

__version__ = "0.1.0"
