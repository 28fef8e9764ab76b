"""prim serve freezes what start-up made, so later full collections do not walk it."""

from __future__ import annotations

import gc

from prim.runtime.gc_pauses import freeze_startup_objects


def test_start_up_objects_are_left_out_of_later_collections() -> None:
    assert gc.get_freeze_count() == 0
    try:
        frozen = freeze_startup_objects()
        # Frozen objects freed later leave the count (other tests' threads may free some
        # meanwhile), so the count only ever shrinks from what the call reported.
        assert frozen > 10_000  # the imported modules at least
        assert 0 < gc.get_freeze_count() <= frozen
        tracked = len(gc.get_objects())
        assert tracked < frozen  # what a full collection still walks
    finally:
        gc.unfreeze()
