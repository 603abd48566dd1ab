"""Proxy variables, read and checked by kb rather than left to httpx.

httpx reads HTTP(S)_PROXY / ALL_PROXY itself, but an unreadable value (``http_proxy=garbage:::``) or a SOCKS
proxy without its extra then fails the whole fetch with an exception, a dead proxy's "Connection refused" does
not say it was the proxy, and ``NO_PROXY=localhost`` does not exempt 127.0.0.1. Here every variable is
checked up front (a bad one is one UsageError line naming it), loopback names exempt each other, and
:meth:`Proxies.for_url` says which proxy a request went through so that errors can name it.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

import httpx

from kb.errors import UsageError

_SCHEMES = ("http", "https", "socks5", "socks5h")
_LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1"})


@dataclass(frozen=True)
class Proxies:
    """The proxy for http:// and https:// URLs (None: direct) and the hosts NO_PROXY exempts."""

    http: str | None = None
    https: str | None = None
    exempt: tuple[str, ...] = ()  # host names (lower case, no leading dot); "*" exempts everything
    variables: Mapping[str, str] = field(default_factory=dict)  # scheme -> the variable its proxy came from

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> Proxies:
        """Read the proxy variables (lower case wins, as curl does); raises UsageError naming a bad one."""
        env = os.environ if environ is None else environ
        found: dict[str, tuple[str, str]] = {}  # scheme -> (variable, url)
        for scheme, names in (("http", ("http_proxy", "HTTP_PROXY")), ("https", ("https_proxy", "HTTPS_PROXY"))):
            for name in (*names, "all_proxy", "ALL_PROXY"):
                value = env.get(name, "").strip()
                if value:
                    found[scheme] = (name, _checked(name, value))
                    break
        exempt: list[str] = []
        for name in ("no_proxy", "NO_PROXY"):
            value = env.get(name, "").strip()
            if value:
                exempt = [_host(entry) for entry in value.split(",") if entry.strip()]
                break
        if any(host in _LOOPBACK for host in exempt):  # localhost, 127.0.0.1 and ::1 are one machine
            exempt += sorted(_LOOPBACK - set(exempt))
        return cls(
            http=found["http"][1] if "http" in found else None,
            https=found["https"][1] if "https" in found else None,
            exempt=tuple(exempt),
            variables={scheme: variable for scheme, (variable, _url) in found.items()},
        )

    def for_url(self, url: str) -> str | None:
        """The proxy a request to ``url`` goes through, or None when it goes direct."""
        parts = urlsplit(url)
        proxy = self.https if parts.scheme.lower() == "https" else self.http
        if proxy is None or self._exempt(parts.hostname or ""):
            return None
        return proxy

    def describe(self, url: str) -> str | None:
        """'proxy http://host:port (from HTTP_PROXY)' for a request to ``url`` through a proxy, credentials hidden."""
        proxy = self.for_url(url)
        if proxy is None:
            return None
        scheme = "https" if urlsplit(url).scheme.lower() == "https" else "http"
        return f"proxy {_without_credentials(proxy)} (from {self.variables.get(scheme, 'the environment')})"

    def mounts(self, limits: httpx.Limits) -> dict[str, httpx.HTTPTransport | None]:
        """httpx transports that route as :meth:`for_url` says (None: the client's direct transport)."""
        if "*" in self.exempt:
            return {}
        mounts: dict[str, httpx.HTTPTransport | None] = {}
        for host in self.exempt:
            # More specific patterns win in httpx: an exempt host goes direct whatever its scheme.
            pattern = f"[{host}]" if ":" in host else host if _is_ip(host) or host == "localhost" else f"*{host}"
            mounts[f"all://{pattern}"] = None
        for scheme, proxy in (("http", self.http), ("https", self.https)):
            if proxy:
                mounts[f"{scheme}://"] = httpx.HTTPTransport(proxy=proxy, limits=limits)
        return mounts

    def _exempt(self, host: str) -> bool:
        host = host.lower().strip("[]")
        for entry in self.exempt:
            if entry == "*" or host == entry or (not _is_ip(entry) and host.endswith("." + entry)):
                return True
        return False


def _checked(variable: str, value: str) -> str:
    """``value`` as a proxy URL httpx can use, or a UsageError naming ``variable``."""
    shown = _without_credentials(value)
    if "://" not in value:
        value = f"http://{value}"  # curl's reading of host:port
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError:
        raise UsageError(
            f"{variable}={shown} is not a proxy URL", hint="e.g. http://proxy.example:3128, or unset it"
        ) from None
    scheme = parts.scheme.lower()
    if scheme not in _SCHEMES or not parts.hostname:
        raise UsageError(
            f"{variable}={shown} is not a proxy URL kb can use (schemes: {', '.join(_SCHEMES)})",
            hint="e.g. http://proxy.example:3128 or socks5://127.0.0.1:1080, or unset it",
        )
    if scheme.startswith("socks"):
        try:
            import socksio  # noqa: F401  (httpx[socks]: needed only for a SOCKS proxy)
        except ImportError:
            raise UsageError(
                f"{variable}={shown}: SOCKS proxies need the socksio package", hint="pip install 'httpx[socks]'"
            ) from None
    if port is None and scheme.startswith("socks"):
        raise UsageError(f"{variable}={shown}: a SOCKS proxy needs a port", hint="e.g. socks5://127.0.0.1:1080")
    try:
        httpx.Proxy(value)  # what httpx itself would refuse, refused here with the variable's name
    except (ValueError, TypeError, httpx.InvalidURL) as error:
        raise UsageError(f"{variable}={shown} is not a proxy URL kb can use ({error})") from None
    return value


def _host(entry: str) -> str:
    entry = entry.strip().lower()
    if "://" in entry:
        entry = urlsplit(entry).hostname or entry
    elif entry.count(":") == 1:  # host:port
        entry = entry.split(":")[0]
    return entry.strip("[]").lstrip(".").lstrip("*").lstrip(".") or "*"


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _without_credentials(url: str) -> str:
    try:
        parts = urlsplit(url if "://" in url else f"//{url}")
        if parts.password or parts.username:
            netloc = parts.hostname or ""
            if parts.port:
                netloc += f":{parts.port}"
            return urlunsplit((parts.scheme, f"***@{netloc}", parts.path, parts.query, parts.fragment))
    except ValueError:
        pass
    return url
