"""The simulated cloud's live state, shared by the service modules (one process, in memory)."""

from __future__ import annotations

import asyncio
import datetime
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from lab.openstack import disks
from lab.openstack.world import CREATED


@dataclass
class Token:
    id: str
    user_id: str
    project_id: str | None
    roles: list[str]
    methods: list[str]
    issued_at: datetime.datetime
    expires_at: datetime.datetime
    application_credential: dict | None = None
    audit_ids: list[str] = field(default_factory=lambda: [secrets.token_urlsafe(16)])

    @property
    def is_admin(self) -> bool:
        return "admin" in self.roles

    def valid(self) -> bool:
        return self.expires_at > datetime.datetime.now(datetime.UTC)


class Cloud:
    def __init__(self, world: dict, data_dir: Path, delay: float = 0.3):
        self.world = world
        self.data_dir = data_dir
        self.delay = delay  # how long transitional states (saving, creating, powering-off...) last
        self.digests = disks.DigestCache()
        self.tasks: set[asyncio.Task] = set()
        by_id = lambda name: {item["id"]: item for item in world[name]}  # noqa: E731
        self.projects, self.users = by_id("projects"), by_id("users")
        self.flavors, self.images, self.volume_types = by_id("flavors"), by_id("images"), by_id("volume_types")
        self.volumes, self.snapshots, self.servers = by_id("volumes"), by_id("snapshots"), by_id("servers")
        self.networks, self.subnets, self.ports = by_id("networks"), by_id("subnets"), by_id("ports")
        self.floatingips, self.routers = by_id("floatingips"), by_id("routers")
        self.security_groups = by_id("security_groups")
        self.app_creds = by_id("application_credentials")
        self.tokens: dict[str, Token] = {}
        for t in world["tokens"]:
            self.tokens[t["id"]] = Token(
                id=t["id"], user_id=t["user_id"], project_id=t["project_id"],
                roles=self.roles_of(t["user_id"], t["project_id"]), methods=t["methods"],
                issued_at=datetime.datetime.fromisoformat(t["issued_at"]),
                expires_at=datetime.datetime.fromisoformat(t["expires_at"]))
        for items in (self.images, self.volumes):
            for item in items.values():
                item.setdefault("created_at", CREATED)
                item.setdefault("updated_at", item["created_at"])
        for server in self.servers.values():
            server.setdefault("updated", server["created"])
        for image in self.images.values():
            image.setdefault("status", "active")
            image.update({k: v for k, v in self.digests.full(image["content_key"], Path(image["file"])).items()
                          if k in ("md5", "sha512")})

    # --- identity ----------------------------------------------------------------------

    def roles_of(self, user_id: str, project_id: str | None) -> list[str]:
        if project_id is None:
            return []
        return list(self.world["assignments"].get(user_id, {}).get(project_id, []))

    def issue(self, user_id: str, project_id: str | None, roles: list[str], methods: list[str],
              expires_at: datetime.datetime | None = None, application_credential: dict | None = None) -> Token:
        issued = datetime.datetime.now(datetime.UTC)
        token = Token(id="gAAAAAB" + secrets.token_urlsafe(48), user_id=user_id, project_id=project_id, roles=roles,
                      methods=methods, issued_at=issued, expires_at=expires_at or issued + datetime.timedelta(hours=1),
                      application_credential=application_credential)
        self.tokens[token.id] = token
        return token

    def token(self, token_id: str | None) -> Token | None:
        token = self.tokens.get(token_id or "")
        return token if token and token.valid() else None

    def visible(self, token: Token, project_id: str | None) -> bool:
        return token.is_admin or project_id == token.project_id

    # --- files and background work -----------------------------------------------------

    def new_file(self, kind: str, object_id: str) -> Path:
        directory = self.data_dir / kind
        directory.mkdir(parents=True, exist_ok=True)
        return directory / f"{object_id}.raw"

    def later(self, coroutine) -> None:
        """Run a state transition in the background, keeping a reference so it is not collected."""
        task = asyncio.get_running_loop().create_task(coroutine)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def pause(self) -> None:
        await asyncio.sleep(self.delay)

    async def copy_with_digests(self, src: Path, key: str, dst: Path) -> dict:
        """Sparse-copy src to dst; return md5/sha512/blake3/size of the bytes (cached by content key)."""
        await asyncio.to_thread(disks.sparse_copy, src, dst)
        return await asyncio.to_thread(self.digests.full, key, dst)

