"""Every test runs against a temporary workspace: no test can touch a real one."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

REPO = Path(__file__).resolve().parent.parent
#: How every test that needs the recorded corpus says why it skipped (the CI check below looks for it).
NO_CORPUS = "recorded corpus not found: set KB_CORPUS or put shared/corpus beside the repository"

# A fixed, derandomized profile so CI is repeatable; `HYPOTHESIS_PROFILE=dev` explores more.
settings.register_profile(
    "ci", derandomize=True, deadline=None, max_examples=50, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", deadline=None, max_examples=200)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def corpus_dir() -> Path | None:
    """The recorded corpus: $KB_CORPUS, else ../shared/corpus beside the repository."""
    candidate = Path(os.environ.get("KB_CORPUS") or REPO.parent / "shared" / "corpus")
    return candidate if candidate.is_dir() else None


@pytest.fixture
def corpus() -> Path:
    """The recorded corpus folder; the test is skipped, saying why, when it is absent."""
    found = corpus_dir()
    if found is None:
        pytest.skip(NO_CORPUS)
    return found


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """In CI (the CI variable set, as .ci/run sets it) the corpus is always beside the clone: a test skipped for
    want of it means the corpus tests silently did not run, so it fails instead."""
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if report.skipped and os.environ.get("CI") and "recorded corpus not found" in str(report.longrepr):
        report.outcome = "failed"
        report.longrepr = f"CI is set but the recorded corpus is missing, so this corpus test would skip: {NO_CORPUS}"


@pytest.fixture(autouse=True)
def isolated_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No test sees the developer's workspace, editor or browser."""
    monkeypatch.delenv("KB_ROOT", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("EDITOR", "true")
    monkeypatch.setenv("VISUAL", "true")
    monkeypatch.setenv("BROWSER", "true")
    monkeypatch.setenv("KB_DEBUG", "1")
    monkeypatch.chdir(tmp_path)
    yield
