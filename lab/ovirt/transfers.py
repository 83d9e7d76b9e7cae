"""Image transfers (`/imagetransfers`) served by the real ovirt-imageio daemon.

Like vdsm on a host, the engine exposes the disk for a transfer and installs a ticket on
the daemon's control port (`PUT /tickets/<id>`):
- format=raw: a read-only `qemu-nbd` exporting the guest-visible data of the image (raw or
  qcow2), so imageio reports real extents and clients get raw guest bytes;
- format=cow: the image file itself (imageio's file backend).
Phases: initializing -> transferring -> finalizing_success -> finished_success, or
cancelled_user -> finished_failure. The disk is locked while a transfer holds it.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from pathlib import Path

import aiohttp

from lab.ovirt.handlers import Engine, action, conflict, creates, lookup
from lab.ovirt.store import ref

log = logging.getLogger("ovirt-engine.transfers")
ADMIN = "admin@internal-authz"
_NBD: dict[str, asyncio.subprocess.Process] = {}  # transfer id -> its qemu-nbd


def _control_url(engine: Engine, ticket_id: str) -> str:
    return f"http://127.0.0.1:{engine.config['imageio']['control_port']}/tickets/{ticket_id}"


def _vms_using(engine: Engine, disk_id: str) -> list[dict]:
    store = engine.store
    return [vm for vm in store.top("vms") if disk_id in store.collections.get(f"vms/{vm['id']}/diskattachments", {})]


def _validate(engine: Engine, disk: dict, direction: str) -> None:
    if direction != "download":
        raise conflict("transfer", "Virtual Disk", "Uploads are not simulated by the lab engine.")
    if disk.get("storage_type") != "image":
        raise conflict("transfer", "Virtual Disk", f"The disk {disk['alias']} is not an image disk "
                       f"(storage type {disk.get('storage_type')}).")
    if disk["status"] == "locked":
        raise conflict("transfer", "Virtual Disk", "Disk is locked. Please try again later.")
    if disk["status"] == "illegal":
        raise conflict("transfer", "Virtual Disk", f"Disk {disk['alias']} is in illegal state.")
    if any(vm["status"] != "down" for vm in _vms_using(engine, disk["id"])):
        raise conflict("transfer", "Virtual Disk", "At least one of the VMs is not down.")


@creates("imagetransfers")
async def add_transfer(engine: Engine, path: str, body: dict, query):
    store = engine.store
    direction = body.get("direction") or "upload"
    fmt = body.get("format") or "cow"
    if body.get("snapshot"):
        raise conflict("transfer", "Virtual Disk", "Disk snapshot transfers are not simulated by the lab engine.")
    disk = lookup(store, "disks", body.get("disk") or body.get("image"), "Disk")
    _validate(engine, disk, direction)
    host = next(h for h in store.top("hosts") if h["status"] == "up")
    transfer = store.add("imagetransfers", {
        "id": str(uuid.uuid4()), "direction": direction, "format": fmt, "phase": "initializing", "active": False,
        "inactivity_timeout": int(body.get("inactivity_timeout") or 60), "shallow": body.get("shallow") == "true",
        "timeout_policy": body.get("timeout_policy") or "legacy", "transferred": 0,
        "disk": ref("disks", disk["id"]), "image": {"id": disk["id"]}, "host": ref("hosts", host["id"]),
    })
    disk["status"] = "locked"
    store.event(1031, f"Image Download with disk {disk['alias']} was initiated by {ADMIN}.")
    engine.later(_prepare(engine, transfer, disk))
    return f"imagetransfers/{transfer['id']}", transfer


async def _start_nbd(engine: Engine, transfer_id: str, disk: dict) -> str:
    run_dir = Path(engine.config["run_dir"])
    run_dir.mkdir(parents=True, exist_ok=True)
    socket_path = run_dir / f"nbd-{transfer_id[:8]}.sock"
    socket_path.unlink(missing_ok=True)
    image_format = "qcow2" if disk["format"] == "cow" else "raw"
    process = await asyncio.create_subprocess_exec(
        "qemu-nbd", "--read-only", "--persistent", "--shared=8", "--allocation-depth", f"--format={image_format}",
        "--export-name=", f"--socket={socket_path}", disk["_path"],
        stdin=asyncio.subprocess.DEVNULL,
    )
    _NBD[transfer_id] = process
    for _ in range(200):  # qemu-nbd binds and listens at once: the socket file means ready
        if process.returncode is not None:
            raise RuntimeError(f"qemu-nbd exited with {process.returncode}")
        if socket_path.exists():
            return f"nbd:unix:{socket_path}"
        await asyncio.sleep(0.05)
    raise RuntimeError("qemu-nbd did not start listening")


async def _prepare(engine: Engine, transfer: dict, disk: dict) -> None:
    await asyncio.sleep(engine.delay)
    try:
        if transfer["format"] == "raw":
            url = await _start_nbd(engine, transfer["id"], disk)
        else:
            url = Path(disk["_path"]).as_uri()
        ticket = {
            "uuid": transfer["id"], "size": disk["provisioned_size"], "url": url, "timeout": 3600,
            "inactivity_timeout": transfer["inactivity_timeout"], "ops": ["read"], "transfer_id": transfer["id"],
            "sparse": bool(disk.get("sparse")), "dirty": False,
        }
        async with aiohttp.ClientSession() as session:
            async with session.put(_control_url(engine, transfer["id"]), json=ticket) as response:
                if response.status >= 300:
                    raise RuntimeError(f"imageio refused the ticket: {response.status} {await response.text()}")
    except Exception:  # noqa: BLE001 - any set-up failure fails the transfer, as on a real host
        log.exception("Preparing transfer %s failed", transfer["id"])
        await _release(engine, transfer)
        disk["status"] = "ok"
        transfer["phase"] = "finished_failure"
        engine.store.event(1034, f"Image Download with disk {disk['alias']} failed.", severity="error")
        return
    imageio = engine.config["imageio"]
    transfer["transfer_url"] = f"https://{imageio['host']}:{imageio['port']}/images/{transfer['id']}"
    transfer["proxy_url"] = transfer["transfer_url"]
    transfer["phase"] = "transferring"


async def _release(engine: Engine, transfer: dict) -> None:
    """Remove the daemon's ticket and stop the NBD server of a transfer."""
    try:
        async with aiohttp.ClientSession() as session:
            async with session.delete(_control_url(engine, transfer["id"])) as response:
                if response.status >= 300 and response.status != 404:
                    log.warning("Removing ticket %s: %s", transfer["id"], response.status)
    except aiohttp.ClientError as error:
        log.warning("Removing ticket %s: %s", transfer["id"], error)
    process = _NBD.pop(transfer["id"], None)
    if process is not None and process.returncode is None:
        process.terminate()
        await process.wait()


def _transfer_disk(engine: Engine, transfer: dict) -> dict:
    return engine.store.resolve(transfer["disk"])


@action("imagetransfers", "finalize")
async def finalize(engine: Engine, path: str, transfer: dict, body: dict):
    if transfer["phase"] not in ("transferring", "paused_user", "paused_system"):
        raise conflict("finalize", "Image Transfer", f"The transfer is in phase {transfer['phase']}.")
    await refresh(engine, transfer)
    transfer["phase"] = "finalizing_success"

    async def finish():
        await _release(engine, transfer)
        await asyncio.sleep(engine.delay)
        disk = _transfer_disk(engine, transfer)
        disk["status"] = "ok"
        transfer["phase"] = "finished_success"
        transfer["active"] = False
        engine.store.event(1032, f"Image Download with disk {disk['alias']} succeeded.")

    engine.later(finish())


@action("imagetransfers", "cancel")
async def cancel(engine: Engine, path: str, transfer: dict, body: dict):
    if transfer["phase"].startswith("finished") or transfer["phase"].startswith("finalizing"):
        raise conflict("cancel", "Image Transfer", f"The transfer is in phase {transfer['phase']}.")
    transfer["phase"] = "cancelled_user"

    async def finish():
        await _release(engine, transfer)
        await asyncio.sleep(engine.delay)
        disk = _transfer_disk(engine, transfer)
        disk["status"] = "ok"
        transfer["phase"] = "finished_failure"
        transfer["active"] = False
        engine.store.event(1033, f"Image Download with disk {disk['alias']} was cancelled.", severity="warning")

    engine.later(finish())


@action("imagetransfers", "pause")
async def pause(engine: Engine, path: str, transfer: dict, body: dict):
    if transfer["phase"] != "transferring":
        raise conflict("pause", "Image Transfer", f"The transfer is in phase {transfer['phase']}.")
    transfer["phase"] = "paused_user"


@action("imagetransfers", "resume")
async def resume(engine: Engine, path: str, transfer: dict, body: dict):
    if transfer["phase"] not in ("paused_user", "paused_system"):
        raise conflict("resume", "Image Transfer", f"The transfer is in phase {transfer['phase']}.")
    transfer["phase"] = "transferring"


@action("imagetransfers", "extend")
async def extend(engine: Engine, path: str, transfer: dict, body: dict):
    if transfer["phase"] != "transferring":
        raise conflict("extend", "Image Transfer", f"The transfer is in phase {transfer['phase']}.")


async def refresh(engine: Engine, transfer: dict) -> None:
    """Update `transferred`/`active` from the daemon's ticket, as the engine's monitor does."""
    if transfer["phase"] != "transferring":
        return
    try:
        timeout = aiohttp.ClientTimeout(total=5)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            async with session.get(_control_url(engine, transfer["id"])) as response:
                if response.status == 200:
                    ticket = await response.json()
                    transfer["transferred"] = int(ticket.get("transferred") or 0)
                    transfer["active"] = bool(ticket.get("active"))
    except (TimeoutError, aiohttp.ClientError) as error:
        log.warning("Reading ticket %s: %s", transfer["id"], error)


async def stop_all(app) -> None:
    for process in list(_NBD.values()):
        if process.returncode is None:
            process.terminate()
    _NBD.clear()
