"""A loopback TCP proxy that cuts one response mid-body: a real dropped connection for resume tests."""
from __future__ import annotations

import socket
import threading


class CuttingProxy:
    """Relays 127.0.0.1:<port> to a target port; the first connection whose responses pass
    `cut_after` bytes is closed right there (`cuts` times in all)."""

    def __init__(self, target_port: int, cut_after: int, cuts: int = 1):
        self._target_port = target_port
        self._cut_after = cut_after
        self._cuts_left = cuts
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self.cuts_made = 0
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def close(self) -> None:
        self._listener.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        upstream = socket.create_connection(("127.0.0.1", self._target_port))
        threading.Thread(target=self._pipe, args=(client, upstream, False), daemon=True).start()
        self._pipe(upstream, client, True)

    def _take_cut(self) -> bool:
        with self._lock:
            if self._cuts_left <= 0:
                return False
            self._cuts_left -= 1
            self.cuts_made += 1
            return True

    def _pipe(self, source: socket.socket, sink: socket.socket, is_response: bool) -> None:
        relayed = 0
        try:
            while data := source.recv(65536):
                if is_response and relayed + len(data) > self._cut_after and self._take_cut():
                    sink.sendall(data[: max(0, self._cut_after - relayed)])
                    break
                relayed += len(data)
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                sock.close()
