"""Workspaces filled through the real fetch path (loopback server, real arxiv client and feedparser)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from kb.cli.main import main
from tests.support.httpserver import HttpServer, http_server
from tests.support.workspace import FIXTURES, make_workspace

__all__ = ["http_server", "kb", "kb_json"]

LILLOG = "blogs/lilianweng_lil-log_hugo_rss2_index.xml"


def kb(root: Path, *args: str, input: str | bytes | None = None) -> Result:
    """Run `kb --root ROOT ARGS...` through click, as a person would."""
    return CliRunner().invoke(main, ["--root", str(root), *args], input=input, catch_exceptions=False)


def kb_json(root: Path, *args: str) -> Any:
    """The parsed stdout of a `--json` command that must succeed."""
    result = kb(root, *args)
    assert result.exit_code == 0, result.output + result.stderr
    return json.loads(result.stdout)


@pytest.fixture
def served(http_server: HttpServer, corpus: Path) -> HttpServer:
    """The loopback server with one day of cs.CL announcements and Lil'Log's feed."""
    http_server.add_file("/rss/cs.CL", FIXTURES / "rss_attention_v7.xml")
    http_server.add_file("/blogs/lillog", corpus / LILLOG, "application/rss+xml")
    return http_server


@pytest.fixture
def fetched(tmp_path: Path, served: HttpServer) -> Path:
    """A workspace that has fetched the announcements and Lil'Log."""
    root = make_workspace(tmp_path / "a", served, categories=("cs.CL",), feeds={"Lil'Log": "/blogs/lillog"})
    result = kb(root, "fetch", "-q")
    assert result.exit_code == 0, result.stderr
    return root


@pytest.fixture
def empty(tmp_path: Path, served: HttpServer) -> Path:
    """A second workspace on the same server that has fetched nothing."""
    return make_workspace(tmp_path / "b", served, categories=("cs.CL",), feeds={"Lil'Log": "/blogs/lillog"})
