"""A throwaway ejabberd instance for `prim bench message` to compare against (not a benchmark
of its own: the leading underscore keeps it out of `prim bench`'s list).

Configured as STACK-NOTES.md says for a fair, durable comparison: accounts and the message
archive (MAM, `default: always`, so every message is stored) in SQLite with the WAL
journal, no traffic shaper (Debian's default shapes every client to 3,000 bytes/s), c2s
over STARTTLS with a throwaway certificate (PRIM's clients use TLS too). Users are written
straight into the accounts table (plain passwords) rather than one `ejabberdctl register`
(an Erlang VM start) each. Everything lives in a temporary directory owned by the
`ejabberd` user, which ejabberdctl switches to when run as root.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import sqlite3
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

EJABBERDCTL = "/usr/sbin/ejabberdctl"
SCHEMA = Path("/usr/share/ejabberd/sql/lite.sql")
HOST = "localhost"
INSTALL_HINT = "make bench-deps   (apt-get install -y ejabberd erlang-p1-sqlite3 sqlite3)"

_CONFIG = """\
hosts: ["{host}"]
loglevel: warning
certfiles: ["{cert}"]
define_macro: {{}}
listen:
  - port: {port}
    ip: "127.0.0.1"
    module: ejabberd_c2s
    max_stanza_size: 262144
    shaper: none
    access: c2s
    starttls: true
acl:
  loopback:
    ip: ["127.0.0.0/8"]
access_rules:
  c2s:
    allow: all
shaper_rules:
  c2s_shaper: none
  max_user_sessions: 10
  max_user_offline_messages: 100000
auth_method: sql
auth_password_format: plain
default_db: sql
sql_type: sqlite
sql_database: "{db}"
sql_pool_size: 1
new_sql_schema: false
modules:
  mod_mam:
    default: always
    db_type: sql
  mod_disco: {{}}
  mod_ping: {{}}
"""


def installed() -> bool:
    return Path(EJABBERDCTL).exists() and SCHEMA.exists()


@dataclass
class Ejabberd:
    proc: subprocess.Popen[bytes]
    root: Path
    port: int
    node: str

    def beam_pid(self) -> int | None:
        """The Erlang VM's pid (ejabberdctl runs it through su)."""
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                cmd = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if b"beam" in cmd.split(b"\0", 1)[0] and self.node.encode() in cmd:
                return int(entry.name)
        return None

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        pid = self.beam_pid()
        if pid is not None:
            os.kill(pid, 15)
            for _ in range(50):
                if self.beam_pid() is None:
                    break
                time.sleep(0.1)
        shutil.rmtree(self.root, ignore_errors=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _make_cert(path: Path) -> None:
    key = path.with_suffix(".key")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj",
                    f"/CN={HOST}", "-addext", f"subjectAltName=DNS:{HOST}",
                    "-keyout", str(key), "-out", str(path.with_suffix(".crt"))],
                   check=True, capture_output=True)
    path.write_bytes(path.with_suffix(".crt").read_bytes() + key.read_bytes())


def start(users: list[tuple[str, str]], timeout: float = 60.0) -> Ejabberd:
    """A running instance on a free port holding `users` (name, password)."""
    root = Path(tempfile.mkdtemp(prefix="prim-bench-ejabberd-"))
    owner = pwd.getpwnam("ejabberd")
    for sub in ("spool", "logs"):
        (root / sub).mkdir()
    db = root / "spool" / "ejabberd.db"
    with sqlite3.connect(db) as conn:
        conn.executescript(SCHEMA.read_text())
        conn.execute("PRAGMA journal_mode=WAL")
        conn.executemany("INSERT INTO users (username, password) VALUES (?, ?)", users)
    cert = root / "ejabberd.pem"
    _make_cert(cert)
    port = _free_port()
    node = f"prim-bench-{os.getpid()}@localhost"
    (root / "ejabberd.yml").write_text(_CONFIG.format(host=HOST, cert=cert, port=port, db=db))
    (root / "ejabberdctl.cfg").write_text(
        f'ERLANG_NODE={node}\nEJABBERD_PID_PATH={root}/ejabberd.pid\n'
        'ERL_OPTIONS="-env ERL_CRASH_DUMP_BYTES 0"\n')
    for path in [root, *root.rglob("*")]:
        os.chown(path, owner.pw_uid, owner.pw_gid)
    env = dict(os.environ, ERL_EPMD_ADDRESS="127.0.0.1")
    env.pop("EJABBERD_CONFIG_PATH", None)
    proc = subprocess.Popen(
        [EJABBERDCTL, "--config-dir", str(root), "--config", str(root / "ejabberd.yml"),
         "--ctl-config", str(root / "ejabberdctl.cfg"), "--logs", str(root / "logs"),
         "--spool", str(root / "spool"), "--node", node, "foreground"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=root)
    server = Ejabberd(proc, root, port, node)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            log = (root / "logs" / "ejabberd.log")
            detail = log.read_text()[-2000:] if log.exists() else ""
            server.stop()
            raise RuntimeError(f"ejabberd exited ({proc.returncode}): {detail}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return server
        except OSError:
            time.sleep(0.2)
    server.stop()
    raise TimeoutError(f"ejabberd did not listen on port {port} within {timeout} s")
