"""Password hashing (argon2id) and the password policy."""

from __future__ import annotations

import secrets
import string

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
MIN_LENGTH = 10


class WeakPassword(ValueError):
    pass


def check_policy(password: str, username: str = "") -> None:
    """At least 10 characters, two kinds of character, and not the user name."""
    if len(password) < MIN_LENGTH:
        raise WeakPassword(f"密码至少 {MIN_LENGTH} 位 / at least {MIN_LENGTH} characters")
    kinds = sum(
        any(pred(c) for c in password)
        for pred in (str.isalpha, str.isdigit, lambda c: not c.isalnum())
    )
    if kinds < 2:
        raise WeakPassword("密码需包含字母、数字、符号中的至少两类 / use two kinds of character")
    if username and username.lower() in password.lower():
        raise WeakPassword("密码不能包含用户名 / must not contain the user name")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# A real hash to verify against when the user does not exist, so timing does not reveal it.
DUMMY_HASH = hash_password(secrets.token_hex(8))


def one_time_password(*usernames: str) -> str:
    """Drawn again while it would break the policy for one of its users: a short user name
    such as "li" turns up inside 14 random letters about once in seventy draws."""
    alphabet = string.ascii_letters + string.digits
    while True:
        body = "".join(secrets.choice(alphabet) for _ in range(14))
        password = body[:7] + "-" + body[7:]
        if not any(u and u.lower() in password.lower() for u in usernames):
            return password
