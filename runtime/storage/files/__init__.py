"""Adapters on the local file system: seqnum ceilings and uploaded blobs."""
