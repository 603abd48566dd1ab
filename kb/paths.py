"""Where a workspace's files live, and how a workspace is found."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from kb.errors import WorkspaceNotFound

CONFIG_NAME = "feeds.yaml"
STATE_DIR = ".kb"


@dataclass(frozen=True)
class Workspace:
    """The files of one workspace. Only paths: nothing here touches the disk."""

    root: Path

    @property
    def config(self) -> Path:
        return self.root / CONFIG_NAME

    @property
    def notes(self) -> Path:
        return self.root / "notes"

    @property
    def state(self) -> Path:
        return self.root / STATE_DIR

    @property
    def database(self) -> Path:
        return self.state / "kb.sqlite"

    @property
    def index(self) -> Path:
        return self.state / "index"

    @property
    def log(self) -> Path:
        return self.state / "kb.log"

    @property
    def fetch_lock(self) -> Path:
        return self.state / "fetch.lock"


def find_workspace(root: str | os.PathLike[str] | None = None, cwd: Path | None = None) -> Workspace:
    """Resolve the workspace: ``root`` (--root), then ``KB_ROOT``, then the nearest feeds.yaml upwards."""
    if root is not None:
        return _explicit(Path(root), "--root")
    env_root = os.environ.get("KB_ROOT")
    if env_root:
        return _explicit(Path(env_root), "KB_ROOT")
    start = (cwd or Path.cwd()).resolve()
    for folder in (start, *start.parents):
        if (folder / CONFIG_NAME).is_file():
            return Workspace(folder)
    raise WorkspaceNotFound(
        f"no workspace: no {CONFIG_NAME} in {start} or any folder above it",
        hint="run `kb init` to create one, or pass --root DIR / set KB_ROOT",
    )


def _explicit(path: Path, where: str) -> Workspace:
    path = path.expanduser().resolve()
    if not (path / CONFIG_NAME).is_file():
        raise WorkspaceNotFound(
            f"no workspace at {path} (from {where}): {CONFIG_NAME} is missing",
            hint=f"run `kb init {path}` to create one",
        )
    return Workspace(path)
