"""Emits python/constants.py and ts/constants.ts: the (prim.v1.constants) of the spec (the
group id base, the friend-request lifetime, the channel-key formats, with the two functions
that apply them) and the limits each (prim.v1.rules) option declares, as named constants, so
no code looks a number up by a message and field name or writes it down again."""

from __future__ import annotations

import re

from prim.codegen.emitters._ts_common import GENERATED_NOTE
from prim.codegen.model import Constants, Field, Message_, Model, SpecError, to_snake

_PLACEHOLDER = re.compile(r"\{(\w+)\}")
_RULES = ("min_length", "max_length", "max_items", "minimum", "maximum", "default_value",
          "pattern")


def emit(model: Model) -> dict[str, str]:
    c = model.constants
    if c is None:
        return {}
    rules = rule_constants(model)
    return {"python/constants.py": _python(c, rules), "ts/constants.ts": _ts(c, rules)}


def rule_constants(model: Model) -> list[tuple[str, int | str, str]]:
    """(NAME, value, what it limits) for every number a (prim.v1.rules) option sets:
    SIGNUP_REQUEST_NICKNAME_MAX_LENGTH for SignupRequest.nickname's max_length,
    LIST_FRIENDS_REQUEST_PAGE_SIZE_DEFAULT_VALUE for what its page_size 0 stands for."""
    out: list[tuple[str, int | str, str]] = []
    for msg in sorted(model.generated_messages(), key=lambda m: m.full_name):
        for f in msg.fields:
            for rule in _RULES:
                value = getattr(f, rule)
                if value or (value == 0 and rule == "minimum"):
                    out.append((rule_name(msg, f, rule), value, f"{msg.name}.{f.json_name}"))
    names = [n for n, _, _ in out]
    if len(names) != len(set(names)):
        raise SpecError("two (prim.v1.rules) limits would get the same constant name")
    return out


def rule_name(msg: Message_, f: Field, rule: str) -> str:
    return f"{to_snake(msg.name)}_{f.name}_{rule}".upper()


def _fstring(fmt: str, names: dict[str, str]) -> str:
    """A channel-key format as the body of an f-string / template literal over `names`."""
    return _PLACEHOLDER.sub(lambda m: "{" + names[m.group(1)] + "}", fmt)


def _python(c: Constants, rules: list[tuple[str, int | str, str]]) -> str:
    user = _fstring(c.user_channel_key, {"low": "low", "high": "high"})
    group = _fstring(c.group_channel_key, {"group": "receiver"})
    out = [
        '"""The numbers and formats of the protocol that no message field carries, and the',
        "limits of request fields. Generated from the spec ((prim.v1.constants), (prim.v1.rules))",
        'by `make gen` (codegen/emitters/constants.py): do not edit."""',
        "",
        "from __future__ import annotations",
        "",
        "#: Ids at or above this are groups; user ids are 1 to GROUP_ID_BASE - 1.",
        f"GROUP_ID_BASE = 1 << {c.group_id_bit}",
        "#: How long a friend request stays answerable, in milliseconds.",
        f"FRIEND_REQUEST_TTL_MS = {c.friend_request_ttl_ms}",
        "#: The key of a conversation between two users ({low} is the smaller id) and of a",
        "#: group's ({group}): the message log's partition key and the cache keys.",
        f"USER_CHANNEL_KEY = {_js_string(c.user_channel_key)}",
        f"GROUP_CHANNEL_KEY = {_js_string(c.group_channel_key)}",
        "",
        "",
        "def is_group_id(entity_id: int) -> bool:",
        "    return entity_id >= GROUP_ID_BASE",
        "",
        "",
        "def channel_key(sender: int, receiver: int) -> str:",
        '    """The conversation a message belongs to: the group, or the unordered user pair."""',
        "    if receiver >= GROUP_ID_BASE:",
        f'        return f"{group}"',
        "    low, high = (sender, receiver) if sender <= receiver else (receiver, sender)",
        f'    return f"{user}"',
        "",
        "",
        "# The limits (prim.v1.rules) sets on request fields; string lengths count code points.",
    ]
    out += [f"{name} = {_literal(value)}  # {where}" for name, value, where in rules]
    return "\n".join(out) + "\n"


def _ts(c: Constants, rules: list[tuple[str, int | str, str]]) -> str:
    user = _fstring(c.user_channel_key, {"low": "low", "high": "high"}).replace("{", "${")
    group = _fstring(c.group_channel_key, {"group": "receiver"}).replace("{", "${")
    out = [
        "/**",
        " * The numbers and formats of the protocol that no message field carries, and the",
        " * limits of request fields ((prim.v1.constants), (prim.v1.rules)).",
        " *",
        f" * {GENERATED_NOTE.format(emitter='codegen/emitters/constants.py')}",
        " */",
        "",
        "/** Ids at or above this are groups; user ids are 1 to GROUP_ID_BASE - 1. */",
        f"export const GROUP_ID_BASE = {c.group_id_base}n;",
        "/** How long a friend request stays answerable, in milliseconds. */",
        f"export const FRIEND_REQUEST_TTL_MS = {c.friend_request_ttl_ms};",
        "/** The key of a conversation between two users ({low} is the smaller id). */",
        f"export const USER_CHANNEL_KEY = {_js_string(c.user_channel_key)};",
        "/** The key of a group's conversation. */",
        f"export const GROUP_CHANNEL_KEY = {_js_string(c.group_channel_key)};",
        "",
        "export function isGroupId(id: bigint): boolean {",
        "  return id >= GROUP_ID_BASE;",
        "}",
        "",
        "/** The conversation a message belongs to: the group, or the unordered user pair. */",
        "export function channelKey(sender: bigint, receiver: bigint): string {",
        "  if (receiver >= GROUP_ID_BASE) {",
        f"    return `{group}`;",
        "  }",
        "  const [low, high] = sender <= receiver ? [sender, receiver] : [receiver, sender];",
        f"  return `{user}`;",
        "}",
        "",
        "// The limits (prim.v1.rules) sets on request fields; string lengths count code points.",
    ]
    out += [f"export const {name} = {_literal(value)}; // {where}" for name, value, where in rules]
    return "\n".join(out) + "\n"


def _literal(value: int | str) -> str:
    """A rule's value as a literal, the same in Python and TypeScript."""
    return _js_string(value) if isinstance(value, str) else str(value)


def _js_string(text: str) -> str:
    """A double-quoted literal, the same in Python and TypeScript."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
