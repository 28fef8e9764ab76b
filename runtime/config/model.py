"""The shape of PRIM's configuration, with the defaults that serve the embedded mode.

Each section is a frozen dataclass; the loader walks these classes to validate a TOML file,
so adding a setting is adding a field here (with a default and a comment).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class NodeConfig:
    # This message node's id in headers and placement (0 < id < 2^18).
    id: int = 1
    # Where embedded state lives: the SQLite file, uploaded files, seqnum segments, the
    # development certificate. Relative paths are taken from the working directory.
    data_dir: str = "prim-data"
    # Which service(s) this process runs: "all" (embedded) or one of api, message,
    # scheduler, seqnum, msgprocessor.
    role: str = "all"


@dataclass(frozen=True)
class HttpConfig:
    host: str = "127.0.0.1"
    # 0 picks a free port (the ready line on stdout says which).
    port: int = 8080
    # Origins allowed by CORS, e.g. ["http://localhost:5173"]; empty: no CORS headers.
    cors_origins: list[str] = field(default_factory=list)
    # Also serve HTTP/3 on the same port number over QUIC.
    http3: bool = False
    # Request bodies above this many bytes are refused with 413.
    max_body_bytes: int = 1_048_576
    # Serve HTTPS with the tls section's certificate (HTTP/3 always does).
    tls: bool = False
    # Serve plain HTTP on an address other than loopback (e.g. behind a TLS-terminating
    # proxy); without it such a bind is refused.
    allow_plaintext: bool = False
    # The built web client served at /; empty: the repository's clients/web/dist.
    web_dir: str = ""


@dataclass(frozen=True)
class GatewayConfig:
    host: str = "127.0.0.1"
    # The QUIC (UDP) and TLS-over-TCP listeners share this port number; 0 picks one.
    port: int = 4433
    # Seconds without any frame before a connection is closed.
    idle_timeout: float = 60.0
    # Most connections this node accepts at once.
    max_connections: int = 10_000
    # Frames queued for one slow connection before it is dropped.
    max_send_queue: int = 1_000
    # Address clients are told to use when it differs from host:port (behind NAT).
    public_address: str = ""
    # Seconds a new connection has to get its Auth accepted (not extended by traffic).
    auth_timeout: float = 10.0
    # Most connections open at once from one IP address, and for one user.
    max_connections_per_ip: int = 1_024
    max_connections_per_user: int = 16
    # QUIC Retry (address validation): auto = on unless gateway.host is a loopback address.
    quic_retry: str = "auto"
    # Browsers: WebTransport (HTTP/3, UDP) and WebSocket (TCP) share this port number;
    # when gateway.port is 0 a free one is picked for them too.
    browser_port: int = 4434
    webtransport: bool = True
    websocket: bool = True
    # TLS on the WebSocket listener: auto = on unless gateway.host is a loopback address
    # (a page served over plain HTTP on loopback cannot use wss:// with the development
    # CA, which browsers do not trust); on; off (loopback only).
    websocket_tls: str = "auto"
    # The QUIC engine: qh3 (compiled core, the fast one) or aioquic.
    quic_engine: str = "qh3"
    # Receive and send buffer asked of the kernel for the QUIC (UDP) socket.
    udp_buffer_bytes: int = 4 * 1024 * 1024


@dataclass(frozen=True)
class TlsConfig:
    # PEM files; empty: a development CA and certificate are made in <data_dir>/tls.
    cert_file: str = ""
    key_file: str = ""
    ca_file: str = ""
    # Extra DNS names or IPs for the development certificate.
    names: list[str] = field(default_factory=list)
    # Seconds between checks whether the development certificate (valid 13 days, so that
    # browsers may pin it by hash) is due for renewal while the node runs.
    renew_check_seconds: float = 3600.0


@dataclass(frozen=True)
class StorageConfig:
    """Backend URLs; `{data_dir}` is replaced by node.data_dir. The URL forms are listed in
    runtime/storage/factory.py."""

    # sqlite:///relative/path.db or postgresql://user@host:port/db
    database: str = "sqlite:///{data_dir}/prim.db"
    # Online state, inboxes, read markers: memory:// or redis://host:port/db
    online: str = "memory://"
    # The message log: memory:// or kafka://host:port
    log: str = "memory://"
    # Seqnum segment ceilings: file:path or a postgresql:// URL
    seqnum: str = "file:{data_dir}/seqnum.json"
    # Uploaded files: file:path
    blobs: str = "file:{data_dir}/blobs"
    # Messages per channel kept in a Redis hot window (needs a redis:// online URL); 0: off.
    hot_window: int = 0


@dataclass(frozen=True)
class AuthConfig:
    # Lifetime of an access token (from 1 s: tests and the conformance suite watch an open
    # connection's token run out).
    token_ttl_seconds: int = 7 * 24 * 3600
    # scrypt cost (2^n); 14 is the interactive-login recommendation.
    scrypt_log_n: int = 14
    # Threads that run scrypt, and hashes waiting for one; beyond the queue a password
    # check is answered UNAVAILABLE (503) at once, so a flood cannot pile up CPU work.
    scrypt_threads: int = 2
    scrypt_queue: int = 32
    # Password checks (Login, DeleteAccount, ChangePassword) per client address a minute,
    # counted before scrypt runs; IPv6 addresses count per /64.
    password_attempts_per_ip_per_minute: int = 30
    # Signups per client address an hour.
    signups_per_ip_per_hour: int = 20
    # Wrong passwords an account takes without delay; then each further check waits
    # failure_delay_seconds, doubling per failure up to max_failure_delay_seconds (backoff,
    # not lockout: the owner waits at most that long; a right password resets it).
    free_password_failures: int = 5
    failure_delay_seconds: float = 1.0
    max_failure_delay_seconds: float = 900.0
    # Proxies (IPs or CIDR blocks) whose X-Forwarded-For names the client address.
    trusted_proxies: list[str] = field(default_factory=list)
    # Seconds between deletions of expired and revoked sessions.
    session_purge_seconds: float = 3600.0


@dataclass(frozen=True)
class LimitsConfig:
    # Largest payload accepted on the wire (the header allows 16383).
    max_payload_bytes: int = 16383
    # Frames a connection may send per second before it gets RATE_LIMITED errors.
    frames_per_second: int = 200
    # Largest upload per media kind, in bytes.
    max_file_bytes: int = 50 * 1024 * 1024
    # Bytes one user may keep in uploaded files, all together (deleting files frees it).
    upload_quota_bytes: int = 1024 * 1024 * 1024
    # Uploads one user may have in flight at once, per api process.
    max_concurrent_uploads: int = 4
    # Seconds between two Typing frames of one sender in one conversation that are relayed
    # (the rest are dropped: a group's fan-out costs a member lookup each).
    typing_interval_seconds: float = 1.0


@dataclass(frozen=True)
class LogConfig:
    # debug, info, warning, error
    level: str = "info"
    # json or kv (key=value)
    format: str = "kv"


@dataclass(frozen=True)
class ClusterConfig:
    """How a process of one role (node.role other than "all") finds and serves the rest
    of the cluster. Internal calls are gRPC over mutual TLS with the deployment's CA (the
    tls section: the configured files, or the development CA in <data_dir>/tls)."""

    # host:port of every scheduler instance (gRPC); all roles but the scheduler call them.
    schedulers: list[str] = field(default_factory=list)
    # This process's gRPC listener (scheduler, seqnum and message roles); 0 picks a port.
    rpc_host: str = "127.0.0.1"
    rpc_port: int = 0
    # Address other services are told to call when it differs from rpc_host:rpc_port.
    rpc_public_address: str = ""
    # /healthz and /metrics of roles without the HTTP API (0 picks a port).
    health_port: int = 0
    # Seconds between a node's heartbeats, and without one before it is dropped.
    heartbeat_seconds: float = 2.0
    lease_seconds: int = 10
    # Seconds a seqnum instance holds a section of channels without renewing it.
    seqnum_lease_seconds: float = 10.0
    # The message node's write-ahead log (msglogger); {data_dir} is node.data_dir.
    wal_dir: str = "{data_dir}/wal"
    # The Kafka consumer group of the msgprocessors; message nodes read its committed
    # positions to know which parts of their write-ahead logs may be deleted.
    msgprocessor_group: str = "prim.msgprocessor"
    # Seconds an Edit or Withdraw waits for its target to reach the database (history
    # follows the Acks by the msgprocessor's lag) before it is answered NOT_FOUND.
    persist_wait_seconds: float = 5.0


@dataclass(frozen=True)
class Config:
    node: NodeConfig = field(default_factory=NodeConfig)
    http: HttpConfig = field(default_factory=HttpConfig)
    gateway: GatewayConfig = field(default_factory=GatewayConfig)
    tls: TlsConfig = field(default_factory=TlsConfig)
    storage: StorageConfig = field(default_factory=StorageConfig)
    auth: AuthConfig = field(default_factory=AuthConfig)
    limits: LimitsConfig = field(default_factory=LimitsConfig)
    log: LogConfig = field(default_factory=LogConfig)
    cluster: ClusterConfig = field(default_factory=ClusterConfig)


# Allowed values of string settings that are enumerations.
CHOICES: dict[str, tuple[str, ...]] = {
    "node.role": ("all", "api", "message", "scheduler", "seqnum", "msgprocessor"),
    "log.level": ("debug", "info", "warning", "error"),
    "log.format": ("json", "kv"),
    "gateway.quic_retry": ("auto", "on", "off"),
    "gateway.quic_engine": ("qh3", "aioquic"),
}

# Inclusive numeric ranges of settings that have them.
RANGES: dict[str, tuple[float, float]] = {
    "node.id": (1, (1 << 18) - 1),
    "http.port": (0, 65535),
    "gateway.port": (0, 65535),
    "gateway.idle_timeout": (0.1, 86400),
    "gateway.max_connections": (1, 1_000_000),
    "gateway.max_send_queue": (1, 1_000_000),
    "gateway.auth_timeout": (0.1, 3600),
    "gateway.max_connections_per_ip": (1, 1_000_000),
    "gateway.max_connections_per_user": (1, 100_000),
    "gateway.udp_buffer_bytes": (64 * 1024, 1 << 30),
    "http.max_body_bytes": (1024, 1 << 31),
    "auth.token_ttl_seconds": (1, 365 * 24 * 3600),
    "auth.scrypt_log_n": (10, 20),
    "auth.scrypt_threads": (1, 256),
    "auth.scrypt_queue": (0, 100_000),
    "auth.password_attempts_per_ip_per_minute": (1, 1_000_000_000),
    "auth.signups_per_ip_per_hour": (1, 1_000_000_000),
    "auth.free_password_failures": (1, 1_000_000_000),
    "auth.failure_delay_seconds": (0.001, 86400),
    "auth.max_failure_delay_seconds": (0.001, 86400),
    "auth.session_purge_seconds": (1, 7 * 86400),
    "limits.max_payload_bytes": (1, 16383),
    "limits.frames_per_second": (1, 1_000_000),
    "limits.max_file_bytes": (1, 1 << 32),
    "limits.upload_quota_bytes": (1, 1 << 50),
    "limits.max_concurrent_uploads": (1, 10_000),
    "limits.typing_interval_seconds": (0, 3600),
    "storage.hot_window": (0, 100_000),
    "cluster.rpc_port": (0, 65535),
    "cluster.health_port": (0, 65535),
    "cluster.heartbeat_seconds": (0.05, 3600),
    "cluster.lease_seconds": (1, 3600),
    "cluster.seqnum_lease_seconds": (0.5, 3600),
    "cluster.persist_wait_seconds": (0, 600),
}
