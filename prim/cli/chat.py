"""`prim chat`: the terminal chat client and its scriptable actions. They live with the
client (prim.clients.chat.cli, also the `prim-chat` script of the SDK distribution)."""

from prim.clients.chat.cli import register

__all__ = ["register"]
