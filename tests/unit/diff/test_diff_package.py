"""The package surface and the speed the engine relies on."""

from __future__ import annotations

import copy
import fnmatch
import time

from tests.unit.diff.helpers import scenario

import trueup.diff
from trueup.diff import DiffOptions, SyncStatus, compare, parse_ignore_differences


def test_all_names_are_exported() -> None:
    assert sorted(trueup.diff.__all__) == sorted(set(trueup.diff.__all__))
    for name in trueup.diff.__all__:
        assert hasattr(trueup.diff, name), name


def test_a_thousand_objects_diff_well_under_a_second() -> None:
    desired, predicted, live = scenario("scale")
    batch = []
    for index in range(1000):
        d, p, lv = copy.deepcopy(desired), copy.deepcopy(predicted), copy.deepcopy(live)
        for obj in (d, p, lv):
            obj["metadata"]["name"] = f"web-{index}"
        batch.append((d, p if index % 2 else None, lv))
    options = DiffOptions(ignore=parse_ignore_differences(
        [{"group": "apps", "kind": "Deployment", "name": "web-1*", "jsonPointers": ["/spec/replicas"]}]))
    start = time.process_time()  # CPU time: other processes on the machine do not count
    diffs = [compare(d, p, lv, options) for d, p, lv in batch]
    elapsed = time.process_time() - start
    print(f"1,000 objects diffed in {elapsed:.3f}s CPU")
    assert elapsed < 1.0, f"{elapsed:.2f}s for 1,000 objects"
    synced = sum(d.status is SyncStatus.SYNCED for d in diffs)
    assert synced == sum(fnmatch.fnmatchcase(f"web-{i}", "web-1*") for i in range(1000)) == 111
