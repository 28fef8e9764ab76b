"""The chat client's command language: parsing a typed line into a `Command`, and the help
text. A line that does not start with "/" is a message to the selected conversation."""

from __future__ import annotations

from dataclasses import dataclass

HELP = """\
Commands:
  /signup NICK             create an account (asks for a password) and log in
  /login ID                log in to account ID (asks for the password)
  /friend ID [message]     ask user ID to be your friend
  /requests                friend requests waiting for your answer
  /accept ID               accept the friend request of user ID
  /friends                 your friends
  /to ID|GROUP             talk to user ID, or to a group (its id or name)
  /group create NAME       create a group (you own it; it becomes the conversation)
  /join GID|GROUP [msg]    ask to join a group (its id, or a name you have seen)
  /approve GID ID          let user ID into your group GID
  /groups                  your groups
  /history [N]             the last N (default 20) messages of this conversation
  /inbox                   conversations with news since you were last online
  /help                    this text
  /quit                    leave
Anything else you type is sent to the conversation chosen with /to."""


class UsageError(Exception):
    """A line that is not a valid command; the message says how to write it."""


@dataclass(frozen=True, slots=True)
class Command:
    name: str  # without the slash; "say" for a plain line
    args: tuple[str, ...] = ()
    rest: str = ""  # free text after the fixed arguments (a message)


# name -> (fixed arguments, takes free text after them, usage)
_SHAPES: dict[str, tuple[int, bool, str]] = {
    "signup": (1, False, "/signup NICK"),
    "login": (1, False, "/login ID"),
    "friend": (1, True, "/friend ID [message]"),
    "requests": (0, False, "/requests"),
    "accept": (1, False, "/accept ID"),
    "friends": (0, False, "/friends"),
    "to": (0, True, "/to ID, or /to GROUP NAME"),
    "group": (2, True, "/group create NAME"),
    "join": (0, True, "/join GID [message], or /join GROUP NAME [message]"),
    "approve": (2, False, "/approve GID ID"),
    "groups": (0, False, "/groups"),
    "history": (0, True, "/history [N]"),
    "inbox": (0, False, "/inbox"),
    "help": (0, False, "/help"),
    "quit": (0, False, "/quit"),
}
_ID_ARGS = {"login", "friend", "accept", "approve"}
# Commands whose target (an id or a group's name, targets.py) is the free text.
_TARGETED = {"to", "join"}


def parse(line: str) -> Command | None:
    """The command on `line`; None for a blank line. Raises UsageError."""
    text = line.strip()
    if not text:
        return None
    if not text.startswith("/") or text.startswith("//"):
        return Command("say", rest=text[1:] if text.startswith("//") else text)
    head, _, tail = text[1:].partition(" ")
    name = head.lower()
    if name == "exit":
        name = "quit"
    if name not in _SHAPES:
        raise UsageError(f"unknown command /{head}; type /help for the list")
    count, free, usage = _SHAPES[name]
    words = tail.split(maxsplit=count) if count else []
    args = tuple(words[:count])
    rest = tail.strip()
    if count:
        rest = words[count].strip() if len(words) > count else ""
        if len(args) < count or (rest and not free):
            raise UsageError(f"usage: {usage}")
    elif rest and not free:
        raise UsageError(f"usage: {usage}")
    if name in _ID_ARGS:
        for arg in args:
            if not arg.isdigit():
                raise UsageError(f"{arg!r} is not an id (a number); usage: {usage}")
    if name == "group":
        if args[0] != "create":
            raise UsageError("usage: /group create NAME")
        rest = " ".join((*args[1:], rest)).strip()
        args = ("create",)
    if name in _TARGETED and not rest:
        raise UsageError(f"usage: {usage}")
    if name == "history" and rest and not rest.isdigit():
        raise UsageError("usage: /history [N] (N: how many messages)")
    return Command(name, args, rest)
