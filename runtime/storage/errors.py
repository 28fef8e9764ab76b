"""Exceptions the storage ports raise; services map them to spec error codes."""


class StorageError(Exception):
    """Base class for every storage failure that a caller may want to handle."""


class NotFound(StorageError):
    """The record the operation needs does not exist (or has expired)."""


class AlreadyExists(StorageError):
    """A unique record (friendship, pending request, membership...) is already there."""


class FailedPrecondition(StorageError):
    """The state forbids the operation (e.g. removing a group's owner)."""


class BlobTooLarge(StorageError, ValueError):
    """An upload passed the BlobStore's size limit; nothing of it was kept."""
