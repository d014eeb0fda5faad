"""Move the wall clock of every Python process years ahead, for `.ci/run` (not shipped).

With this folder on `PYTHONPATH` and `VAULTCRM_CI_CLOCK_AHEAD_DAYS=N` set, Python runs
this file at start-up, so the test process and every Python process it starts (each
`python -m vaultcrm`, the shells' completion callbacks, forked children) read a clock N
days ahead: `date.today()`, `datetime.now()`, `time.time()`, `time.localtime()`. The
clock keeps ticking; monotonic clocks, file times and non-Python programs (git) keep the
real time, which vaultcrm never compares with the day.

time-machine does the moving. libfaketime (Debian's `faketime`) was tried first and
reaches every program, but breaks CPython 3.11 itself: with monotonic clocks left real,
`time.sleep` fails with EINVAL (libfaketime issue 426); with them faked, `time.monotonic()`
now and then overflows. Either failure is the tool's, not a date the suite depends on.
"""

import os

_days = os.environ.get("VAULTCRM_CI_CLOCK_AHEAD_DAYS")
if _days:
    import datetime as _dt

    import time_machine as _tm

    _now = _dt.datetime.now(_dt.UTC)
    _tm.travel(_now + _dt.timedelta(days=int(_days)), tick=True).start()
