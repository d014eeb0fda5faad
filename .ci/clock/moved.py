"""Exit 1 unless a Python process started now reads a clock N days ahead of the real one.

`.ci/run` runs it before the suite with the moved clock, so a suite that silently ran on
today's date cannot pass for one that ran years ahead. The real day comes from the
kernel (a new file's modification time), which the moved clock does not reach.
"""

import datetime as dt
import os
import subprocess
import sys
import tempfile

days = int(os.environ["VAULTCRM_CI_CLOCK_AHEAD_DAYS"])
with tempfile.NamedTemporaryFile() as probe:
    real = dt.datetime.fromtimestamp(os.stat(probe.name).st_mtime).date()
shown = subprocess.run(
    [sys.executable, "-c", "import datetime; print(datetime.date.today())"],
    capture_output=True, text=True, check=True,
).stdout.strip()
ahead = (dt.date.fromisoformat(shown) - real).days
if abs(ahead - days) > 1:
    sys.exit(f"the clock is {ahead} days ahead in a child process, not {days}")
print(f"clock moved: today is {shown} in every Python process (really {real})")
