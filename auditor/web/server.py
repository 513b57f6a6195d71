"""Serving the console with uvicorn: one process, a readiness line and sd_notify READY=1.

Proxy headers (``X-Forwarded-For``) are never trusted by uvicorn here: the peer address must be
the real one, since the reverse-proxy user header is honoured only from configured proxies.
"""

from __future__ import annotations

from socket import socket

import uvicorn

from auditor.daemon.sdnotify import notify
from auditor.web.app import WebConfig, create_app

READY_PREFIX = "auditor web: listening on "
"""The line printed (stdout) once the socket listens: tests and scripts wait for it."""


class _Server(uvicorn.Server):
    async def startup(self, sockets: list[socket] | None = None) -> None:
        await super().startup(sockets)
        if self.should_exit:
            return
        host, port = self.config.host, self.config.port
        for server in getattr(self, "servers", []):
            for bound in server.sockets:
                name = bound.getsockname()
                host, port = str(name[0]), int(name[1])
                break
        print(f"{READY_PREFIX}http://{host}:{port}/", flush=True)
        notify("READY=1")


def serve(config: WebConfig, host: str, port: int, *, access_log: bool = True) -> None:
    app = create_app(config)
    app.state.console.data.warm()  # the overview's data is read before the first visitor asks
    server = _Server(
        uvicorn.Config(
            app,
            host=host,
            port=port,
            proxy_headers=False,
            server_header=False,
            date_header=True,
            access_log=access_log,
            log_level="info",
            lifespan="off",
        )
    )
    server.run()
