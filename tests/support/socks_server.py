"""A tiny SOCKS5 proxy on 127.0.0.1 (RFC 1928: no authentication, CONNECT only), for proxy tests.

It records each CONNECT target as "host:port" in ``targets``, so a test can prove a request went through it,
then relays bytes both ways until either side closes. Nothing else of SOCKS (BIND, UDP, auth) is spoken.
"""

from __future__ import annotations

import select
import socket
import socketserver
import struct
import threading


class _Socks5(socketserver.BaseRequestHandler):
    server: SocksServer

    def handle(self) -> None:
        client: socket.socket = self.request
        version, methods = _read(client, 2)
        if version != 5 or 0 not in _read(client, methods):
            client.sendall(b"\x05\xff")  # no acceptable method
            return
        client.sendall(b"\x05\x00")  # version 5, no authentication
        _, command, _, kind = _read(client, 4)
        if kind == 1:
            host = socket.inet_ntop(socket.AF_INET, _read(client, 4))
        elif kind == 4:
            host = socket.inet_ntop(socket.AF_INET6, _read(client, 16))
        else:  # 3: a domain name, length first
            host = _read(client, _read(client, 1)[0]).decode("idna")
        (port,) = struct.unpack("!H", _read(client, 2))
        if command != 1:
            client.sendall(b"\x05\x07\x00\x01" + bytes(6))  # command not supported
            return
        self.server.targets.append(f"{host}:{port}")
        try:
            upstream = socket.create_connection((host, port), timeout=5)
        except OSError:
            client.sendall(b"\x05\x05\x00\x01" + bytes(6))  # connection refused
            return
        with upstream:
            bound_host, bound_port = upstream.getsockname()[:2]
            client.sendall(b"\x05\x00\x00\x01" + socket.inet_aton(bound_host) + struct.pack("!H", bound_port))
            _relay(client, upstream)


def _read(sock: socket.socket, count: int) -> bytes:
    data = b""
    while len(data) < count:
        chunk = sock.recv(count - len(data))
        if not chunk:
            raise ConnectionError("the client closed the connection mid-handshake")
        data += chunk
    return data


def _relay(one: socket.socket, other: socket.socket) -> None:
    peers = {one: other, other: one}
    while True:
        ready, _, _ = select.select(list(peers), [], [], 10)
        if not ready:
            return
        for sock in ready:
            data = sock.recv(65536)
            if not data:
                return
            peers[sock].sendall(data)


class SocksServer(socketserver.ThreadingTCPServer):
    """``with SocksServer() as proxy:`` serves on 127.0.0.1:``proxy.port`` in a daemon thread."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Socks5)
        self.targets: list[str] = []
        self.port = int(self.server_address[1])
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)

    def __enter__(self) -> SocksServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
        self.server_close()
