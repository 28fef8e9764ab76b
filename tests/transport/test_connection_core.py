"""The sans-IO cores without sockets: the protocol rules of spec/PROTOCOL.md §3."""

from __future__ import annotations

import pytest

import prim.runtime.wire.connection as wire_connection
from prim.generated.prim.v1 import Error, ErrorCode, MsgType
from prim.generated.wire import Header, encode_header
from prim.runtime.wire.client_connection import ClientConnection, ClientState
from prim.runtime.wire.decoder import FrameDecoder
from prim.runtime.wire.events import (
    Authenticated,
    AuthRequested,
    ConnectionClosed,
    ErrorReceived,
    FrameReceived,
    PongReceived,
    ProtocolError,
    SendQueueFull,
)
from prim.runtime.wire.frame import Frame, encode_frame
from prim.runtime.wire.server_connection import ServerConnection, ServerState
from prim.runtime.wire.settings import ClientSettings, ConnectionSettings

SETTINGS = ConnectionSettings(idle_timeout=10.0, node_id=5, clock_ms=lambda: 1234)
USER = 42


def frames_out(conn: ServerConnection | ClientConnection) -> list[Frame]:
    decoder = FrameDecoder()
    decoder.feed(conn.data_to_send())
    return decoder.frames()


def error_of(frame: Frame) -> Error:
    assert frame.type == MsgType.ERROR
    return Error.parse(frame.payload)


def auth(token: str = "user:42", sender: int = USER) -> bytes:
    return encode_frame(Frame(type=MsgType.AUTH, sender=sender, payload=token.encode()))


def opened(settings: ConnectionSettings = SETTINGS) -> ServerConnection:
    conn = ServerConnection(settings, now=0.0)
    conn.receive_data(auth(), now=0.0)
    [event] = conn.events()
    assert isinstance(event, AuthRequested)
    conn.accept_auth(USER)
    frames_out(conn)
    return conn


def test_auth_is_surfaced_and_answered() -> None:
    conn = ServerConnection(SETTINGS, now=0.0)
    conn.receive_data(auth(), now=0.0)
    [event] = conn.events()
    assert isinstance(event, AuthRequested)
    assert (event.token, event.sender) == ("user:42", USER)
    assert conn.state is ServerState.AUTH_PENDING
    conn.accept_auth(USER)
    [reply] = frames_out(conn)
    assert reply.type == MsgType.AUTH
    assert (reply.receiver, reply.node_id, reply.timestamp, reply.payload) == (USER, 5, 1234, b"")
    state: ServerState = conn.state  # (mypy narrowed it above)
    assert state is ServerState.OPEN and conn.user_id == USER


def test_frame_before_auth_gets_auth_required_and_close() -> None:
    conn = ServerConnection(SETTINGS, now=0.0)
    conn.receive_data(encode_frame(Frame(type=MsgType.TEXT, sender=USER, payload=b"hi")), 0.0)
    [error] = frames_out(conn)
    assert error_of(error).code == ErrorCode.AUTH_REQUIRED
    events = conn.events()
    assert isinstance(events[-1], ConnectionClosed) and events[-1].code == ErrorCode.AUTH_REQUIRED
    assert conn.finished


def test_rejected_auth_sends_error_then_closes() -> None:
    conn = ServerConnection(SETTINGS, now=0.0)
    conn.receive_data(auth("nope"), now=0.0)
    conn.events()
    conn.reject_auth(ErrorCode.UNAUTHENTICATED, "bad token")
    [error] = frames_out(conn)
    assert error_of(error).code == ErrorCode.UNAUTHENTICATED
    assert error_of(error).message == "bad token"
    assert conn.closed


def test_auth_sender_must_be_the_tokens_user() -> None:
    conn = ServerConnection(SETTINGS, now=0.0)
    conn.receive_data(auth(sender=43), now=0.0)
    conn.events()
    conn.accept_auth(USER)
    [error] = frames_out(conn)
    assert error_of(error).code == ErrorCode.SENDER_MISMATCH
    assert conn.closed and conn.user_id is None


def test_frames_pipelined_behind_auth_wait_for_the_answer() -> None:
    conn = ServerConnection(SETTINGS, now=0.0)
    text = Frame(type=MsgType.TEXT, sender=USER, receiver=7, payload=b"early")
    conn.receive_data(auth() + encode_frame(text) + encode_frame(
        Frame(type=MsgType.PING, sender=USER)), now=0.0)
    assert [type(e) for e in conn.events()] == [AuthRequested]
    assert frames_out(conn) == []
    conn.accept_auth(USER)
    assert [f.type for f in frames_out(conn)] == [MsgType.AUTH, MsgType.PONG]
    assert conn.events() == [FrameReceived(text)]


def test_too_many_frames_before_auth_answer() -> None:
    settings = ConnectionSettings(max_frames_before_auth=2)
    conn = ServerConnection(settings, now=0.0)
    ping = encode_frame(Frame(type=MsgType.PING, sender=USER))
    conn.receive_data(auth() + ping * 3, now=0.0)
    assert conn.closed
    assert error_of(frames_out(conn)[-1]).code == ErrorCode.AUTH_REQUIRED


def test_ping_and_echo_are_answered_by_the_core() -> None:
    conn = opened()
    echo = Frame(type=MsgType.ECHO, sender=USER, timestamp=77, payload=b"abc", extension=b"x")
    conn.receive_data(encode_frame(Frame(type=MsgType.PING, sender=USER))
                      + encode_frame(echo), now=1.0)
    pong, echoed = frames_out(conn)
    assert pong.type == MsgType.PONG and pong.receiver == USER
    assert (echoed.type, echoed.payload, echoed.extension, echoed.timestamp) == (
        MsgType.ECHO, b"abc", b"x", 77)
    assert conn.events() == []


def test_spoofed_sender_is_dropped_and_the_connection_kept() -> None:
    conn = opened()
    spoof = Frame(type=MsgType.TEXT, sender=99, receiver=7, timestamp=555, payload=b"x")
    conn.receive_data(encode_frame(spoof), now=1.0)
    [error] = frames_out(conn)
    assert error_of(error).code == ErrorCode.SENDER_MISMATCH
    assert error_of(error).ref_timestamp_ms == 555
    assert conn.events() == [ProtocolError(ErrorCode.SENDER_MISMATCH,
                                           "sender 99 is not the authenticated user 42",
                                           fatal=False)]
    assert conn.state is ServerState.OPEN


def test_server_only_and_undefined_types_get_unknown_type() -> None:
    conn = opened()
    server_only = Frame(type=MsgType.ADD_FRIEND, sender=USER)
    undefined = encode_header(Header(version=1, sender=USER, node_id=0, receiver=0, type=999,
                                     extension_length=0, timestamp=0, payload_length=0,
                                     seqnum=0))
    conn.receive_data(encode_frame(server_only) + undefined, now=1.0)
    codes = [error_of(f).code for f in frames_out(conn)]
    assert codes == [ErrorCode.UNKNOWN_TYPE, ErrorCode.UNKNOWN_TYPE]
    assert conn.state is ServerState.OPEN


def test_malformed_bytes_close_the_connection() -> None:
    conn = opened()
    conn.receive_data(b"\xff" * 40, now=1.0)
    [error] = frames_out(conn)
    assert error_of(error).code == ErrorCode.MALFORMED_FRAME
    assert conn.closed
    conn.receive_data(encode_frame(Frame(type=MsgType.PING, sender=USER)), now=1.0)
    assert frames_out(conn) == []


def test_payload_past_limit_gets_frame_too_large() -> None:
    conn = opened(ConnectionSettings(max_payload_length=10))
    conn.receive_data(encode_frame(Frame(type=MsgType.TEXT, sender=USER, payload=b"x" * 11)),
                      now=1.0)
    [error] = frames_out(conn)
    assert error_of(error).code == ErrorCode.FRAME_TOO_LARGE
    assert conn.closed


def test_idle_timeout() -> None:
    conn = opened()
    assert conn.get_timer() == 10.0
    conn.receive_data(encode_frame(Frame(type=MsgType.PING, sender=USER)), now=4.0)
    frames_out(conn)
    assert conn.get_timer() == 14.0
    conn.handle_timer(13.9)
    assert not conn.closed
    conn.handle_timer(14.0)
    [error] = frames_out(conn)
    assert error_of(error).code == ErrorCode.IDLE_TIMEOUT
    assert conn.closed and conn.get_timer() is None


def test_truncated_frame_then_eof() -> None:
    conn = opened()
    conn.receive_data(encode_frame(Frame(type=MsgType.TEXT, sender=USER, payload=b"abc"))[:-1],
                      now=1.0)
    conn.receive_eof(now=1.0)
    # The peer only ended its direction (QUIC FIN): the server still says what was wrong.
    [error] = frames_out(conn)
    assert error_of(error).code == ErrorCode.MALFORMED_FRAME
    event = conn.events()[-1]
    assert isinstance(event, ConnectionClosed) and event.code == ErrorCode.MALFORMED_FRAME


def test_clean_eof() -> None:
    conn = opened()
    conn.receive_eof(now=1.0)
    assert conn.events() == [ConnectionClosed(None, "peer closed the connection", by_peer=True)]
    assert frames_out(conn) == []


def test_be_offline_goes_out_even_past_a_full_queue_then_closes() -> None:
    conn = opened(ConnectionSettings(max_send_queue_frames=1, node_id=5,
                                     clock_ms=lambda: 1234))
    assert conn.send_frame(Frame(type=MsgType.TEXT, receiver=USER, payload=b"queued"))
    conn.be_offline(ErrorCode.BE_OFFLINE, "draining: reconnect")
    assert conn.events() == [ConnectionClosed(ErrorCode.BE_OFFLINE, "draining: reconnect",
                                              by_peer=False)]
    text, offline = frames_out(conn)
    assert text.payload == b"queued" and offline.type == MsgType.BE_OFFLINE
    assert (offline.receiver, offline.node_id) == (USER, 5)
    error = Error.parse(offline.payload)
    assert (error.code, error.message) == (ErrorCode.BE_OFFLINE, "draining: reconnect")
    assert conn.finished


def test_the_client_core_closes_with_the_be_offline_reason() -> None:
    client = ClientConnection("user:42", USER, ClientSettings(), now=0.0)
    frames_out(client)
    client.receive_data(encode_frame(Frame(type=MsgType.AUTH, receiver=USER)), now=0.1)
    offline = Error(code=ErrorCode.UNAUTHENTICATED, message="this session was revoked")
    client.receive_data(encode_frame(Frame(type=MsgType.BE_OFFLINE, receiver=USER,
                                           payload=bytes(offline))), now=0.2)
    client.receive_eof(now=0.3)
    *_, received, closed = client.events()
    assert isinstance(received, ErrorReceived) and received.frame.type == MsgType.BE_OFFLINE
    assert closed == ConnectionClosed(ErrorCode.UNAUTHENTICATED,
                                      "peer closed the connection: this session was revoked",
                                      by_peer=True)


def test_send_queue_is_bounded() -> None:
    conn = opened(ConnectionSettings(max_send_queue_frames=3, max_send_queue_bytes=10_000))
    frame = Frame(type=MsgType.TEXT, receiver=USER, payload=b"x" * 100)
    assert [conn.send_frame(frame) for _ in range(4)] == [True, True, True, False]
    [event] = conn.events()
    assert event == SendQueueFull(queued_frames=3, queued_bytes=3 * 132)
    assert len(conn.data_to_send(200)) == 200  # partial pulls free room frame by frame
    assert conn.send_frame(frame)
    conn.abort(ErrorCode.UNAVAILABLE, "slow")
    assert conn.finished and conn.data_to_send() == b""


def test_byte_budget_of_the_send_queue() -> None:
    conn = opened(ConnectionSettings(max_send_queue_bytes=300))
    frame = Frame(type=MsgType.TEXT, receiver=USER, payload=b"x" * 100)
    assert [conn.send_frame(frame) for _ in range(3)] == [True, True, False]


def test_client_core_authenticates_and_answers_ping() -> None:
    client = ClientConnection("user:42", USER, ClientSettings(ping_interval=5.0), now=0.0)
    [auth_frame] = frames_out(client)
    assert (auth_frame.type, auth_frame.sender, auth_frame.payload) == (
        MsgType.AUTH, USER, b"user:42")
    client.receive_data(encode_frame(Frame(type=MsgType.AUTH, receiver=USER, node_id=5,
                                           timestamp=99)), now=0.1)
    assert client.events() == [Authenticated(USER, 5, 99)]
    client.receive_data(encode_frame(Frame(type=MsgType.PING)) + encode_frame(
        Frame(type=MsgType.PONG)), now=0.2)
    [pong] = frames_out(client)
    assert pong.type == MsgType.PONG and pong.sender == USER
    assert [type(e) for e in client.events()] == [PongReceived]
    # Heartbeat: a Ping after ping_interval seconds without sending.
    assert client.get_timer() == 5.2
    client.handle_timer(5.2)
    [ping] = frames_out(client)
    assert ping.type == MsgType.PING


def test_client_core_reports_rejected_auth() -> None:
    client = ClientConnection("bad", USER, ClientSettings(), now=0.0)
    frames_out(client)
    error = Error(code=ErrorCode.UNAUTHENTICATED, message="no")
    client.receive_data(encode_frame(Frame(type=MsgType.ERROR, payload=bytes(error))), now=0.1)
    received, closed = client.events()
    assert isinstance(received, ErrorReceived) and received.error.code == ErrorCode.UNAUTHENTICATED
    assert isinstance(closed, ConnectionClosed) and closed.code == ErrorCode.UNAUTHENTICATED
    assert client.state is ClientState.CLOSED


def test_a_frame_fanned_out_is_encoded_once(monkeypatch: pytest.MonkeyPatch) -> None:
    encoded: list[Frame] = []

    def counting(frame: Frame) -> bytes:
        encoded.append(frame)
        return encode_frame(frame)

    monkeypatch.setattr(wire_connection, "encode_frame", counting)
    members = [opened() for _ in range(50)]
    for conn in members:
        conn.data_to_send()
    encoded.clear()
    delivery = Frame(type=MsgType.TEXT, sender=USER, receiver=USER + 1, timestamp=1,
                     seqnum=7, payload=b"to everyone")
    for conn in members:
        assert conn.send_frame(delivery)
    assert encoded == [delivery]
    assert {conn.data_to_send() for conn in members} == {encode_frame(delivery)}
