"""How hard the hostile suites push. `make test` runs them at everyday strength with fixed inputs
(CI is not a lottery); `make test-slow` sets YUQING_SLOW=1: many times the examples, fresh random
inputs on every run, bigger crash workloads."""

from __future__ import annotations

import os

SLOW = os.environ.get("YUQING_SLOW") == "1"


def examples(everyday: int) -> int:
    return everyday * 25 if SLOW else everyday


def scale(everyday: int) -> int:
    return everyday * 10 if SLOW else everyday
