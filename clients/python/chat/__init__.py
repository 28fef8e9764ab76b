"""`prim chat`: a line-based terminal chat client on top of the SDK (see app.py)."""

from .app import ChatApp, ChatOptions, run_chat

__all__ = ["ChatApp", "ChatOptions", "run_chat"]
