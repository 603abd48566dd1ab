"""The snapshots hold on any day: the snapshot tests again, with the whole process's clock a year ahead.

test_snapshots.py takes the screens today (in this run); this runs the same tests in a child pytest under
faketime, which moves the process's clocks (the fetch's stamps, the masks' today, the app's default
clock) a year on. Both must match the one set of committed snapshots. faketime is a Debian package (.ci/run
installs it); without it the test skips, saying so.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
A_YEAR_AHEAD = "+366d"  # from any day, a day of the next year


@pytest.mark.skipif(shutil.which("faketime") is None, reason="faketime is not installed (apt-get install faketime)")
@pytest.mark.skipif("FAKETIME" in os.environ, reason="this run is under faketime already: it is the test")
def test_the_snapshots_match_with_the_clock_a_year_ahead(tmp_path: Path) -> None:
    # faketime's default: the monotonic clock moves too (with FAKETIME_DONT_FAKE_MONOTONIC, libfaketime 0.9.10
    # makes Python's time.sleep fail with EINVAL). Timed waits on events may then hang: this child has none.
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("KB_UPDATE_SNAPSHOTS", None)  # compare, never rewrite
    command = [
        "faketime",
        "-f",
        A_YEAR_AHEAD,
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "--basetemp",
        str(tmp_path / "run"),
        str(REPO / "tests" / "tui" / "test_snapshots.py"),
    ]
    year = subprocess.run(
        [*command[:3], sys.executable, "-c", "import datetime; print(datetime.date.today().year)"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert int(year.stdout) == date.today().year + 1, year.stderr  # the child's clock did move
    result = subprocess.run(command, capture_output=True, text=True, env=env, cwd=REPO, timeout=600)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "5 passed" in result.stdout
