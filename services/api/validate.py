"""Checks on user-supplied text that the HTTP binding cannot know (lengths, control
characters), raising ApiError(INVALID_ARGUMENT) that names the field and says what to do.

Lengths count Unicode code points, as the spec's "N characters" does.
"""

from __future__ import annotations

import unicodedata

from prim.generated import constants as rules
from prim.generated.prim.v1 import ErrorCode
from prim.runtime.errors import ApiError


def _bad(field: str, message: str) -> ApiError:
    return ApiError(ErrorCode.INVALID_ARGUMENT, message, field)


def _has_category(text: str, categories: frozenset[str], allowed: str = "") -> bool:
    return any(unicodedata.category(ch) in categories and ch not in allowed for ch in text)


_CONTROL = frozenset({"Cc", "Cs"})
_UNENCODABLE = frozenset({"Cs"})


def clean_text(value: str, field: str, *, min_len: int, max_len: int,
               allow_newlines: bool = False) -> str:
    """``value`` with surrounding white space removed, if it fits; else INVALID_ARGUMENT."""
    text = value.strip()
    if _has_category(text, _CONTROL, "\n" if allow_newlines else ""):
        what = "control characters other than line breaks" if allow_newlines else (
            "control characters")
        raise _bad(field, f"{field} may not contain {what}; remove them")
    if len(text) < min_len:
        if min_len == 1:
            raise _bad(field, f"{field} may not be empty or only white space")
        raise _bad(field, f"{field} needs at least {min_len} characters")
    if len(text) > max_len:
        raise _bad(field, f"{field} has {len(text)} characters; at most {max_len} are allowed")
    return text


def check_password(value: str, field: str = "password", *,
                   min_len: int = rules.SIGNUP_REQUEST_PASSWORD_MIN_LENGTH,
                   max_len: int = rules.SIGNUP_REQUEST_PASSWORD_MAX_LENGTH) -> str:
    """Passwords are taken as given (no trimming); any character that UTF-8 can encode."""
    if _has_category(value, _UNENCODABLE):
        raise _bad(field, f"{field} contains unpaired surrogate code points; "
                          "send it as valid Unicode text")
    if not min_len <= len(value) <= max_len:
        raise _bad(field, f"{field} must have {min_len} to {max_len} characters "
                          f"(it has {len(value)})")
    return value
