"""scormproxy: mirror SCORM courses out of Open eLMS, play them, report results."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping

from .config import Settings
from .logs import configure_logging

if TYPE_CHECKING:
    from flask import Flask

__all__ = ["create_app"]


def create_app(config: Mapping[str, Any] | Settings | None = None) -> Flask:
    """Build the service. `config` overrides settings read from the environment."""
    from flask import Flask  # here, so commands that never serve (mirror, worker) start faster

    if isinstance(config, Settings):
        settings = config.with_derived_defaults()
    else:
        settings = Settings.from_env(**dict(config or {}))
    configure_logging(settings.log_level, secrets=[settings.openelms_token, settings.admin_token,
                                                   settings.secret_key])
    app = Flask(__name__, static_folder=None)
    app.config["SETTINGS"] = settings
    # No SECRET_KEY: Flask's own session is unused (grants and the admin sign-in sign their
    # cookies themselves), and setting one makes Flask build a serializer per request.
    app.config["JSON_SORT_KEYS"] = False

    from . import db, services
    from .web import init_app as init_web

    db.init_app(app)
    services.init_app(app)
    init_web(app)
    if settings.worker_in_web and settings.openelms_url:
        from .reporting.worker import start_in_process

        app.extensions["scormproxy.worker_stop"] = start_in_process(app)
    return app


def settings_of(app: Flask) -> Settings:
    return app.config["SETTINGS"]
