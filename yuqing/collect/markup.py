"""HTML as collectors meet it: decoding pages whose charset is declared wrongly or not at all,
and turning fragments into plain text."""

from __future__ import annotations

import re

import lxml.html
from lxml.etree import ParserError

from yuqing.text.encoding import WIDER, decode

_LATIN = {"iso-8859-1", "latin-1", "latin1", "windows-1252", "cp1252", "us-ascii", "ascii"}
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([A-Za-z0-9_\-]+)", re.IGNORECASE)


def decode_page(body: bytes, declared: str | None) -> tuple[str, str]:
    """The page's text and the encoding used: header, then <meta>, then detection.

    A declared encoding that does not decode the bytes is ignored (Chinese sites often declare
    utf-8 and send GBK, or declare gb2312 and use characters only GB18030 has).
    """
    candidates = [declared]
    if m := _META_CHARSET.search(body[:4096]):
        candidates.append(m.group(1).decode("ascii").lower())
    non_ascii = any(b > 0x7F for b in body)
    for name in candidates:
        if not name:
            continue
        enc = WIDER.get(name.replace("-", "_").lower(), name)
        if non_ascii and enc.replace("_", "-") in _LATIN:  # a server default, not a decision
            continue
        try:
            return body.decode(enc), enc
        except (UnicodeDecodeError, LookupError):
            continue
    decoded = decode(body)
    return decoded.text, decoded.encoding


def fragment_text(html: str) -> str:
    """Plain text of an HTML fragment (a feed summary), paragraphs kept as line breaks."""
    if not html or "<" not in html:
        return (html or "").strip()
    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    except (ParserError, ValueError):
        return re.sub(r"<[^>]+>", " ", html).strip()
    for br in root.iter("br"):
        br.tail = "\n" + (br.tail or "")
    for p in root.iter("p", "div", "li"):
        p.tail = "\n" + (p.tail or "")
    text = root.text_content()
    return re.sub(r"[ \t\r\f\v]+", " ", re.sub(r"\n\s*\n+", "\n", text)).strip()
