"""The multiprocess files behind /metrics: a scrape merges the files of exited processes into one archive
per kind without changing any total, and leaves living processes' files alone. Files are written as
prometheus_client's multiprocess mode writes them; the whole path under gunicorn is in
tests/blocra/test_metrics_gunicorn.py."""

import os
import subprocess
import sys

import pytest
from prometheus_client.mmap_dict import MmapedDict, mmap_key
from prometheus_client.multiprocess import MultiProcessCollector

from blocra import metrics

REQUESTS = ("blocra_http_requests", "blocra_http_requests_total", ["route", "method", "status"])
DURATION = "blocra_http_request_duration_seconds"


def exited_pid() -> int:
    """The number of a process that has exited (and been reaped)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def write(path, values: list[tuple]) -> None:
    """`values`: (metric, sample name, label names, label values, value) each."""
    store = MmapedDict(str(path))
    for metric, name, labelnames, labelvalues, value in values:
        store.write_value(mmap_key(metric, name, labelnames, labelvalues, "help"), value, 0.0)
    store.close()


def counts(path, kind: str, labelnames: list[str], labelvalues: list[str], value: float) -> None:
    """A counter or histogram file with one request counted `value` times and, for a histogram, its
    time in the 0.1 s bucket."""
    if kind == "counter":
        write(path, [(*REQUESTS, labelvalues, value)])
    else:
        write(
            path,
            [
                (DURATION, f"{DURATION}_bucket", [*labelnames, "le"], [*labelvalues, "0.1"], value),
                (DURATION, f"{DURATION}_bucket", [*labelnames, "le"], [*labelvalues, "+Inf"], 0.0),
                (DURATION, f"{DURATION}_sum", labelnames, labelvalues, value * 0.05),
            ],
        )


def totals(directory) -> dict[tuple, float]:
    collected = MultiProcessCollector.merge([str(p) for p in directory.glob("*.db")], accumulate=True)
    return {(s.name, tuple(sorted(s.labels.items()))): s.value for m in collected for s in m.samples}


def test_metrics_files_of_exited_processes_merge_into_the_archive_keeping_every_total(tmp_path):
    # given: two exited workers' and one living process's counters and histograms, and an archive
    first, second, living = exited_pid(), exited_pid(), os.getpid()
    labels = ["api", "GET", "200"]
    for pid, value in ((first, 3.0), (second, 5.0), (living, 7.0)):
        counts(tmp_path / f"counter_{pid}.db", "counter", REQUESTS[2], labels, value)
        counts(tmp_path / f"histogram_{pid}.db", "histogram", ["route", "method"], labels[:2], value)
    counts(tmp_path / "counter_archive.db", "counter", REQUESTS[2], labels, 100.0)
    write(tmp_path / f"gauge_livesum_{first}.db", [("g", "g", [], [], 2.0)])
    write(tmp_path / f"gauge_livesum_{living}.db", [("g", "g", [], [], 1.0)])
    before = totals(tmp_path)

    # when
    metrics._files_compact(str(tmp_path))

    # then: the same totals from fewer files; the exited workers' files are gone, the living one's kept
    names = sorted(p.name for p in tmp_path.glob("*.db"))
    assert names == sorted(
        [
            "counter_archive.db",
            "histogram_archive.db",
            f"counter_{living}.db",
            f"histogram_{living}.db",
            f"gauge_livesum_{living}.db",
        ]
    )
    after = totals(tmp_path)
    gauge = ("g", ())
    assert before.pop(gauge) == 3.0  # the exited worker's requests in progress are over
    assert after.pop(gauge) == 1.0
    assert after == pytest.approx(before)  # sums of floats, added in another order
    assert after[("blocra_http_requests_total", (("method", "GET"), ("route", "api"), ("status", "200")))] == 115.0
    assert after[(f"{DURATION}_count", (("method", "GET"), ("route", "api")))] == 15.0

    # and merging again changes nothing
    metrics._files_compact(str(tmp_path))
    assert totals(tmp_path) == pytest.approx({**after, gauge: 1.0})


def test_metrics_files_of_living_processes_only_are_left_as_they_are(tmp_path):
    counts(tmp_path / f"counter_{os.getpid()}.db", "counter", REQUESTS[2], ["api", "GET", "200"], 4.0)
    metrics._files_compact(str(tmp_path))
    assert [p.name for p in tmp_path.glob("*.db")] == [f"counter_{os.getpid()}.db"]
