"""Where package files live: the Storage protocol and its local-folder, S3 and read-through cache backends."""
from .base import InvalidKey, InvalidRange, NotFound, ObjectReader, Storage, StorageError, StoredObject
from .cache import ReadThroughCache
from .factory import open_storage
from .local import LocalStorage
from .s3 import S3Storage

__all__ = ["InvalidKey", "InvalidRange", "LocalStorage", "NotFound", "ObjectReader", "ReadThroughCache",
           "S3Storage", "Storage", "StorageError", "StoredObject", "open_storage"]
