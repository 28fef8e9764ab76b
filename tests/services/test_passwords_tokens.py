"""Password hashes are salted scrypt and verify only the right password; tokens are random
and stored only as hashes."""

from __future__ import annotations

from prim.services.api.passwords import hash_password, verify_password
from prim.services.api.tokens import new_token, token_hash


def test_hash_verifies_only_the_right_password() -> None:
    stored = hash_password("correct horse", log_n=10)
    assert stored.startswith("scrypt$10$")
    assert verify_password("correct horse", stored)
    assert not verify_password("correct horsE", stored)
    assert not verify_password("", stored)


def test_same_password_gets_different_salts() -> None:
    assert hash_password("pw12345678", log_n=10) != hash_password("pw12345678", log_n=10)


def test_malformed_stored_hashes_never_verify() -> None:
    for bad in ["", "plain", "bcrypt$1$2$3$4$5", "scrypt$x$8$1$AA$AA", "scrypt$10$8$1$!!$!!"]:
        assert not verify_password("pw", bad)


def test_tokens_are_unique_and_hashed() -> None:
    tokens = {new_token() for _ in range(100)}
    assert len(tokens) == 100
    t = next(iter(tokens))
    assert token_hash(t) == token_hash(t) and token_hash(t) != t and len(token_hash(t)) == 64
