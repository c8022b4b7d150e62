"""Decoding bytes whose encoding nobody declared: UTF-8 first, then the Chinese legacy encodings.

GBK and GB2312 are read as GB18030 (their superset) and Big5 as Big5-HKSCS, so that no
character a legacy file holds is lost to a narrower table.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

from charset_normalizer import from_bytes

CANDIDATES = ["gb18030", "big5", "utf_16", "utf_32"]
WIDER = {
    "gbk": "gb18030",
    "gb2312": "gb18030",
    "cp936": "gb18030",
    "big5": "big5hkscs",
    "cp950": "big5hkscs",
}
SAMPLE_BYTES = 256 * 1024


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str
    lossy: bool  # some bytes did not decode; they are U+FFFD in text


def _sample(data: bytes) -> bytes:
    """Lines with non-ASCII bytes: a file whose first megabyte is ASCII still gets judged."""
    picked: list[bytes] = []
    size = 0
    for line in data.split(b"\n"):
        if any(b > 0x7F for b in line):
            picked.append(line)
            size += len(line)
            if size >= SAMPLE_BYTES:
                break
    return b"\n".join(picked)


def detect(data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    sample = _sample(data)
    try:
        sample.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        if exc.start > len(sample) * 0.9 or _mostly_utf8(sample):
            return "utf-8"
    best = from_bytes(sample, cp_isolation=CANDIDATES).best()
    name = (best.encoding if best else "gb18030").lower().replace("-", "_")
    return WIDER.get(name, name)


def _mostly_utf8(sample: bytes) -> bool:
    lines = sample.split(b"\n")
    good = 0
    for line in lines:
        try:
            line.decode("utf-8")
            good += 1
        except UnicodeDecodeError:
            pass
    return good >= 0.8 * len(lines)


def decode(data: bytes, encoding: str | None = None) -> Decoded:
    enc = encoding or detect(data)
    try:
        return Decoded(data.decode(enc), enc, False)
    except UnicodeDecodeError:
        return Decoded(data.decode(enc, errors="replace"), enc, True)
    except LookupError as exc:
        raise ValueError(f"unknown encoding {enc!r}") from exc
