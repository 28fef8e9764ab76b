"""`ServerConnection`: the server's side of one client connection (spec/PROTOCOL.md §3).

States: AWAITING_AUTH -> (Auth frame) AUTH_PENDING -> (accept_auth) OPEN -> CLOSED.

- The first frame must be Auth; anything else gets Error AUTH_REQUIRED and the close.
  The token is surfaced as `AuthRequested`; the application answers `accept_auth` or
  `reject_auth` (Error, then close). Frames a client pipelines behind its Auth wait (up to
  `max_frames_before_auth`) and are handled once the answer is known.
- Ping is answered with Pong and Echo with its own payload and extension, here, without
  the application.
- After Auth, a frame whose `sender` is not the authenticated user is answered with Error
  SENDER_MISMATCH (ref_timestamp_ms = its timestamp) and dropped, and the connection stays
  open: the spec's choice (a buggy client should not lose its other conversations) and a
  safe one, since the frame is never acted on.
- A type the spec does not define, or one only servers send, gets Error UNKNOWN_TYPE; the
  frame is skipped and the connection stays open (its lengths were sound).
- Bytes that cannot be a frame (bad version, length past the limit) get Error
  MALFORMED_FRAME / FRAME_TOO_LARGE and the close: the stream cannot be resynchronised.
- Every version in SUPPORTED_PROTOCOL_VERSIONS is accepted (0 from PRIM's own clients);
  the server answers a connection in the version of its first frame.
- `be_offline`: the server ends the connection on purpose (draining, signed out) with
  BeOffline, whose Error payload's code says what the client should do next.
- No bytes for `idle_timeout` seconds: Error IDLE_TIMEOUT, then close.
- Auth not accepted `auth_timeout` seconds after the connection started: Error
  AUTH_REQUIRED, then close. The deadline is fixed (unlike the idle one, bytes do not move
  it), so a client trickling a byte at a time cannot hold a slot without a valid token.
"""

from __future__ import annotations

import enum

from prim.generated.prim.v1 import ErrorCode, MsgType
from prim.generated.wire import MSG_TYPE_INFO
from prim.runtime.wire.connection import FrameConnection
from prim.runtime.wire.errors import FrameError
from prim.runtime.wire.events import AuthRequested, FrameReceived, ProtocolError
from prim.runtime.wire.frame import Frame
from prim.runtime.wire.settings import ConnectionSettings


class ServerState(enum.Enum):
    AWAITING_AUTH = "awaiting_auth"
    AUTH_PENDING = "auth_pending"
    OPEN = "open"
    CLOSED = "closed"


class ServerConnection(FrameConnection):
    def __init__(self, settings: ConnectionSettings, now: float) -> None:
        super().__init__(
            settings.max_payload_length,
            settings.max_send_queue_frames,
            settings.max_send_queue_bytes,
        )
        self.settings = settings
        self._state = ServerState.AWAITING_AUTH
        self._user_id: int | None = None
        self._auth_frame: Frame | None = None
        self._parked: list[Frame] = []
        self._idle_deadline = now + settings.idle_timeout
        self._auth_deadline = now + settings.auth_timeout

    @property
    def state(self) -> ServerState:
        return ServerState.CLOSED if self.closed else self._state

    @property
    def user_id(self) -> int | None:
        return self._user_id

    # -- application interface --------------------------------------------------------

    def accept_auth(self, user_id: int) -> None:
        """The token in AuthRequested belongs to `user_id`: answer Auth, open the connection."""
        if self.closed:
            return
        if self._state is not ServerState.AUTH_PENDING or self._auth_frame is None:
            raise RuntimeError(f"accept_auth in state {self._state.value}")
        if self._auth_frame.sender != user_id:
            self.reject_auth(
                ErrorCode.SENDER_MISMATCH,
                f"the Auth frame's sender {self._auth_frame.sender} is not the token's user",
            )
            return
        self._user_id = user_id
        self._state = ServerState.OPEN
        self._enqueue(
            Frame(
                type=MsgType.AUTH,
                receiver=user_id,
                node_id=self.settings.node_id,
                timestamp=self.settings.clock_ms(),
            ),
            force=True,
        )
        parked, self._parked = self._parked, []
        for frame in parked:
            if self.closed:
                break
            self._handle_open_frame(frame)

    def reject_auth(
        self, code: ErrorCode = ErrorCode.UNAUTHENTICATED, message: str = "invalid token"
    ) -> None:
        """The token is not valid: Error `code`, then close."""
        if self._state is not ServerState.AUTH_PENDING and not self.closed:
            raise RuntimeError(f"reject_auth in state {self._state.value}")
        self._parked.clear()
        self.close(code, message, ref=self._auth_frame)

    def send_frame(self, frame: Frame) -> bool:
        """Queue a frame for the client. False when the connection is not open or when
        the client is not reading fast enough (then a SendQueueFull event follows)."""
        if self.closed or self._state is not ServerState.OPEN:
            return False
        return self._enqueue(frame)

    def send_error(self, code: ErrorCode, message: str, ref: Frame | None = None) -> bool:
        """An Error frame that does not close the connection (e.g. PERMISSION_DENIED)."""
        if self.closed:
            return False
        return self._enqueue(self._make_error(code, message, ref))

    def close(
        self, code: ErrorCode | None = None, message: str = "", ref: Frame | None = None
    ) -> None:
        """Close; with a `code`, an Error frame saying why is sent first."""
        if self.closed:
            return
        if code is not None:
            self._enqueue(self._make_error(code, message, ref), force=True)
        self._close(code, message or "closed by the server", by_peer=False)

    def be_offline(self, code: ErrorCode, message: str) -> None:
        """Close a sound connection on purpose, with a BeOffline frame first (a node
        draining, a session signed out elsewhere): its `code` tells the client what to do
        next (BE_OFFLINE: reconnect; UNAUTHENTICATED: sign in again)."""
        if self.closed:
            return
        self._enqueue(self._make_error(code, message, None, MsgType.BE_OFFLINE), force=True)
        self._close(code, message, by_peer=False)

    def abort(self, code: ErrorCode, message: str) -> None:
        """Close without sending anything more (the peer is not reading anyway)."""
        self._discard_queue()
        self._close(code, message, by_peer=False)

    # -- timers -----------------------------------------------------------------------

    def get_timer(self) -> float | None:
        if self.closed:
            return None
        if self._state is ServerState.OPEN:
            return self._idle_deadline
        return min(self._idle_deadline, self._auth_deadline)

    def handle_timer(self, now: float) -> None:
        if self.closed:
            return
        if self._state is not ServerState.OPEN and now >= self._auth_deadline:
            self._parked.clear()
            self._fail(
                ErrorCode.AUTH_REQUIRED,
                f"Auth was not completed within {self.settings.auth_timeout:g} s",
                self._auth_frame,
            )
        elif now >= self._idle_deadline:
            self._fail(
                ErrorCode.IDLE_TIMEOUT,
                f"nothing received for {self.settings.idle_timeout:g} s",
            )

    # -- protocol ---------------------------------------------------------------------

    def _on_bytes(self, now: float) -> None:
        self._idle_deadline = now + self.settings.idle_timeout

    def _handle_frame(self, frame: Frame, now: float) -> None:
        if self._state is ServerState.OPEN:
            self._handle_open_frame(frame)
        elif self._state is ServerState.AWAITING_AUTH:
            self._version = frame.version  # answer in the client's version from here on
            if frame.type != MsgType.AUTH:
                self._fail(ErrorCode.AUTH_REQUIRED, "the first frame must be Auth", frame)
                return
            self._state = ServerState.AUTH_PENDING
            self._auth_frame = frame
            # The decoder has checked that an Auth payload is UTF-8.
            self._events.append(AuthRequested(frame.payload.decode(), frame.sender, frame))
        elif len(self._parked) < self.settings.max_frames_before_auth:
            self._parked.append(frame)
        else:
            self._fail(ErrorCode.AUTH_REQUIRED,
                       "too many frames sent before Auth was answered", frame)

    def _handle_open_frame(self, frame: Frame) -> None:
        info = MSG_TYPE_INFO[frame.type]  # the decoder rejects types not in the table
        if not info.from_client:
            self._reject_frame(ErrorCode.UNKNOWN_TYPE,
                               f"message type {frame.type} is not sent by clients", frame)
        elif frame.sender != self._user_id:
            self._reject_frame(
                ErrorCode.SENDER_MISMATCH,
                f"sender {frame.sender} is not the authenticated user {self._user_id}",
                frame,
            )
        elif frame.type == MsgType.PING:
            self._enqueue(Frame(type=MsgType.PONG, receiver=frame.sender,
                                node_id=self.settings.node_id,
                                timestamp=self.settings.clock_ms()))
        elif frame.type == MsgType.ECHO:
            self._enqueue(Frame(type=MsgType.ECHO, receiver=frame.sender,
                                node_id=self.settings.node_id, timestamp=frame.timestamp,
                                seqnum=frame.seqnum, payload=frame.payload,
                                extension=frame.extension))
        elif frame.type == MsgType.PONG:
            pass  # an answer to nothing the server asked: harmless
        elif frame.type == MsgType.AUTH:
            self._reject_frame(ErrorCode.FAILED_PRECONDITION,
                               "the connection is already authenticated", frame)
        else:
            self._events.append(FrameReceived(frame))

    def _handle_frame_error(self, error: FrameError, now: float) -> None:
        ref = None
        if error.header is not None:
            ref = Frame(type=error.header.type, timestamp=error.header.timestamp,
                        seqnum=error.header.seqnum)
        if self._state is ServerState.AWAITING_AUTH and not error.fatal:
            # A sound frame that is not a valid Auth, before Auth.
            self._fail(ErrorCode.AUTH_REQUIRED,
                       f"the first frame must be Auth ({error.message})", ref)
        elif error.fatal:
            self._fail(error.code, error.message, ref)
        else:
            self._reject_frame(error.code, error.message, ref)

    def _reject_frame(self, code: ErrorCode, message: str, ref: Frame | None) -> None:
        self._events.append(ProtocolError(code, message, fatal=False))
        self._enqueue(self._make_error(code, message, ref))

    def _fail(self, code: ErrorCode, message: str, ref: Frame | None = None) -> None:
        self._events.append(ProtocolError(code, message, fatal=True))
        self.close(code, message, ref)

    def _make_error(self, code: ErrorCode, message: str, ref: Frame | None,
                    frame_type: int = MsgType.ERROR) -> Frame:
        return self._error_frame(
            code,
            message,
            receiver=self._user_id or 0,
            node_id=self.settings.node_id,
            timestamp=self.settings.clock_ms(),
            ref=ref,
            frame_type=frame_type,
        )
