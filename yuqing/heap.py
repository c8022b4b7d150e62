"""The garbage collector's settings for a long-running process (`yuqing serve`, `worker`, `import`).

With 1,000 items/s arriving, CPython's default thresholds (700, 10, 10) ran a young collection
every few hundred allocations; the events stage's many objects that live for one run (rows, the
run's decisions) survived them, were promoted, and set off a full collection every few seconds —
13 in a minute, up to 600 ms each, with the stage holding its transaction. A full collection also
walked the ~190,000 objects of the loaded code and models, which never die.

So, once the models are loaded: collect, freeze what exists (the collector no longer walks it),
and let the young generation grow to 50,000 objects. In bench/alert_load on PostgreSQL this
left one full collection a minute (about 200 ms) and cut the time spent collecting from 5.5 s to
0.8 s a minute (docs/performance.md, "Alert latency"). A long `yuqing import` is the same work,
so it settles too: the end-to-end pipeline ran 24 % faster settled (2,404 and 2,459 → 2,973 and
3,135 items/s on 100,000 posts, alternating). Objects freed by their reference counts are freed
as before; only cycles among the frozen ones are never collected, and those were loaded to stay.
"""

from __future__ import annotations

import gc

THRESHOLDS = (50_000, 20, 10)


def settle() -> None:
    gc.collect()
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)
