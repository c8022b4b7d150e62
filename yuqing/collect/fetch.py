"""HTTP fetching for collectors: bounded in time and size, polite per host, guarded against
internal addresses, with conditional GET.

Every limit turns into a FetchError whose message says what happened, for the source's health.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import httpx

from yuqing import __version__
from yuqing.collect.netguard import Refused, check_url

USER_AGENT = f"Yuqing/{__version__} (self-hosted public-opinion monitoring)"


class FetchError(Exception):
    """A fetch failed; the message is fit for the source's health page."""


@dataclass(frozen=True)
class FetchPolicy:
    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    deadline: float = 60.0  # the whole response, however slowly it trickles in
    max_bytes: int = 10 * 1024 * 1024  # after decompression: bounds gzip bombs too
    max_redirects: int = 5


@dataclass
class Fetched:
    url: str
    status: int
    headers: dict[str, str]
    body: bytes = b""

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def charset(self) -> str | None:
        ctype = self.headers.get("content-type", "")
        for part in ctype.split(";")[1:]:
            key, _, value = part.strip().partition("=")
            if key.lower() == "charset" and value:
                return value.strip("\"'").lower()
        return None


@dataclass
class HostGate:
    """Per-host politeness: at most `concurrency` requests at once, `min_delay` seconds apart."""

    min_delay: float = 1.0
    concurrency: int = 2
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _hosts: dict[str, tuple[threading.Semaphore, list[float]]] = field(default_factory=dict)

    @contextmanager
    def slot(self, host: str) -> Iterator[None]:
        with self._lock:
            sem, last = self._hosts.setdefault(host, (threading.Semaphore(self.concurrency), [0.0]))
        with sem:
            with self._lock:
                wait = last[0] + self.min_delay - time.monotonic()
                last[0] = max(time.monotonic(), last[0] + self.min_delay)
            if wait > 0:
                time.sleep(wait)
            yield


class Fetcher:
    def __init__(self, policy: FetchPolicy | None = None, gate: HostGate | None = None) -> None:
        self.policy = policy or FetchPolicy()
        self.gate = gate or HostGate()
        self.client = httpx.Client(
            follow_redirects=False,
            timeout=httpx.Timeout(self.policy.read_timeout, connect=self.policy.connect_timeout),
            headers={"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate"},
        )

    def close(self) -> None:
        self.client.close()

    def get(
        self,
        url: str,
        *,
        allow_private: bool = False,
        etag: str | None = None,
        last_modified: str | None = None,
        headers: dict[str, str] | None = None,
        params: dict[str, str] | None = None,
    ) -> Fetched:
        request_headers = dict(headers or {})
        if etag:
            request_headers["If-None-Match"] = etag
        if last_modified:
            request_headers["If-Modified-Since"] = last_modified
        seen: set[str] = set()
        for _ in range(self.policy.max_redirects + 1):
            if url in seen:
                raise FetchError(f"redirect loop at {url}")
            seen.add(url)
            try:
                check_url(url, allow_private)
            except Refused as exc:
                raise FetchError(f"refused: {exc}") from exc
            fetched = self._once(url, request_headers, params)
            params = None  # query parameters belong to the first request only
            location = fetched.headers.get("location")
            if fetched.status in (301, 302, 303, 307, 308) and location:
                url = urljoin(url, location)
                continue
            if fetched.status >= 400:
                raise FetchError(f"HTTP {fetched.status} from {url}")
            return fetched
        raise FetchError(f"more than {self.policy.max_redirects} redirects from {url}")

    def _once(self, url: str, headers: dict[str, str], params: dict[str, str] | None) -> Fetched:
        host = urlsplit(url).hostname or ""
        started = time.monotonic()
        with self.gate.slot(host):
            try:
                with self.client.stream("GET", url, headers=headers, params=params) as r:
                    body = bytearray()
                    if r.status_code not in (301, 302, 303, 304, 307, 308):
                        for chunk in r.iter_bytes():
                            body += chunk
                            if len(body) > self.policy.max_bytes:
                                raise FetchError(
                                    f"response from {url} larger than "
                                    f"{size_text(self.policy.max_bytes)}"
                                )
                            if time.monotonic() - started > self.policy.deadline:
                                raise FetchError(
                                    f"response from {url} took longer than "
                                    f"{self.policy.deadline:.0f} s"
                                )
                    return Fetched(
                        str(r.url),
                        r.status_code,
                        {k.lower(): v for k, v in r.headers.items()},
                        bytes(body),
                    )
            except httpx.TimeoutException as exc:
                raise FetchError(f"timed out fetching {url} ({type(exc).__name__})") from exc
            except httpx.DecodingError as exc:
                raise FetchError(f"undecodable compressed body from {url}: {exc}") from exc
            except httpx.HTTPError as exc:
                raise FetchError(f"cannot fetch {url}: {exc}") from exc


def size_text(n: int) -> str:
    """Bytes as people read them: 512 KiB, 5 MiB."""
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):g} MiB"
    return f"{n / 1024:g} KiB" if n >= 1024 else f"{n} bytes"
