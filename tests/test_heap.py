import gc
from collections.abc import Iterator

import pytest

from yuqing import heap


@pytest.fixture
def restored() -> Iterator[None]:
    before = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*before)


def test_a_settled_service_stops_walking_what_was_loaded_and_collects_young_objects_less_often(
    restored: None,
) -> None:
    class Loaded:
        pass

    kept = Loaded()
    heap.settle()
    assert gc.get_threshold() == heap.THRESHOLDS
    assert gc.get_freeze_count() > 0
    assert not any(o is kept for o in gc.get_objects())  # frozen: no longer walked
    fresh = Loaded()
    assert any(o is fresh for o in gc.get_objects())  # what comes later is collected as usual
