"""Binary encoding of a stored Message, for the message log and the Redis hot window.

Versioned and fixed-layout (struct), so log records written by one release are readable by
the next, and decoding never executes anything (unlike pickle).
"""

from __future__ import annotations

import struct

from .models import Message

_VERSION = 1
# version, seqnum, sender, receiver, type, server_ts, client_ts, edited_at (-1 = none),
# withdrawn, channel length, payload length, extension length
_HEAD = struct.Struct(">BQQQHQQqBHIH")


class CodecError(ValueError):
    """The bytes are not a message encoded by this module."""


def encode_message(m: Message) -> bytes:
    channel = m.channel.encode("utf-8")
    head = _HEAD.pack(
        _VERSION, m.seqnum, m.sender, m.receiver, m.type, m.server_ts, m.client_ts,
        -1 if m.edited_at is None else m.edited_at, int(m.withdrawn),
        len(channel), len(m.payload), len(m.extension),
    )  # fmt: skip
    return b"".join((head, channel, m.payload, m.extension))


def decode_message(data: bytes) -> Message:
    if len(data) < _HEAD.size:
        raise CodecError("truncated message header")
    (
        version, seqnum, sender, receiver, type_, server_ts, client_ts, edited_at,
        withdrawn, channel_len, payload_len, ext_len,
    ) = _HEAD.unpack_from(data)  # fmt: skip
    if version != _VERSION:
        raise CodecError(f"unknown message encoding version {version}")
    if len(data) != _HEAD.size + channel_len + payload_len + ext_len:
        raise CodecError("message length does not match its header")
    pos = _HEAD.size
    channel = data[pos : pos + channel_len].decode("utf-8")
    pos += channel_len
    payload = bytes(data[pos : pos + payload_len])
    pos += payload_len
    extension = bytes(data[pos : pos + ext_len])
    return Message(
        channel=channel,
        seqnum=seqnum,
        sender=sender,
        receiver=receiver,
        type=type_,
        server_ts=server_ts,
        client_ts=client_ts,
        payload=payload,
        extension=extension,
        edited_at=None if edited_at < 0 else edited_at,
        withdrawn=bool(withdrawn),
    )
