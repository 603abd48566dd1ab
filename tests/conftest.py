"""Every test runs against a temporary workspace: no test can touch a real one."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

REPO = Path(__file__).resolve().parent.parent

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
        pytest.skip("recorded corpus not found: set KB_CORPUS or put shared/corpus beside the repository")
    return found


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
