"""Structured JSON logging to stdout, one line per event, secrets redacted."""
from __future__ import annotations

import json
import logging
import sys
import time
from typing import Iterable

_SECRETS: set[str] = set()
_RESERVED = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


def register_secret(value: str) -> None:
    """Make sure `value` never reaches a log line, whoever logs it."""
    if value and len(value) >= 4:
        _SECRETS.add(value)


def redact(text: str) -> str:
    for secret in _SECRETS:
        if secret in text:
            text = text.replace(secret, "***")
    return text


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key not in _RESERVED and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return redact(json.dumps(entry, default=str))


def configure_logging(level: str = "INFO", secrets: Iterable[str] = ()) -> None:
    for secret in secrets:
        register_secret(secret)
    root = logging.getLogger()
    if not any(isinstance(h.formatter, JsonFormatter) for h in root.handlers):
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(JsonFormatter())
        root.addHandler(handler)
    root.setLevel(level.upper())
    # urllib3 logs full URLs at DEBUG; keep it quiet regardless of our level.
    logging.getLogger("urllib3").setLevel(logging.WARNING)
    # Its "Retrying ..." warnings repeat our own retry line.
    logging.getLogger("urllib3.connectionpool").setLevel(logging.ERROR)
    # The development server's access lines carry raw paths (launch tokens); ours redact them.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
