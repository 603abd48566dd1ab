"""Proxy variables as a cron job meets them: a real forwarding proxy, a dead one, garbage, SOCKS, NO_PROXY.

The proxy is a tiny forwarding HTTP proxy on 127.0.0.1 written here; a dead proxy is a port nothing listens on.
"""

from __future__ import annotations

import threading
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from kb.config import load_config
from kb.fetchers import Fetcher
from kb.models import SourceResult
from tests.cli.test_cron import kb
from tests.support.httpserver import HttpServer, http_server
from tests.support.socks_server import SocksServer
from tests.support.workspace import make_workspace

__all__ = ["http_server"]

RSS = b"<rss version='2.0'><channel><title>ok</title><item><title>One</title><guid>g1</guid></item></channel></rss>"
PROXY_VARIABLES = ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY", "no_proxy")


class _Forwarder(BaseHTTPRequestHandler):
    """GET http://host/path from a client that uses us as its proxy: fetched directly and passed back."""

    seen: list[str]

    def do_GET(self) -> None:
        type(self).seen.append(self.path)
        direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with direct.open(self.path, timeout=5) as upstream:
            body = upstream.read()
            self.send_response(upstream.status)
            self.send_header("Content-Type", upstream.headers.get("Content-Type", "application/xml"))
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def proxy() -> Iterator[tuple[str, list[str]]]:
    seen: list[str] = []
    handler = type("Forwarder", (_Forwarder,), {"seen": seen})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", seen
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def no_proxy_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (*PROXY_VARIABLES, "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)


def _dead_port() -> int:
    server = HttpServer().start()
    port = int(server.base_url.rsplit(":", 1)[1].rstrip("/"))
    server.close()
    return port


def _fetch(tmp_path: Path, server: HttpServer) -> dict[str, SourceResult]:
    server.add("/feed", RSS, headers={"Content-Type": "application/rss+xml"})
    root = make_workspace(tmp_path / "ws", server, feeds={"Blog": "/feed"})
    results: dict[str, SourceResult] = {}
    with Fetcher(load_config(root / "feeds.yaml")) as fetcher:
        fetcher.fetch_all(None, {}, lambda result: results.__setitem__(result.source, result))
    return results


def test_feeds_go_through_the_http_proxy(
    tmp_path: Path, http_server: HttpServer, proxy: tuple[str, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, seen = proxy
    monkeypatch.setenv("http_proxy", url)
    results = _fetch(tmp_path, http_server)
    assert results["Blog"].ok, results["Blog"].error
    assert seen == [http_server.url("/feed")]


def test_no_proxy_localhost_exempts_127_0_0_1(
    tmp_path: Path, http_server: HttpServer, proxy: tuple[str, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, seen = proxy
    monkeypatch.setenv("http_proxy", url)
    monkeypatch.setenv("NO_PROXY", "localhost")
    results = _fetch(tmp_path, http_server)
    assert results["Blog"].ok and seen == []


def test_a_dead_proxy_is_named_in_the_error(
    tmp_path: Path, http_server: HttpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    dead = f"http://127.0.0.1:{_dead_port()}"
    monkeypatch.setenv("HTTP_PROXY", dead)
    error = _fetch(tmp_path, http_server)["Blog"].error or ""
    assert f"proxy {dead}" in error and "HTTP_PROXY" in error


def test_a_dead_socks_proxy_is_named_in_the_error(
    tmp_path: Path, http_server: HttpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    dead = f"socks5://127.0.0.1:{_dead_port()}"
    monkeypatch.setenv("ALL_PROXY", dead)
    error = _fetch(tmp_path, http_server)["Blog"].error or ""
    assert f"proxy {dead}" in error and "ALL_PROXY" in error


@pytest.mark.parametrize("value", ["garbage:::", "ftp://proxy.example:21", "http://:3128", "http://[::1"])
def test_a_proxy_variable_kb_cannot_use_is_one_line_naming_it(
    tmp_path: Path, http_server: HttpServer, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    http_server.add("/feed", RSS)
    root = make_workspace(tmp_path / "ws", http_server, feeds={"Blog": "/feed"})
    monkeypatch.setenv("http_proxy", value)
    result = kb("fetch", "-q", root=root)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("kb: http_proxy=")


def test_a_fetch_goes_through_a_socks5_proxy_from_all_proxy(
    tmp_path: Path, http_server: HttpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`kb fetch` with ALL_PROXY=socks5://127.0.0.1:PORT: the feed comes through the proxy (it saw the CONNECT)."""
    http_server.add("/feed", RSS, headers={"Content-Type": "application/rss+xml"})
    root = make_workspace(tmp_path / "ws", http_server, feeds={"Blog": "/feed"})
    with SocksServer() as socks:
        monkeypatch.setenv("ALL_PROXY", f"socks5://127.0.0.1:{socks.port}")
        fetched = kb("fetch", "-q", root=root)
        assert fetched.returncode == 0, fetched.stderr
        assert socks.targets == [http_server.base_url.split("//", 1)[1].rstrip("/")]  # host:port of the feed
    monkeypatch.delenv("ALL_PROXY")
    listed = kb("list", "--json", root=root)
    assert '"One"' in listed.stdout


def test_a_dead_socks_proxy_is_one_line_of_kb_fetch_naming_it(
    tmp_path: Path, http_server: HttpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    http_server.add("/feed", RSS, headers={"Content-Type": "application/rss+xml"})
    root = make_workspace(tmp_path / "ws", http_server, feeds={"Blog": "/feed"})
    dead = f"socks5://127.0.0.1:{_dead_port()}"
    monkeypatch.setenv("ALL_PROXY", dead)
    fetched = kb("fetch", "-q", root=root)
    assert fetched.returncode == 1, fetched.stderr
    lines = fetched.stderr.strip().splitlines()
    assert len(lines) == 1 and f"proxy {dead}" in lines[0] and "ALL_PROXY" in lines[0], fetched.stderr
    assert "Traceback" not in fetched.stderr
