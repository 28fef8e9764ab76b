"""msglogger: the message node's write-ahead log (wal.py) and its shipper to the message
log, Kafka in a cluster (shipper.py). A message is durable, and may be Acked, once it is in
the WAL; the shipper gets it to Kafka, from which the msgprocessor persists it to the
database, and then lets the WAL drop it."""

from .shipper import ShipperStats, WalShipper
from .wal import WalCorrupted, WalError, WalLocked, WriteAheadLog

__all__ = [
    "ShipperStats",
    "WalCorrupted",
    "WalError",
    "WalLocked",
    "WalShipper",
    "WriteAheadLog",
]
