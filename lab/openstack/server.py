"""The simulated OpenStack process: `python -m lab.openstack.server <config.json>`.

One aiohttp application serves every service under its own path prefix, the way devstack
lays them out behind one web server: Keystone at `/` and `/v3`, Nova at `/compute`,
Cinder at `/volume`, Glance at `/image`, Neutron at `/network`. The same application
listens on an https port (certificate from the lab CA) and a plain http port.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import ssl
import sys
from pathlib import Path

from aiohttp import web

from lab.openstack import (
    api,
    cinder,
    cinder_actions,
    glance,
    keystone,
    keystone_resources,
    neutron,
    nova,
    nova_actions,
)
from lab.openstack.cloud import Cloud
from lab.runtime import LOOPBACK

SERVICE_PREFIX = re.compile(r"^/(compute|volume|image|network)(/|$)")
# Version discovery documents need no token, as in the real services.
PUBLIC_PATHS = re.compile(r"^/(compute(/v2(\.1)?)?|volume(/v3)?|image(/versions)?|network(/v2\.0)?)/?$")


@web.middleware
async def service_token(request: web.Request, handler):
    if SERVICE_PREFIX.match(request.path) and not PUBLIC_PATHS.match(request.path):
        token = request.app["cloud"].token(request.headers.get("X-Auth-Token"))
        if token is None or token.project_id is None:
            error = api.unauthorized()
            error.headers["WWW-Authenticate"] = f'Keystone uri="{api.base_url(request)}/v3"'
            raise error
        request["token"] = token
    return await handler(request)


def make_app(cloud: Cloud) -> web.Application:
    app = web.Application(middlewares=[service_token], client_max_size=64 * 1024 * 1024)
    app["cloud"] = cloud
    for module in (keystone, keystone_resources, nova, nova_actions, cinder, cinder_actions, glance, neutron):
        app.router.add_routes(module.routes)
    return app


async def serve(config: dict) -> None:
    world = json.loads(Path(config["world"]).read_text())
    cloud = Cloud(world, Path(config["data_dir"]), delay=config.get("delay", 0.3))
    runner = web.AppRunner(make_app(cloud), access_log_format='%a "%r" %s %b %Tfs')
    await runner.setup()
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(config["cert"], config["key"])
    await web.TCPSite(runner, LOOPBACK, config["https_port"], ssl_context=tls).start()
    await web.TCPSite(runner, LOOPBACK, config["http_port"]).start()
    logging.info("openstack lab listening on https %s and http %s", config["https_port"], config["http_port"])
    await asyncio.Event().wait()


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    config = json.loads(Path(sys.argv[1]).read_text())
    asyncio.run(serve(config))


if __name__ == "__main__":
    main()
