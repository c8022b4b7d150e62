"""Channel secrets (robot tokens and keys, SMTP passwords) encrypted at rest.

Fernet (AES-128-CBC + HMAC) with a key derived from the installation's secret key, so a copy of
the database alone does not give away the organisation's robots and mailbox. The secret key
lives in var/settings.json (or YUQING_SECRET_KEY) and must be backed up with the database.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from cryptography.fernet import Fernet, InvalidToken

from yuqing.notify.channels import SECRETS

PREFIX = "enc:"


class SecretUnreadable(ValueError):
    pass


def _fernet(secret_key: str) -> Fernet:
    if not secret_key:
        raise SecretUnreadable("no secret key: run `yuqing init` (or set YUQING_SECRET_KEY)")
    digest = hashlib.sha256(f"yuqing.channel:{secret_key}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def seal(config: dict[str, Any], secret_key: str) -> dict[str, Any]:
    f = _fernet(secret_key)
    return {
        k: PREFIX + f.encrypt(v.encode()).decode()
        if k in SECRETS and isinstance(v, str) and v and not v.startswith(PREFIX)
        else v
        for k, v in config.items()
    }


def unseal(config: dict[str, Any], secret_key: str) -> dict[str, Any]:
    f = _fernet(secret_key)
    out: dict[str, Any] = {}
    for k, v in config.items():
        if isinstance(v, str) and v.startswith(PREFIX):
            try:
                v = f.decrypt(v[len(PREFIX) :].encode()).decode()
            except InvalidToken as exc:
                raise SecretUnreadable(f"{k}: sealed with another secret key") from exc
        out[k] = v
    return out
