"""Binary encoding of a stored Message, for the message log and the Redis hot window.

Versioned and fixed-layout (struct), so log records written by one release are readable by
the next, and decoding never executes anything (unlike pickle). Version 2 adds the sending
device (part of the idempotency key); version 1 records (no device) still decode.
"""

from __future__ import annotations

import struct

from .models import Message

_VERSION = 2
# version, seqnum, sender, receiver, type, server_ts, client_ts, edited_at (-1 = none),
# withdrawn, channel length, payload length, extension length
_HEAD_V1 = struct.Struct(">BQQQHQQqBHIH")
# v2: the same, then the device's length; the device follows the extension.
_HEAD = struct.Struct(">BQQQHQQqBHIHH")


class CodecError(ValueError):
    """The bytes are not a message encoded by this module."""


def encode_message(m: Message) -> bytes:
    channel = m.channel.encode("utf-8")
    device = m.device.encode("utf-8")
    head = _HEAD.pack(
        _VERSION, m.seqnum, m.sender, m.receiver, m.type, m.server_ts, m.client_ts,
        -1 if m.edited_at is None else m.edited_at, int(m.withdrawn),
        len(channel), len(m.payload), len(m.extension), len(device),
    )  # fmt: skip
    return b"".join((head, channel, m.payload, m.extension, device))


def decode_message(data: bytes) -> Message:
    if not data:
        raise CodecError("truncated message header")
    version = data[0]
    if version == _VERSION:
        head = _HEAD
    elif version == 1:
        head = _HEAD_V1
    else:
        raise CodecError(f"unknown message encoding version {version}")
    if len(data) < head.size:
        raise CodecError("truncated message header")
    fields = head.unpack_from(data)
    (
        _, seqnum, sender, receiver, type_, server_ts, client_ts, edited_at,
        withdrawn, channel_len, payload_len, ext_len,
    ) = fields[:12]  # fmt: skip
    device_len = fields[12] if version == _VERSION else 0
    if len(data) != head.size + channel_len + payload_len + ext_len + device_len:
        raise CodecError("message length does not match its header")
    pos = head.size
    channel = data[pos : pos + channel_len].decode("utf-8")
    pos += channel_len
    payload = bytes(data[pos : pos + payload_len])
    pos += payload_len
    extension = bytes(data[pos : pos + ext_len])
    pos += ext_len
    device = data[pos : pos + device_len].decode("utf-8")
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
        device=device,
    )
