"""Promise 6, end to end: a feeds.yaml a person got wrong gives one line (file, line, hint), exit 2, and
leaves the workspace exactly as it was, for every command. tests/config covers the parser itself.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from kb.cli.main import main
from tests.reliability.helpers import kb, tree

#: (what a person did, feeds.yaml bytes, the line the message must name, words it must contain)
MISTAKES: list[tuple[str, bytes, int | None, str]] = [
    ("tab indentation", b"arxiv:\n\tcategories: [cs.LG]\n", 2, "invalid YAML"),
    ("misspelt section", b"feed:\n  - name: x\n    url: https://example.org/f\n", 1, "did you mean 'feeds'"),
    ("category in the wrong case", b"arxiv:\n  categories: [cs.LG, cs.lg]\n", 2, "did you mean 'cs.LG'"),
    ("url without a scheme", b"feeds:\n  - name: x\n    url: example.org/feed\n", 3, "not an http(s) URL"),
    ("feed without a url", b"feeds:\n  - name: x\n", 2, "missing 'url'"),
    (
        "two feeds with one name",
        b"feeds:\n  - name: x\n    url: https://a.org/f\n  - name: X\n    url: https://b.org/f\n",
        4,
        "already used",
    ),
    ("negative timeout", b"fetch:\n  read_timeout: -1\n", 2, "out of range"),
    ("queries as one string", b"arxiv:\n  queries: au:Hinton_G\n", 2, "expected a list"),
    ("unquoted colon", b"feeds:\n  - name: My blog: the best\n    url: https://e.org/f\n", 2, "invalid YAML"),
    ("a pasted control character", b"feeds:\n  - name: a\x07b\n    url: https://e.org/f\n", 2, "control character"),
    ("section given twice", b"arxiv:\n  categories: [cs.LG]\narxiv:\n  categories: [cs.CV]\n", 3, "given twice"),
    ("saved search without a query", b"arxiv:\n  queries:\n    - name: x\n", 3, "missing 'query'"),
    ("an empty mute rule", b"mute:\n  - {}\n", 2, "mute everything"),
    ("unknown key in a feed", b"feeds:\n  - name: x\n    link: https://e.org/f\n", 3, "unknown key"),
    ("a word where a number goes", b"fetch:\n  retries: three\n", 2, "expected a whole number"),
    ("a list for the whole file", b"- arxiv\n- feeds\n", 1, "expected a mapping"),
    ("not UTF-8", b"feeds:\n  - name: caf\xe9\n    url: https://e.org/f\n", 2, "not UTF-8"),
]


def _workspace(tmp_path: Path, text: bytes) -> Path:
    """A workspace someone wrote by hand and never ran kb in: feeds.yaml and notes/, no .kb/ yet."""
    root = tmp_path / "ws"
    (root / "notes").mkdir(parents=True)
    (root / "notes" / "idea.md").write_text("# An idea\n", "utf-8")
    (root / "feeds.yaml").write_bytes(text)
    return root


def _check(tmp_path: Path, text: bytes, line: int | None, words: str) -> None:
    root = _workspace(tmp_path, text)
    before = tree(root)
    result = kb("fetch", "-q", root=root)
    assert result.returncode == 2, result.stderr
    assert result.stdout == "" and result.stderr.count("\n") == 1, result.stderr
    message = result.stderr
    assert message.startswith("kb: ") and "Traceback" not in message
    assert f"feeds.yaml:{line}:" in message, message
    assert words in message and "hint:" in message, message
    assert tree(root) == before, "a bad feeds.yaml changed the workspace"


@pytest.mark.parametrize(("label", "text", "line", "words"), MISTAKES, ids=[m[0] for m in MISTAKES])
def test_a_mistake_is_one_line_with_file_line_and_hint_and_changes_nothing(
    tmp_path: Path, label: str, text: bytes, line: int | None, words: str
) -> None:
    _check(tmp_path, text, line, words)


@pytest.mark.parametrize(
    "command", [["list"], ["status"], ["search", "x"], ["notes"], ["reindex"], ["read", "1706.03762"]]
)
def test_every_command_refuses_a_bad_feeds_yaml_the_same_way(tmp_path: Path, command: list[str]) -> None:
    root = _workspace(tmp_path, MISTAKES[1][1])
    before = tree(root)
    result = CliRunner().invoke(main, ["--root", str(root), *command])
    assert result.exit_code == 2
    assert result.stderr.startswith("kb: ") and result.stderr.count("\n") == 1 and "feeds.yaml:1:" in result.stderr
    assert tree(root) == before


_PIECES = st.sampled_from(
    [
        "arxiv:\n", "  categories: [cs.LG]\n", "  categories: cs.LG\n", "  queries:\n", "    - name: q\n",
        "      query: au:X\n", "feeds:\n", "  - name: b\n", "    url: https://e.org/f\n", "    url: ftp://x\n",
        "fetch:\n", "  retries: 2\n", "  retries: -3\n", "mute:\n", "  - title: survey\n", "\t", ": ", "- ", "[", "]",
        "{", "}", "'", '"', "#", "&a ", "*a\n", "!!python/object:os.system\n", "%YAML 1.1\n", "---\n", "...\n",
    ]
)  # fmt: skip
_TEXTS = st.lists(st.one_of(_PIECES, st.text(max_size=8)), max_size=14).map("".join)


@settings(max_examples=50)
@given(text=_TEXTS)
def test_any_feeds_yaml_is_accepted_or_refused_in_one_line(tmp_path_factory: pytest.TempPathFactory, text: str) -> None:
    root = _workspace(tmp_path_factory.mktemp("any"), text.encode("utf-8", "surrogatepass"))
    result = CliRunner().invoke(main, ["--root", str(root), "status"])  # KB_DEBUG is set: a bug would raise
    if result.exit_code == 0:
        return
    assert result.exit_code == 2, (text, result.output)
    assert result.stderr.startswith("kb: ") and result.stderr.count("\n") == 1, result.stderr
    assert not (root / ".kb").exists()
