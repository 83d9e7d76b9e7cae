"""The `ovirt` lab part: a simulated oVirt Engine REST API and the real ovirt-imageio daemon.

`up(ctx)` makes the CA and certificates, the inventory (`ctx.options["ovirt_vms"]` VMs in
all) and its disk images, starts imageio and the engine, and returns the record described
in lab/ovirt/README.md.
"""

from __future__ import annotations

import json
import os
import ssl
import sys
import urllib.request
from pathlib import Path

from lab import guest
from lab.ovirt import disks, imageio, inventory
from lab.runtime import CACHE_DIR, free_port, issue_cert, make_ca, wait_for_port, wait_until

DEFAULT_VMS = 22  # the test VMs and five bulk VMs (vm-0001 … vm-0005)
USER, PASSWORD = "admin@internal", "lab-ovirt-password"
REPO = Path(__file__).resolve().parents[2]
HASH_CACHE = CACHE_DIR / "ovirt" / "image-hashes.json"


def _ports(count: int) -> list[int]:
    ports: set[int] = set()
    while len(ports) < count:
        ports.add(free_port())
    return list(ports)


def _make_images(built: dict) -> list[dict]:
    """Create every image file; fill the disks' sizes; return the record's `disks` list."""
    entities = {d["id"]: d for d in built["collections"]["disks"]}
    owners = {}
    for path, attachments in built["collections"].items():
        if path.endswith("/diskattachments"):
            vm_id = path.split("/")[1]
            for attachment in attachments:
                owners.setdefault(attachment["id"], vm_id)
    vm_names = {vm["id"]: vm["name"] for vm in built["collections"]["vms"]}
    record = []
    hashes = disks.load_hash_cache(HASH_CACHE)
    known = len(hashes)
    for image in built["images"]:
        if image.get("source"):
            result = disks.copy_image(Path(image["source"]), Path(image["path"]), hashes)
        else:
            spec = {**image, "extents": disks.layout(image["size"], image["seed"], image["data_mib"])}
            result = disks.materialize(spec, Path(image["path"]), hashes)
        disk = entities[image["disk_id"]]
        disk["actual_size"] = result["actual_size"] if disk["sparse"] else disk["provisioned_size"]
        disk["total_size"] = disk["actual_size"]
        vm_id = owners[disk["id"]]
        record.append({
            "vm": vm_names[vm_id], "vm_id": vm_id, "disk_id": disk["id"], "alias": disk["alias"],
            "format": disk["format"], "sparse": disk["sparse"], "status": disk["status"],
            "shareable": disk["shareable"], "capacity": disk["provisioned_size"], "blake3": result["blake3"],
            "path": result["path"], "storage_domain": disk["storage_domains"][0]["id"],
        })
    if len(hashes) != known:
        disks.save_hash_cache(HASH_CACHE, hashes)
    return record


def up(ctx) -> dict:
    base = ctx.dir("ovirt")
    pki = base / "pki"
    ca = make_ca(pki, "ovirt")
    engine_cert = issue_cert(ca, pki, "engine", organization="lab.local")
    imageio_cert = issue_cert(ca, pki, "imageio", organization="lab.local")

    vm_count = int(ctx.options.get("ovirt_vms") or DEFAULT_VMS)
    built = inventory.build(base, vm_count, guest_image=str(guest.disks()["virtio"]))
    disk_record = _make_images(built)
    (base / "inventory.json").write_text(json.dumps({"collections": built["collections"]}))

    engine_port, imageio_port, control_port = _ports(3)
    conf_dir, run_dir = base / "imageio", base / "run"
    imageio.write_config(conf_dir, run_dir / "imageio", imageio_cert, ca[0], imageio_port, control_port)
    daemon = ctx.spawn("ovirt-imageio", imageio.command(conf_dir))

    config = {
        "port": engine_port, "cert_file": str(engine_cert[0]), "key_file": str(engine_cert[1]),
        "ca_file": str(ca[0]), "user": USER, "password": PASSWORD, "root": str(base), "run_dir": str(run_dir),
        "inventory": str(base / "inventory.json"),
        "imageio": {"host": "127.0.0.1", "port": imageio_port, "control_port": control_port},
        "step_delay": float(os.environ.get("MTVWEB_OVIRT_STEP_DELAY", "0.3")),
    }
    (base / "engine.json").write_text(json.dumps(config, indent=2))
    engine = ctx.spawn("ovirt-engine", [sys.executable, "-m", "lab.ovirt.engine", base / "engine.json"], cwd=REPO)

    wait_for_port(imageio_port, timeout=60, proc=daemon)
    wait_for_port(control_port, timeout=60, proc=daemon)
    wait_for_port(engine_port, timeout=120, proc=engine)
    origin = f"https://127.0.0.1:{engine_port}"
    record = {
        "url": f"{origin}/ovirt-engine/api",
        "user": USER,
        "password": PASSWORD,
        "ca_file": str(ca[0]),
        "ca_url": f"{origin}/ovirt-engine/services/pki-resource?resource=ca-certificate&format=X509-PEM-CA",
        "health_url": f"{origin}/ovirt-engine/services/health",
        "imageio": {"host": "127.0.0.1", "port": imageio_port, "control_port": control_port},
        "disks": disk_record,
        "requested_vms": vm_count,
        **built["record"],
    }
    wait_until(lambda: healthy(ctx, record), timeout=60, what="oVirt engine health")
    return record


def healthy(ctx, record: dict) -> bool:
    wanted = ctx.options.get("ovirt_vms")
    if wanted and int(wanted) != record.get("requested_vms"):
        return False
    context = ssl.create_default_context(cafile=record["ca_file"])
    try:
        with urllib.request.urlopen(record["health_url"], timeout=5, context=context) as response:
            if response.status != 200:
                return False
        wait_for_port(record["imageio"]["control_port"], timeout=2)
        wait_for_port(record["imageio"]["port"], timeout=2)
    except (OSError, TimeoutError):
        return False
    return True
