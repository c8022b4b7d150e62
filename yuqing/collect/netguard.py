"""Which addresses a collector may fetch from.

Link-local addresses (cloud metadata lives at 169.254.169.254) are never fetched. Loopback and
private ranges only when the admin allows it for the source (an on-premises RSSHub).
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

METADATA = {
    ipaddress.ip_address("169.254.169.254"),
    ipaddress.ip_address("fd00:ec2::254"),
    ipaddress.ip_address("100.100.100.200"),
}  # the last: Alibaba Cloud's metadata


class Refused(Exception):
    """The URL may not be fetched; the message says why."""


def _verdict(ip: ipaddress.IPv4Address | ipaddress.IPv6Address, allow_private: bool) -> str | None:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    if ip in METADATA:
        return "a cloud metadata address"
    if ip.is_link_local:
        return "a link-local address"
    if ip.is_multicast or ip.is_unspecified or ip.is_reserved:
        return "not a unicast address"
    if (ip.is_private or ip.is_loopback) and not allow_private:
        return "a private or loopback address (allow private addresses for this source to fetch it)"
    return None


def check_url(url: str, allow_private: bool = False) -> None:
    """Raise Refused unless every address the URL's host resolves to may be fetched."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise Refused(f"only http and https URLs are fetched, not {parts.scheme or 'none'}: {url}")
    host = parts.hostname
    if not host:
        raise Refused(f"no host in URL: {url}")
    try:
        infos = socket.getaddrinfo(
            host, parts.port or (443 if parts.scheme == "https" else 80), type=socket.SOCK_STREAM
        )
    except socket.gaierror as exc:
        raise Refused(f"cannot resolve {host}: {exc.strerror}") from exc
    for info in infos:
        ip = ipaddress.ip_address(info[4][0])
        reason = _verdict(ip, allow_private)
        if reason:
            raise Refused(f"{host} resolves to {ip}, {reason}")
