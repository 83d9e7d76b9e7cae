"""Changes to VMs: power actions, edits, add/remove, snapshots, NIC and disk-attachment edits.

Each one moves statuses the way the engine does (down -> wait_for_launch -> powering_up
-> up; up -> powering_down -> down) with a short delay per step, and writes the audit-log
events with the engine's codes, so an inventory that follows `events?from=` sees them.
"""

from __future__ import annotations

import asyncio
import re
import uuid

from lab.ovirt.handlers import Engine, action, conflict, creates, lookup, merge, removes, updates
from lab.ovirt.store import now_text, ref

ADMIN = "admin@internal-authz"
EDITABLE = {
    "name", "description", "comment", "memory", "cpu", "bios", "os", "display", "high_availability",
    "placement_policy", "custom_properties", "io", "usb", "memory_policy", "storage_error_resume_behaviour",
    "cpu_shares", "time_zone", "type", "stateless", "delete_protected", "tpm_enabled", "numa_tune_mode",
    "custom_cpu_model", "custom_emulated_machine", "start_paused", "soundcard_enabled",
}
VALID_NAME = re.compile(r"^[\w.-]{1,64}$")


def _host_for(engine: Engine, vm: dict) -> dict:
    pinned = (vm.get("placement_policy") or {}).get("hosts") or []
    if pinned:
        return engine.store.resolve(pinned[0])
    return next(h for h in engine.store.top("hosts") if h["cluster"]["id"] == vm["cluster"]["id"])


def _disks(engine: Engine, vm: dict) -> list[dict]:
    attachments = engine.store.collections.get(f"vms/{vm['id']}/diskattachments", {}).values()
    return [engine.store.resolve(a["disk"]) for a in attachments]


async def _steps(engine: Engine, vm: dict, statuses: list[str]) -> None:
    for status in statuses:
        await asyncio.sleep(engine.delay)
        vm["status"] = status


def _went_down(engine: Engine, vm: dict, host: dict, exit_message: str) -> None:
    vm.pop("host", None)
    vm.pop("start_time", None)
    vm["stop_time"] = now_text()
    vm["stop_reason"] = ""
    engine.store.event(61, f"VM {vm['name']} is down. Exit message: {exit_message}", vm=vm, host=host,
                       cluster=engine.store.resolve(vm["cluster"]))


@action("vms", "start")
async def start(engine: Engine, path: str, vm: dict, body: dict):
    if vm["status"] not in ("down", "suspended"):
        raise conflict("run", "VM", "VM is running.")
    if any(d and d.get("status") != "ok" for d in _disks(engine, vm)):
        raise conflict("run", "VM", "One or more of the VM's disks are locked or illegal.")
    host = _host_for(engine, vm)
    cluster = engine.store.resolve(vm["cluster"])
    engine.store.event(153, f"VM {vm['name']} was started by {ADMIN} (Host: {host['name']}).", vm=vm, host=host,
                       cluster=cluster)
    vm["host"] = ref("hosts", host["id"])
    vm["status"] = "wait_for_launch"

    async def boot():
        await _steps(engine, vm, ["powering_up", "up"])
        vm["start_time"] = now_text()
        vm.pop("stop_time", None)
        engine.store.event(32, f"VM {vm['name']} started on Host {host['name']}", vm=vm, host=host, cluster=cluster)

    engine.later(boot())


def _require_running(vm: dict, verb: str) -> None:
    if vm["status"] in ("down", "image_locked"):
        raise conflict(verb, "VM", "VM is not running.")


@action("vms", "stop")
async def stop(engine: Engine, path: str, vm: dict, body: dict):
    _require_running(vm, "stop")
    host = engine.store.resolve(vm["host"]) if vm.get("host") else None
    host_name = host["name"] if host else "N/A"
    engine.store.event(33, f"VM {vm['name']} powered off by {ADMIN} (Host: {host_name}).", vm=vm, host=host,
                       cluster=engine.store.resolve(vm["cluster"]))
    vm["status"] = "powering_down"

    async def power_off():
        await _steps(engine, vm, ["down"])
        _went_down(engine, vm, host, "Admin shut down from the engine")

    engine.later(power_off())


@action("vms", "shutdown")
async def shutdown(engine: Engine, path: str, vm: dict, body: dict):
    _require_running(vm, "shutdown")
    host = engine.store.resolve(vm["host"]) if vm.get("host") else None
    host_name = host["name"] if host else "N/A"
    engine.store.event(73, f"VM shutdown initiated by {ADMIN} on VM {vm['name']} (Host: {host_name}).", vm=vm,
                       host=host, cluster=engine.store.resolve(vm["cluster"]))
    vm["status"] = "powering_down"

    async def guest_shutdown():
        await _steps(engine, vm, ["powering_down", "down"])
        _went_down(engine, vm, host, "User shut down from within the guest")

    engine.later(guest_shutdown())


@action("vms", "reboot")
async def reboot(engine: Engine, path: str, vm: dict, body: dict):
    if vm["status"] != "up":
        raise conflict("reboot", "VM", "VM is not up.")
    engine.store.event(157, f"User {ADMIN} initiated reboot of VM {vm['name']}.", vm=vm)
    vm["status"] = "reboot_in_progress"
    engine.later(_steps(engine, vm, ["up"]))


@action("vms", "suspend")
async def suspend(engine: Engine, path: str, vm: dict, body: dict):
    if vm["status"] != "up":
        raise conflict("suspend", "VM", "VM is not up.")
    vm["status"] = "saving_state"

    async def save():
        await _steps(engine, vm, ["suspended"])
        engine.store.event(503, f"Suspending VM {vm['name']} has been completed.", vm=vm)

    engine.later(save())


def _check_name(engine: Engine, name: str, vm_id: str | None, verb: str) -> None:
    if not VALID_NAME.match(name):
        raise conflict(verb, "VM", "The VM name must be 1-64 characters: letters, digits, '_', '-' or '.'.")
    if any(v["name"] == name and v["id"] != vm_id for v in engine.store.top("vms")):
        raise conflict(verb, "VM", "VM name is already in use.")


@updates("vms")
async def update_vm(engine: Engine, path: str, vm: dict, body: dict, query):
    if "name" in body:
        _check_name(engine, body["name"], vm["id"], "edit")
    merge(vm, body, EDITABLE)
    engine.store.event(35, f"VM {vm['name']} configuration was updated by {ADMIN}.", vm=vm,
                       cluster=engine.store.resolve(vm["cluster"]))
    return vm


@creates("vms")
async def add_vm(engine: Engine, path: str, body: dict, query):
    from lab.ovirt.vms import Catalog  # the same builder the lab's seed inventory uses

    store = engine.store
    name = body.get("name") or ""
    _check_name(engine, name, None, "add")
    cluster = lookup(store, "clusters", body.get("cluster"), "Cluster")
    lookup(store, "templates", body.get("template") or {"name": "Blank"}, "Template")
    world = {
        "clusters": {c["name"]: c for c in store.top("clusters")},
        "hosts": {h["name"]: h for h in store.top("hosts")},
        "cpu_profiles": {p["name"]: p for p in store.top("cpuprofiles")},
    }
    catalog = Catalog(engine.config["root"], world, lambda kind, key: str(uuid.uuid4()))
    vm = catalog.vm(name, cluster=cluster["name"])
    merge(vm, body, EDITABLE - {"name"})
    for collection_path, items in catalog.collections.items():
        for item in items:
            store.add(collection_path, item)
    store.event(34, f"VM {name} was created by {ADMIN}.", vm=vm, cluster=cluster)
    return f"vms/{vm['id']}", vm


@removes("vms")
async def remove_vm(engine: Engine, path: str, vm: dict, body: dict, query):
    if vm["status"] != "down":
        raise conflict("remove", "VM", "VM is running.")
    store = engine.store
    if query.get("detach_only", "false").lower() != "true":
        for disk in _disks(engine, vm):
            shared_elsewhere = any(
                disk["id"] in store.collections.get(f"vms/{other['id']}/diskattachments", {})
                for other in store.top("vms") if other["id"] != vm["id"]
            )
            if disk and not shared_elsewhere:
                store.remove(f"disks/{disk['id']}")
    store.remove(path)
    store.event(113, f"VM {vm['name']} was successfully removed.", vm=vm)


@creates("vms/snapshots")
async def add_snapshot(engine: Engine, path: str, body: dict, query):
    vm = engine.store.get(path.rpartition("/")[0])
    if any(d and d.get("status") != "ok" for d in _disks(engine, vm)):
        raise conflict("create", "Snapshot", "One or more of the VM's disks are locked or illegal.")
    description = body.get("description") or ""
    snapshot = engine.store.add(path, {
        "description": description, "date": now_text(), "snapshot_status": "locked", "snapshot_type": "regular",
        "persist_memorystate": str(body.get("persist_memorystate", "false")).lower() == "true",
        "vm": ref("vms", vm["id"]),
    })
    engine.store.event(45, f"Snapshot '{description}' creation for VM '{vm['name']}' was initiated by {ADMIN}.", vm=vm)

    async def complete():
        await asyncio.sleep(engine.delay)
        snapshot["snapshot_status"] = "ok"
        engine.store.event(68, f"Snapshot '{description}' creation for VM '{vm['name']}' has been completed.", vm=vm)

    engine.later(complete())
    return f"{path}/{snapshot['id']}", snapshot


@removes("vms/snapshots")
async def remove_snapshot(engine: Engine, path: str, snapshot: dict, body: dict, query):
    if snapshot["snapshot_type"] == "active":
        raise conflict("remove", "Snapshot", "The active VM snapshot cannot be removed.")
    if snapshot["snapshot_status"] != "ok":
        raise conflict("remove", "Snapshot", "Snapshot is locked.")
    vm = engine.store.get(path.split("/snapshots/")[0])
    description = snapshot["description"]
    snapshot["snapshot_status"] = "locked"
    engine.store.event(342, f"Snapshot '{description}' deletion for VM '{vm['name']}' was initiated by {ADMIN}.",
                       vm=vm)

    async def complete():
        await asyncio.sleep(engine.delay)
        engine.store.remove(path)
        engine.store.event(356, f"Snapshot '{description}' deletion for VM '{vm['name']}' has been completed.",
                           vm=vm)

    engine.later(complete())


@updates("vms/nics")
async def update_nic(engine: Engine, path: str, nic: dict, body: dict, query):
    if "vnic_profile" in body:
        profile = lookup(engine.store, "vnicprofiles", body.pop("vnic_profile"), "vNIC profile")
        nic["vnic_profile"] = ref("vnicprofiles", profile["id"])
    merge(nic, body, {"name", "interface", "linked", "plugged", "mac"})
    vm = engine.store.get(path.split("/nics/")[0])
    engine.store.event(934, f"Interface {nic['name']} ({nic['interface']}) was updated for VM {vm['name']}.", vm=vm)
    return nic


@updates("vms/diskattachments")
async def update_disk_attachment(engine: Engine, path: str, attachment: dict, body: dict, query):
    merge(attachment, body, {"interface", "bootable", "active", "read_only", "uses_scsi_reservation", "pass_discard"})
    vm = engine.store.get(path.split("/diskattachments/")[0])
    disk = engine.store.resolve(attachment["disk"])
    engine.store.event(88, f"VM {vm['name']} {disk['alias']} disk was updated by {ADMIN}.", vm=vm)
    return attachment
