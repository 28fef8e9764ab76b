"""`prim serve` prints one JSON ready line naming its endpoints, serves them, and stops
cleanly on SIGTERM / SIGINT."""

from __future__ import annotations

import json
import signal
import socket
import ssl
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest


def _start(tmp_path: Path) -> tuple[subprocess.Popen[str], dict[str, str]]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "prim.cli.main", "serve", "--data-dir", str(tmp_path / "data"),
         "--http-port", "0", "--gateway-port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line:
        proc.kill()
        raise AssertionError(f"no ready line; stderr:\n{proc.communicate()[1]}")
    return proc, json.loads(line)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_ready_line_endpoints_and_clean_stop(tmp_path: Path, sig: signal.Signals) -> None:
    proc, ready = _start(tmp_path)
    try:
        assert ready["event"] == "ready"
        assert set(ready) >= {"http", "quic", "tcp", "ca_cert", "fingerprint"}
        with urllib.request.urlopen(ready["http"] + "/healthz", timeout=10) as answer:
            assert answer.status == 200
        with urllib.request.urlopen(ready["http"] + "/openapi.json", timeout=10) as answer:
            assert json.load(answer)["openapi"].startswith("3.1")
        # The CA file exists and the TLS-over-TCP listener presents a certificate it signed.
        ca = Path(ready["ca_cert"])
        assert ca.is_absolute() and ca.exists()
        host, port = ready["tcp"].rsplit(":", 1)
        ctx = ssl.create_default_context(cafile=str(ca))
        ctx.set_alpn_protocols(["prim"])
        with socket.create_connection((host, int(port)), timeout=10) as raw, \
                ctx.wrap_socket(raw, server_hostname="localhost") as tls:
            assert tls.selected_alpn_protocol() == "prim"
        signup = urllib.request.Request(
            ready["http"] + "/v1/users", method="POST",
            data=json.dumps({"nickname": "ann", "password": "long enough"}).encode(),
            headers={"content-type": "application/json"})
        with urllib.request.urlopen(signup, timeout=10) as answer:
            user_id = json.load(answer)["userId"]
        # A person who opens the server's address gets the web client (or, without a build,
        # how to make one), and the API's page stays at /docs.
        with urllib.request.urlopen(ready["http"] + "/", timeout=10) as answer:
            assert answer.headers.get_content_type() == "text/html"
            assert b"<html" in answer.read()
        with urllib.request.urlopen(ready["http"] + "/docs", timeout=10) as answer:
            assert b"openapi.json" in answer.read()
    finally:
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    # Application events at info: the start-up summary, a sign-up and the shutdown.
    assert 'msg="PRIM is serving" role=all' in err and 'msg="PRIM stopped"' in err
    assert f'msg="signed up" user_id={user_id}' in err


def test_bad_configuration_exits_1_naming_the_key(tmp_path: Path) -> None:
    (tmp_path / "prim.toml").write_text("[gateway]\nidle_timeout = -5\n")
    result = subprocess.run(
        [sys.executable, "-m", "prim.cli.main", "serve"], cwd=tmp_path,
        capture_output=True, text=True, timeout=30, check=False,
    )
    assert result.returncode == 1
    assert "gateway.idle_timeout" in result.stderr
    assert result.stdout == ""


def test_port_in_use_is_explained(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "prim.cli.main", "serve", "--data-dir", str(tmp_path),
             "--http-port", str(port), "--gateway-port", "0"],
            capture_output=True, text=True, timeout=30, check=False,
        )
    assert result.returncode == 1
    assert "--http-port" in result.stderr


def test_a_second_serve_on_the_same_data_dir_says_so_in_one_line(tmp_path: Path) -> None:
    first, _ = _start(tmp_path)
    try:
        result = subprocess.run(
            [sys.executable, "-m", "prim.cli.main", "serve", "--data-dir",
             str(tmp_path / "data"), "--http-port", "0", "--gateway-port", "0"],
            capture_output=True, text=True, timeout=60, check=False,
        )
    finally:
        first.send_signal(signal.SIGTERM)
        first.communicate(timeout=20)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("prim serve:")]
    assert lines == [f"prim serve: the data dir {tmp_path / 'data'} is in use by another "
                     f"prim serve (pid {first.pid}); stop that one, or give this one another "
                     "--data-dir"], result.stderr
