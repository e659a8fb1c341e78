"""Open eLMS client: typed results, our own exception tree, bounded retries, streamed downloads."""
from __future__ import annotations

from .client import OpenElmsClient
from .errors import (UpstreamAuthError, UpstreamError, UpstreamNotFound, UpstreamNotImplemented,
                     UpstreamPreconditionFailed, UpstreamProtocolError, UpstreamRedirect, UpstreamServerError,
                     UpstreamTimeout, UpstreamTransportError, UpstreamUnavailable, UpstreamValidationError)
from .forms import PROGRESS_ACTIONS, RESOURCE_TYPES, USER_FORM_FIELDS, USER_SEARCH_FIELDS
from .models import Download, LearningResource, TraineeStatus, User
from .retry import BackoffPolicy, CallRecord, RetryStats

__all__ = [
    "OpenElmsClient",
    "LearningResource", "User", "TraineeStatus", "Download",
    "BackoffPolicy", "CallRecord", "RetryStats",
    "PROGRESS_ACTIONS", "RESOURCE_TYPES", "USER_FORM_FIELDS", "USER_SEARCH_FIELDS",
    "UpstreamError", "UpstreamAuthError", "UpstreamNotFound", "UpstreamValidationError",
    "UpstreamPreconditionFailed", "UpstreamNotImplemented", "UpstreamUnavailable", "UpstreamServerError",
    "UpstreamTransportError", "UpstreamTimeout", "UpstreamRedirect", "UpstreamProtocolError",
]
