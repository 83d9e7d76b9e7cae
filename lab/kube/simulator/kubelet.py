"""The kubelet's HTTPS endpoint, as far as the API server uses it: container logs.

`kubectl logs` / `read_namespaced_pod_log` make the API server call
GET https://<node InternalIP>:<kubeletEndpoint.Port>/containerLogs/<ns>/<pod>/<container>
with its kubelet client certificate; this server answers from the log files the Pod
runner writes (one file per container start: <pods dir>/<pod>/logs/<container>/<n>.log,
with <n>.exit written when that run ended).
"""

from __future__ import annotations

import asyncio
import logging
import ssl
from pathlib import Path

from aiohttp import web

from lab.kube.simulator.config import Config

log = logging.getLogger(__name__)


def container_runs(pods_dir: Path, namespace: str, pod: str, container: str) -> list[Path]:
    """Log files of a container's runs, oldest first, for the newest Pod of that name."""
    pod_dirs = sorted(pods_dir.glob(f"{namespace}_{pod}_*"), key=lambda p: p.stat().st_mtime)
    if not pod_dirs:
        return []
    logs = pod_dirs[-1] / "logs" / container
    return sorted(logs.glob("*.log"), key=lambda p: int(p.stem))


def tail(data: bytes, lines: int | None) -> bytes:
    if lines is None:
        return data
    if lines <= 0:
        return b""
    parts = data.splitlines(keepends=True)
    return b"".join(parts[-lines:])


class KubeletServer:
    def __init__(self, config: Config):
        self.config = config

    def _tls(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH, cafile=self.config.ca_file)
        context.load_cert_chain(self.config.kubelet_cert, self.config.kubelet_key)
        # Like a kubelet with webhook/x509 authn: only clients with a cluster certificate.
        context.verify_mode = ssl.CERT_REQUIRED
        return context

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/healthz", lambda request: web.Response(text="ok"))
        app.router.add_get("/containerLogs/{namespace}/{pod}/{container}", self.container_logs)
        return app

    async def container_logs(self, request: web.Request) -> web.StreamResponse:
        ns, pod, container = (request.match_info[k] for k in ("namespace", "pod", "container"))
        query = request.query
        runs = container_runs(self.config.pods_dir, ns, pod, container)
        if query.get("previous") == "true":
            runs = runs[:-1]
        if not runs:
            which = "previous terminated" if query.get("previous") == "true" else ""
            raise web.HTTPNotFound(text=f'{which} container "{container}" in pod "{pod}" not found'.strip())
        path = runs[-1]
        data = path.read_bytes()
        tail_lines = int(query["tailLines"]) if "tailLines" in query else None
        data = tail(data, tail_lines)
        limit = int(query["limitBytes"]) if "limitBytes" in query else None
        if limit is not None:
            data = data[:limit]
        if query.get("follow") != "true":
            return web.Response(body=data, content_type="text/plain")
        response = web.StreamResponse(headers={"Content-Type": "text/plain"})
        await response.prepare(request)
        await response.write(data)
        await self._follow(response, path, path.stat().st_size)
        return response

    async def _follow(self, response: web.StreamResponse, path: Path, offset: int) -> None:
        exit_marker = path.with_suffix(".exit")
        while True:
            finished = exit_marker.exists()
            with open(path, "rb") as f:
                f.seek(offset)
                chunk = f.read()
            if chunk:
                offset += len(chunk)
                await response.write(chunk)
            elif finished or not path.exists():
                return
            else:
                await asyncio.sleep(0.2)

    def serve_forever(self) -> None:
        """Run one HTTPS listener per simulated node (in the calling thread)."""
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        runner = web.AppRunner(self.app(), access_log=None)
        loop.run_until_complete(runner.setup())
        tls = self._tls()
        for node in self.config.nodes:
            site = web.TCPSite(runner, "127.0.0.1", node.kubelet_port, ssl_context=tls)
            loop.run_until_complete(site.start())
            log.info("kubelet endpoint of %s on 127.0.0.1:%d", node.name, node.kubelet_port)
        loop.run_forever()
