"""The cluster as a server under test (`prim conformance run --server cluster`): every role
its own process (services/cluster/local.py: schedulers, seqnum, a msgprocessor, message
nodes, the api) on PostgreSQL, Redis and Kafka (a Tansu broker when none is given), in a
database and Redis prefix of its own, dropped at the end.

Connections are spread over the message nodes in turn, so a case's actors sit on different
nodes and delivery between them crosses the cluster. A restart restarts every process (the
broker stays), each role's processes at once. The cluster stays up from one configuration
group to the next: a new `server_config` restarts, with the new settings, only the
processes that read the sections it changes (`gateway.*` and `limits.*`: the message nodes
and the api), not the whole cluster. History follows the Acks by the msgprocessor's lag,
so the runner lets an HTTP answer about stored messages take up to `history_lag` seconds to
match.
"""

from __future__ import annotations

import secrets
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from .servers import RUNNER_DEFAULTS, ServerEndpoints, env_name

# Short leases and heartbeats: a restarted process is noticed within seconds.
_FAST = {"cluster.heartbeat_seconds": "0.5", "cluster.lease_seconds": "2",
         "cluster.seqnum_lease_seconds": "2"}
# The roles that read a configuration section (any other section: every role).
_READERS = {"gateway": ("message", "api"), "limits": ("message", "api")}


class ClusterServer:
    capabilities = frozenset({"restart", "config"})
    history_lag = 5.0

    def __init__(self, name: str = "cluster", *,
                 database: str = "postgresql://postgres@127.0.0.1:5432/prim",
                 redis: str = "redis://127.0.0.1:6379/0", kafka: str = "",
                 message_nodes: int = 2) -> None:
        self.name = name
        self._base_database = database
        self._redis = redis
        self._kafka = kafka
        self._message_nodes = message_nodes
        self._cluster: object | None = None
        self._dir: tempfile.TemporaryDirectory[str] | None = None
        self._database = ""
        self._config: dict[str, str] = {}

    async def start(self, config: dict[str, str]) -> ServerEndpoints:
        from prim.services.cluster.local import START_ORDER, ClusterSpec, LocalCluster

        if isinstance(self._cluster, LocalCluster):
            changed = {k for k in {*config, *self._config}
                       if config.get(k) != self._config.get(k)}
            if changed:
                roles = {r for k in changed
                         for r in _READERS.get(k.partition(".")[0], START_ORDER)}
                defaults = {**RUNNER_DEFAULTS, **_FAST}
                await self._cluster.restart_roles(
                    roles, {env_name(k): config.get(k, defaults.get(k)) for k in changed})
                self._config = dict(config)
            return self._endpoints()
        await self.stop()
        self._config = dict(config)
        self._dir = tempfile.TemporaryDirectory(prefix="prim-conformance-cluster-")
        tag = secrets.token_hex(4)
        parts = urlsplit(self._base_database)
        self._database = urlunsplit(parts._replace(path=f"{parts.path}_conformance_{tag}"))
        env = {env_name(k): v for k, v in {**RUNNER_DEFAULTS, **_FAST, **config,
                                           "cluster.msgprocessor_group":
                                           f"prim-conformance-{tag}"}.items()}
        spec = ClusterSpec(directory=Path(self._dir.name), database=self._database,
                           redis=self._redis, kafka=self._kafka,
                           kafka_options=f"topic=prim-conformance-{tag}"
                                         "&session_timeout_ms=6000&heartbeat_interval_ms=1000",
                           redis_prefix=f"prim-conformance-{tag}:",
                           message_nodes=self._message_nodes, env=env)
        cluster = LocalCluster(spec)
        self._cluster = cluster
        await cluster.start()
        return self._endpoints()

    def _endpoints(self) -> ServerEndpoints:
        from prim.services.cluster.local import LocalCluster

        cluster = self._cluster
        assert isinstance(cluster, LocalCluster)
        api = cluster.ready_of("api")[0]
        nodes = cluster.ready_of("message")
        return ServerEndpoints(http=str(api["http"]), quic=str(nodes[0]["quic"]),
                               tcp=str(nodes[0]["tcp"]), ca_cert=str(api["ca_cert"]),
                               gateways=tuple(str(n["quic"]) for n in nodes))

    async def restart(self) -> ServerEndpoints:
        from prim.services.cluster.local import LocalCluster

        cluster = self._cluster
        assert isinstance(cluster, LocalCluster)
        await cluster.restart_roles()
        return self._endpoints()

    async def stop(self) -> None:
        from prim.services.cluster.local import LocalCluster

        cluster, self._cluster = self._cluster, None
        if isinstance(cluster, LocalCluster):
            await cluster.stop()
        if self._database:
            await _drop_database(self._database)
            self._database = ""
        if self._dir is not None:
            self._dir.cleanup()
            self._dir = None


async def _drop_database(dsn: str) -> None:
    import asyncpg

    parts = urlsplit(dsn)
    conn = await asyncpg.connect(urlunsplit(parts._replace(path="/postgres")))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{parts.path.lstrip("/")}" WITH (FORCE)')
    finally:
        await conn.close()
