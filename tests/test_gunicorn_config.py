"""gunicorn.conf.py takes its values from the service's settings, read the way gunicorn reads the file."""
from __future__ import annotations

import runpy

import pytest
from gunicorn.config import Config

from scormproxy.config import ConfigError
from tests.conftest import REPO_ROOT

GUNICORN_VARIABLES = ("PORT", "GUNICORN_BIND", "WEB_CONCURRENCY", "GUNICORN_THREADS", "GUNICORN_TIMEOUT",
                      "GUNICORN_GRACEFUL_TIMEOUT", "GUNICORN_KEEPALIVE", "GUNICORN_REUSE_PORT")


def _loaded(monkeypatch, **environ) -> Config:
    for name in GUNICORN_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    config = Config()
    for name, value in runpy.run_path(str(REPO_ROOT / "gunicorn.conf.py")).items():
        if name in config.settings:
            config.set(name, value)
    return config


def test_defaults_spread_connections_over_the_workers(monkeypatch):
    config = _loaded(monkeypatch)
    assert config.bind == ["0.0.0.0:8000"]
    assert (config.workers, config.threads, config.worker_class_str) == (2, 4, "gthread")
    assert config.reuse_port is True
    assert (config.timeout, config.graceful_timeout, config.keepalive) == (60, 30, 5)


def test_the_environment_steers_gunicorn_through_the_settings(monkeypatch):
    config = _loaded(monkeypatch, PORT="9000", WEB_CONCURRENCY="3", GUNICORN_THREADS="6",
                     GUNICORN_REUSE_PORT="off", GUNICORN_KEEPALIVE="2")
    assert config.bind == ["0.0.0.0:9000"]
    assert (config.workers, config.threads, config.keepalive, config.reuse_port) == (3, 6, 2, False)
    assert _loaded(monkeypatch, GUNICORN_BIND="127.0.0.1:8123", PORT="9000").bind == ["127.0.0.1:8123"]


def test_a_bad_value_stops_gunicorn_with_the_settings_error(monkeypatch):
    with pytest.raises(ConfigError, match="GUNICORN_THREADS"):
        _loaded(monkeypatch, GUNICORN_THREADS="many")
