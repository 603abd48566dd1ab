"""Which editor opens a note: ``$VISUAL``, then ``$EDITOR``, then the first of nano / vi found.

The CLI and the TUI both ask here, before a note is created, so a missing editor leaves no unedited
template behind: one line naming the editor and where it came from instead.
"""

from __future__ import annotations

import os
import shlex
import shutil
from collections.abc import Mapping

from kb.errors import UsageError

_HINT = "set $EDITOR (or $VISUAL) to an editor that is installed, e.g. `export EDITOR=nano`"


def editor_command(env: Mapping[str, str] | None = None) -> list[str]:
    """The editor's command line (without the file), checked to exist; UsageError naming it otherwise."""
    env = os.environ if env is None else env
    for variable in ("VISUAL", "EDITOR"):
        value = env.get(variable, "").strip()
        if not value:
            continue
        try:
            command = shlex.split(value)
        except ValueError as error:
            raise UsageError(f"${variable} cannot be read as a command: {error}", hint=_HINT) from None
        if not command or shutil.which(command[0], path=env.get("PATH")) is None:
            raise UsageError(f"editor {value!r} (from ${variable}) not found", hint=_HINT)
        return command
    for fallback in ("nano", "vi"):
        if shutil.which(fallback, path=env.get("PATH")):
            return [fallback]
    raise UsageError("no editor: $VISUAL and $EDITOR are not set and neither nano nor vi is installed", hint=_HINT)
