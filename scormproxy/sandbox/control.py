"""The test-control endpoints under /_sandbox/ (no token, loopback clients only)."""
from __future__ import annotations

import ipaddress

from flask import Blueprint, abort, jsonify, request

from .context import current_sandbox
from .faults import FaultSpecError, fault_from_json


def make_control_blueprint(*, max_fault_delay: float) -> Blueprint:
    bp = Blueprint("control", __name__, url_prefix="/_sandbox")

    @bp.before_request
    def _loopback_only():
        try:
            loopback = ipaddress.ip_address(request.remote_addr or "").is_loopback
        except ValueError:
            loopback = False
        if not loopback:
            abort(403, description="the sandbox control endpoints answer loopback clients only")

    @bp.post("/faults")
    def add_fault():
        try:
            fault = fault_from_json(request.get_json(silent=True), max_delay=max_fault_delay)
        except FaultSpecError as exc:
            abort(400, description=str(exc))
        current_sandbox().faults.add(fault)
        return jsonify(fault.as_dict()), 201

    @bp.get("/faults")
    def list_faults():
        return jsonify([fault.as_dict() for fault in current_sandbox().faults.pending()])

    @bp.delete("/faults")
    def clear_faults():
        current_sandbox().faults.clear()
        return jsonify([])

    @bp.get("/requests")
    def requests_seen():
        return jsonify(current_sandbox().request_log.entries())

    @bp.get("/progress")
    def progress_log():
        return jsonify(current_sandbox().state.progress_log())

    @bp.post("/reset")
    def reset():
        current_sandbox().reset()
        return jsonify({"reset": True})

    return bp
