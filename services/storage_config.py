"""The storage section of the configuration as the storage factory takes it: every URL
with {data_dir} filled in."""

from __future__ import annotations

from prim.runtime.config import Config
from prim.runtime.storage.factory import StorageConfig


def storage_config(config: Config) -> StorageConfig:
    data_dir = config.node.data_dir
    s = config.storage
    return StorageConfig(
        database=s.database.format(data_dir=data_dir), online=s.online.format(data_dir=data_dir),
        log=s.log.format(data_dir=data_dir), seqnum=s.seqnum.format(data_dir=data_dir),
        blobs=s.blobs.format(data_dir=data_dir), hot_window=s.hot_window,
    )
