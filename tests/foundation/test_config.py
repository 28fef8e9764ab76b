"""Configuration: defaults, TOML file, environment overrides, and errors naming the key."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from prim.runtime.config import Config, ConfigError, load_config


def test_defaults_serve_the_embedded_mode() -> None:
    config = load_config(environ={})
    assert config == Config()
    assert config.node.role == "all"
    assert config.storage.database.startswith("sqlite://")


def test_file_then_environment_then_overrides(tmp_path: Path) -> None:
    file = tmp_path / "prim.toml"
    file.write_text('[http]\nport = 9000\ncors_origins = ["http://a"]\n[log]\nformat = "json"\n')
    config = load_config(file, environ={"PRIM_HTTP__PORT": "9100"},
                         overrides={"gateway.port": 0})
    assert config.http.port == 9100
    assert config.http.cors_origins == ["http://a"]
    assert config.log.format == "json"
    assert config.gateway.port == 0


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("[http]\nprot = 1\n", "unknown key 'http.prot' (did you mean 'port'?)"),
        ("[htp]\nport = 1\n", "unknown section [htp]"),
        ('[http]\nport = "x"\n', "http.port: expected an integer"),
        ("[http]\nport = 70000\n", "http.port: 70000 is outside 0..65535"),
        ('[log]\nlevel = "loud"\n', "log.level: 'loud' is not one of"),
        ("[http]\ncors_origins = [1]\n", "http.cors_origins: expected a list of strings"),
        ("[http]\nhttp3 = 1\n", "http.http3: expected true or false"),
        ("http = 3\n", "'http' must be a [section] table"),
        ("[http\n", "is not valid TOML"),
    ],
)
def test_invalid_files_name_the_key(tmp_path: Path, toml: str, message: str) -> None:
    file = tmp_path / "prim.toml"
    file.write_text(toml)
    with pytest.raises(ConfigError, match=None) as info:
        load_config(file, environ={})
    assert message in str(info.value)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"PRIM_HTTP__PORTS": "1"}, "PRIM_HTTP__PORTS: unknown key 'http.ports'"),
        ({"PRIM_GATEWAY__IDLE_TIMEOUT": "soon"}, "gateway.idle_timeout: 'soon' is not a number"),
        ({"PRIM_HTTP__HTTP3": "maybe"}, "http.http3: 'maybe' is not a boolean"),
    ],
)
def test_invalid_environment_names_the_variable(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(environ=env)
    assert message in str(info.value)


def test_missing_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(tmp_path / "nope.toml", environ={})


def test_prim_config_command_prints_and_validates(tmp_path: Path) -> None:
    file = tmp_path / "prim.toml"
    file.write_text("[http]\nport = 9001\n")
    ok = subprocess.run([sys.executable, "-m", "prim.cli.main", "config", "-c", str(file)],
                        capture_output=True, text=True, check=False)
    assert ok.returncode == 0
    assert "[http]" in ok.stdout and "port = 9001" in ok.stdout
    file.write_text("[http]\nport = -1\n")
    bad = subprocess.run([sys.executable, "-m", "prim.cli.main", "config", "-c", str(file)],
                         capture_output=True, text=True, check=False)
    assert bad.returncode == 1
    assert "http.port" in bad.stderr


def test_cli_help_and_unknown_command() -> None:
    helped = subprocess.run([sys.executable, "-m", "prim.cli.main", "--help"],
                            capture_output=True, text=True, check=False)
    assert helped.returncode == 0
    assert "config" in helped.stdout and "gen" in helped.stdout
    wrong = subprocess.run([sys.executable, "-m", "prim.cli.main", "frobnicate"],
                           capture_output=True, text=True, check=False)
    assert wrong.returncode == 2


def test_prim_bench_lists_and_refuses_unknown_names() -> None:
    listed = subprocess.run([sys.executable, "-m", "prim.cli.main", "bench"],
                            capture_output=True, text=True, check=False)
    assert listed.returncode == 0
    for name in ("api", "message", "storage", "transport"):
        assert name in listed.stdout
    unknown = subprocess.run([sys.executable, "-m", "prim.cli.main", "bench", "nope"],
                             capture_output=True, text=True, check=False)
    assert unknown.returncode == 2 and "unknown benchmark" in unknown.stderr
