"""Creating a workspace: feeds.yaml, notes/ and the hidden state folder."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from kb.atomic import write_atomic
from kb.errors import UsageError
from kb.paths import CONFIG_NAME, STATE_DIR, Workspace


def init_workspace(folder: Path) -> tuple[Workspace, list[str]]:
    """Create a workspace in ``folder`` (made if missing). Never overwrites: returns what it created."""
    folder = folder.expanduser().resolve()
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"{folder} exists and is not a folder")
    workspace = Workspace(folder)
    created: list[str] = []
    folder.mkdir(parents=True, exist_ok=True)
    data = resources.files("kb").joinpath("data")
    _create(workspace.config, data.joinpath("feeds.yaml").read_text(encoding="utf-8"), created, folder)
    workspace.notes.mkdir(exist_ok=True)
    _create(
        workspace.notes / "README.md",
        data.joinpath("notes-README.md").read_text(encoding="utf-8"),
        created,
        folder,
    )
    workspace.state.mkdir(exist_ok=True)
    # The state is derived or personal and machine-local: keep it out of the workspace's git history.
    _create(workspace.state / ".gitignore", "*\n", created, folder)
    gitignore = folder / ".gitignore"
    if not gitignore.exists():
        _create(gitignore, f"{STATE_DIR}/\n", created, folder)
    elif f"{STATE_DIR}/" not in gitignore.read_text(encoding="utf-8", errors="replace").split():
        with gitignore.open("a", encoding="utf-8") as handle:
            handle.write(f"\n{STATE_DIR}/\n")
        created.append(".gitignore (added .kb/)")
    return workspace, created


def _create(path: Path, text: str, created: list[str], root: Path) -> None:
    if path.exists():
        return
    write_atomic(path, text.encode("utf-8"), exclusive=True)  # never over a file made meanwhile
    created.append(str(path.relative_to(root)))


__all__ = ["CONFIG_NAME", "init_workspace"]
