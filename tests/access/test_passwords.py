import pytest

from yuqing.access.passwords import (
    WeakPassword,
    check_policy,
    hash_password,
    one_time_password,
    verify_password,
)


def test_hash_is_argon2_and_verifies() -> None:
    h = hash_password("Correct-horse-1")
    assert h.startswith("$argon2id$")
    assert verify_password(h, "Correct-horse-1")
    assert not verify_password(h, "wrong")
    assert not verify_password("not a hash", "x")


@pytest.mark.parametrize("weak", ["short1!", "aaaaaaaaaaaa", "1234567890123", "zhangsan-2026x"])
def test_policy_refuses_weak_passwords(weak: str) -> None:
    with pytest.raises(WeakPassword):
        check_policy(weak, "zhangsan")


def test_generated_passwords_pass_the_policy() -> None:
    for _ in range(20):
        check_policy(one_time_password(), "admin")


def test_generated_passwords_never_contain_their_users_names() -> None:
    # With a one-letter name every draw would contain it but for the redraw; two letters
    # ("li", a demo user) turned up about once in seventy draws before.
    for _ in range(200):
        password = one_time_password("li", "wang")
        check_policy(password, "li")
        check_policy(password, "wang")
