"""The keys of a screen, read from its bindings: one source for the footer, the `?` help and the palette."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.dom import DOMNode
from textual.screen import Screen


@dataclass(frozen=True)
class KeyHelp:
    """One action and every key bound to it."""

    keys: str
    description: str
    action: str
    node: DOMNode
    where: str


#: The widgets keys can belong to, in words (by the widget's id), for the help's "where" column.
WIDGET_NAMES = {
    "items": "the list",
    "reader": "the reader",
    "filter": "the filter line",
    "query": "the query box",
    "hits": "the results",
    "note-list": "the note list",
    "note-editor": "the note editor",
    "sources": "the sources table",
}


def _where(node: DOMNode) -> str:
    """Where a key applies, in words: everywhere, this screen, or the widget ("the list", "the reader")."""
    if isinstance(node, App):
        return "everywhere"
    if isinstance(node, Screen):
        return "this screen"
    if node.id in WIDGET_NAMES:
        return WIDGET_NAMES[node.id]
    # A widget kb has not named: its class name in words ("OptionList" -> "the option list").
    return "the " + re.sub(r"(?<!^)(?=[A-Z])", " ", type(node).__name__).lower()


def kb_actions(node: DOMNode) -> set[str]:
    """Actions bound by kb's own classes of ``node`` (not the generic ones Textual's base classes add)."""
    actions: set[str] = set()
    for cls in type(node).__mro__:
        if cls.__module__.startswith("kb."):
            actions.update(b.action for b in cls.__dict__.get("BINDINGS", ()) if isinstance(b, Binding))
    return actions


def screen_keys(screen: Screen[Any]) -> list[KeyHelp]:
    """The bindings with a description active on ``screen`` (focused widget, screen, app), keys merged."""
    merged: dict[tuple[int, str], KeyHelp] = {}
    own: dict[int, set[str]] = {}
    for key, active in screen.active_bindings.items():
        binding = active.binding
        actions = own.setdefault(id(active.node), kb_actions(active.node))
        if not binding.description or binding.system or binding.action not in actions:
            continue
        shown = screen.app.get_key_display(binding) if binding.key == key else key
        slot = (id(active.node), binding.action)
        if slot in merged:
            known = merged[slot]
            if shown not in known.keys.split(" "):
                merged[slot] = KeyHelp(
                    f"{known.keys} {shown}", known.description, known.action, known.node, known.where
                )
        else:
            merged[slot] = KeyHelp(shown, binding.description, binding.action, active.node, _where(active.node))
    return list(merged.values())


def palette_commands(app: App[Any], screen: Screen[Any]) -> Iterator[SystemCommand]:
    """A palette command for every key of ``screen``, running the same action as the key."""
    for key in screen_keys(screen):
        if key.action in ("command_palette", "app.command_palette"):
            continue
        run = partial(app.run_action, key.action, key.node)
        yield SystemCommand(key.description, f"key: {key.keys} ({key.where})", run)
