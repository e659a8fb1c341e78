"""Where package files live: the Storage protocol and its local-folder, S3 and read-through cache backends."""
from .base import InvalidKey, InvalidRange, NotFound, ObjectReader, Storage, StorageError, StoredObject
from .cache import ReadThroughCache
from .factory import open_storage
from .local import LocalStorage


def __getattr__(name: str):
    # boto3 loads only where S3 is used: a local-storage command starts without it.
    if name == "S3Storage":
        from .s3 import S3Storage

        return S3Storage
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["InvalidKey", "InvalidRange", "LocalStorage", "NotFound", "ObjectReader", "ReadThroughCache",
           "S3Storage", "Storage", "StorageError", "StoredObject", "open_storage"]
