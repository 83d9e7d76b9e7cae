"""The simulated oVirt Engine: `python -m lab.ovirt.engine <config.json>`.

Serves over TLS on 127.0.0.1: the SSO token and logout endpoints, the CA certificate
(pki-resource), a health page and the REST API under /ovirt-engine/api (lab.ovirt.api).
"""

from __future__ import annotations

import base64
import json
import logging
import secrets
import ssl
import sys
from pathlib import Path

from aiohttp import web

from lab.ovirt import api
from lab.ovirt.store import Store

log = logging.getLogger("ovirt-engine")

CONFIG = web.AppKey("config", dict)
STORE = web.AppKey("store", Store)
TOKENS = web.AppKey("tokens", dict)


def _sso_error(status: int, code: str, description: str) -> web.Response:
    return web.json_response({"error": code, "error_description": description}, status=status)


async def sso_token(request: web.Request) -> web.Response:
    form = await request.post()
    config = request.app[CONFIG]
    if form.get("grant_type") != "password":
        return _sso_error(400, "unsupported_grant_type", f"The grant type '{form.get('grant_type')}' is not supported.")
    username, password = form.get("username", ""), form.get("password", "")
    if "@" not in username:
        return _sso_error(400, "access_denied",
                          f"Cannot authenticate user '{username}': No valid profile found in credentials..")
    if username != config["user"] or password != config["password"]:
        return _sso_error(400, "access_denied",
                          f"Cannot authenticate user '{username}': The username or password is incorrect..")
    token = secrets.token_urlsafe(48)
    request.app[TOKENS][token] = username
    return web.json_response({
        "access_token": token,
        "scope": form.get("scope", "ovirt-app-api"),
        "exp": "9223372036854775807",
        "token_type": "bearer",
    })


async def sso_logout(request: web.Request) -> web.Response:
    form = await request.post()
    request.app[TOKENS].pop(form.get("token", ""), None)
    return web.json_response({})


async def pki_resource(request: web.Request) -> web.Response:
    if request.query.get("resource") != "ca-certificate":
        return web.Response(status=400, text="Unsupported resource")
    pem = Path(request.app[CONFIG]["ca_file"]).read_bytes()
    if request.query.get("format", "X509-PEM-CA") not in ("X509-PEM-CA", "X509-PEM"):
        return web.Response(status=400, text="Unsupported format")
    return web.Response(body=pem, content_type="application/x-x509-ca-cert")


async def health(request: web.Request) -> web.Response:
    return web.Response(text="DB Up!Welcome to Health Status!")


def _authenticated(request: web.Request) -> bool:
    header = request.headers.get("Authorization", "")
    scheme, _, credentials = header.partition(" ")
    if scheme.lower() == "bearer":
        return credentials in request.app[TOKENS]
    if scheme.lower() == "basic":
        try:
            user, _, password = base64.b64decode(credentials).decode().partition(":")
        except ValueError:
            return False
        config = request.app[CONFIG]
        return user == config["user"] and password == config["password"]
    return False


@web.middleware
async def api_auth(request: web.Request, handler):
    if request.path.startswith("/ovirt-engine/api") and not _authenticated(request):
        return web.Response(status=401, headers={"WWW-Authenticate": 'Bearer realm="RESTAPI"'})
    return await handler(request)


def seed_events(store: Store) -> None:
    """The audit log a fresh engine would show: each VM created, the running ones started."""
    for vm in store.top("vms"):
        cluster = store.resolve(vm["cluster"])
        store.event(34, f"VM {vm['name']} was created by admin@internal-authz.", vm=vm, cluster=cluster)
        if vm.get("host"):
            host = store.resolve(vm["host"])
            store.event(32, f"VM {vm['name']} started on Host {host['name']}", vm=vm, host=host, cluster=cluster)


def make_app(config: dict) -> web.Application:
    inventory = json.loads(Path(config["inventory"]).read_text())
    app = web.Application(middlewares=[api_auth], client_max_size=16 * 1024 * 1024)
    app[CONFIG] = config
    app[STORE] = Store(inventory)
    seed_events(app[STORE])
    app[TOKENS] = {}
    app.router.add_post("/ovirt-engine/sso/oauth/token", sso_token)
    app.router.add_post("/ovirt-engine/services/sso-logout", sso_logout)
    app.router.add_get("/ovirt-engine/services/pki-resource", pki_resource)
    app.router.add_get("/ovirt-engine/services/health", health)
    api.setup(app, config, app[STORE])
    return app


def main(argv: list[str]) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    config = json.loads(Path(argv[0]).read_text())
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(config["cert_file"], config["key_file"])
    web.run_app(make_app(config), host="127.0.0.1", port=config["port"], ssl_context=context,
                access_log=log if config.get("access_log") else None, print=None)


if __name__ == "__main__":
    main(sys.argv[1:])
