"""Configuration: one TOML file plus PRIM_* environment overrides, validated at start-up."""

from prim.runtime.config.loader import ConfigError, load_config
from prim.runtime.config.model import Config

__all__ = ["Config", "ConfigError", "load_config"]
