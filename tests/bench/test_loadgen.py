"""Reading wrk's report (bench/loadgen.py): rates, percentiles in any unit, failures."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent / "bench"))

import loadgen

REPORT = """Running 8s test @ http://127.0.0.1:8000/t/1
  2 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   285.12ms   40.01ms   1.20s    90.00%
    Req/Sec    14.02      5.11    30.00     70.00%
  Latency Distribution
     50%  285.00ms
     75%  300.10ms
     90%  350.00ms
     99%    1.20s
  216 requests in 8.02s, 15.10MB read
  Socket errors: connect 0, read 1, write 0, timeout 2
  Non-2xx or 3xx responses: 4
Requests/sec:     26.93
Transfer/sec:      1.88MB
"""


def test_wrk_report_is_read_in_milliseconds_with_every_failure_counted() -> None:
    load = loadgen.parse_wrk(REPORT)
    assert load.requests == 216 and load.seconds == 8.02
    assert load.per_second == 26.93
    assert load.p50 == 285.0 and load.p99 == 1200.0
    assert load.errors == 4 + 1 + 2


def test_microsecond_latencies_and_a_clean_run() -> None:
    clean = REPORT.replace("285.00ms", "912.00us").splitlines()
    text = "\n".join(line for line in clean if "errors" not in line and "Non-2xx" not in line)
    load = loadgen.parse_wrk(text)
    assert load.p50 == 0.912 and load.errors == 0
