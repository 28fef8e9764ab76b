"""Reads the TOML file and PRIM_<SECTION>__<KEY> environment overrides into a Config,
refusing unknown keys, wrong types and out-of-range values with the key's name."""

from __future__ import annotations

import dataclasses
import difflib
import json
import os
import tomllib
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from prim.runtime.config.model import CHOICES, RANGES, Config

ENV_PREFIX = "PRIM_"
# Looked for when no --config is given.
DEFAULT_FILE = "prim.toml"


class ConfigError(Exception):
    """The configuration is invalid; the message names the key and what to do."""


def load_config(
    path: str | Path | None = None,
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Config:
    """The effective configuration: defaults < file < environment < `overrides`
    (dotted keys such as "http.port", as command-line options give them)."""
    env = os.environ if environ is None else environ
    raw: dict[str, dict[str, Any]] = {}
    file = Path(path) if path is not None else None
    if file is None and env.get("PRIM_CONFIG"):
        file = Path(env["PRIM_CONFIG"])
    if file is None and Path(DEFAULT_FILE).is_file():
        file = Path(DEFAULT_FILE)
    if file is not None:
        raw = _read_toml(file)
    sections = _sections()
    for key, value in env.items():
        if not key.startswith(ENV_PREFIX) or "__" not in key:
            continue
        section, _, name = key[len(ENV_PREFIX):].lower().partition("__")
        dotted = f"{section}.{name}"
        _check_key(sections, section, name, f"environment variable {key}")
        raw.setdefault(section, {})[name] = _parse_env(dotted, value, sections[section][name])
    for dotted, value in (overrides or {}).items():
        section, _, name = dotted.partition(".")
        _check_key(sections, section, name, f"option {dotted}")
        raw.setdefault(section, {})[name] = value
    return _build(raw, sections, source=str(file) if file else "defaults")


def as_dict(config: Config) -> dict[str, Any]:
    return dataclasses.asdict(config)


def _read_toml(file: Path) -> dict[str, dict[str, Any]]:
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"config file {file} does not exist") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {file} is not valid TOML: {exc}") from None
    for section, body in data.items():
        if not isinstance(body, dict):
            raise ConfigError(f"{file}: '{section}' must be a [section] table")
    return data


def _sections() -> dict[str, dict[str, Any]]:
    """section -> setting name -> type annotation, from the dataclasses."""
    hints = typing.get_type_hints(Config)
    out: dict[str, dict[str, Any]] = {}
    for f in dataclasses.fields(Config):
        cls = hints[f.name]
        out[f.name] = typing.get_type_hints(cls)
    return out


def _check_key(sections: dict[str, dict[str, Any]], section: str, name: str, where: str) -> None:
    if section not in sections:
        raise ConfigError(f"{where}: unknown section '{section}'{_suggest(section, sections)}")
    if name not in sections[section]:
        raise ConfigError(
            f"{where}: unknown key '{section}.{name}'{_suggest(name, sections[section])}"
        )


def _suggest(word: str, options: Mapping[str, Any]) -> str:
    close = difflib.get_close_matches(word, list(options), n=1)
    return f" (did you mean '{close[0]}'?)" if close else f"; known: {', '.join(sorted(options))}"


def _parse_env(dotted: str, value: str, hint: Any) -> Any:
    """Environment values are strings; lists are JSON arrays or comma-separated."""
    if hint is str:
        return value
    if typing.get_origin(hint) is list:
        if value.startswith("["):
            try:
                return json.loads(value)
            except json.JSONDecodeError:
                raise ConfigError(f"{dotted}: {value!r} is not a JSON list") from None
        return [v.strip() for v in value.split(",") if v.strip()]
    if hint is bool:
        lowered = value.lower()
        if lowered in ("1", "true", "yes", "on"):
            return True
        if lowered in ("0", "false", "no", "off"):
            return False
        raise ConfigError(f"{dotted}: {value!r} is not a boolean (use true or false)")
    try:
        return int(value) if hint is int else float(value)
    except ValueError:
        raise ConfigError(f"{dotted}: {value!r} is not a number") from None


def _build(raw: dict[str, dict[str, Any]], sections: dict[str, dict[str, Any]],
           source: str) -> Config:
    hints = typing.get_type_hints(Config)
    built: dict[str, Any] = {}
    for section, body in raw.items():
        if section not in sections:
            raise ConfigError(f"{source}: unknown section [{section}]{_suggest(section, sections)}")
        values: dict[str, Any] = {}
        for name, value in body.items():
            _check_key(sections, section, name, source)
            values[name] = _validate(f"{section}.{name}", value, sections[section][name])
        built[section] = hints[section](**values)
    return Config(**built)


def _validate(dotted: str, value: Any, hint: Any) -> Any:
    if typing.get_origin(hint) is list:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{dotted}: expected a list of strings, got {value!r}")
        return list(value)
    if hint is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"{dotted}: expected true or false, got {value!r}")
        return value
    if hint is int and (isinstance(value, bool) or not isinstance(value, int)):
        raise ConfigError(f"{dotted}: expected an integer, got {value!r}")
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(f"{dotted}: expected a number, got {value!r}")
        value = float(value)
    if hint is str and not isinstance(value, str):
        raise ConfigError(f"{dotted}: expected a string, got {value!r}")
    if dotted in RANGES:
        low, high = RANGES[dotted]
        if not low <= value <= high:
            raise ConfigError(f"{dotted}: {value!r} is outside {low:g}..{high:g}")
    if dotted in CHOICES and value not in CHOICES[dotted]:
        raise ConfigError(f"{dotted}: {value!r} is not one of {', '.join(CHOICES[dotted])}")
    return value
