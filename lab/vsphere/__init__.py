"""vSphere part of the lab: govmomi's vcsim (our build, lab/go/vcsim) with real disk contents.

See README.md in this directory for what is simulated and what is not.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import ssl
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

from lab import gobuild, guest
from lab.runtime import CACHE_DIR, LOOPBACK, free_port, issue_cert, make_ca, sha1_thumbprint, wait_for_port
from lab.vsphere.layout import DEFAULT_VM_COUNT, MAX_VM_COUNT, build_spec, total_vm_count

USER = "administrator@vsphere.local"
PASSWORD = "Lab-vSphere-1!"
TLS_DIR = CACHE_DIR / "vsphere-tls"


def requested_vm_count(ctx) -> int:
    count = int(ctx.options.get("vsphere_vms") or DEFAULT_VM_COUNT)
    if not 1 <= count <= MAX_VM_COUNT:
        raise ValueError(f"--vsphere-vms must be between 1 and {MAX_VM_COUNT}, got {count}")
    return count


def tls_files() -> tuple[Path, Path, Path]:
    """(ca, cert, key), made once and kept in the cache so the thumbprint never changes."""
    ca = make_ca(TLS_DIR, "vsphere")
    cert, key = issue_cert(ca, TLS_DIR, "vcsim", hosts=(LOOPBACK, "localhost"))
    return ca[0], cert, key


def build() -> Path:
    return gobuild.build("vcsim", {"vcsim-lab": "."})["vcsim-lab"]


def build_id(spec: dict) -> str:
    """What a running vcsim-lab was built from: the spec and vcsim-lab's sources. A lab whose
    layout or program changed since it started is rebuilt by the next `up`."""
    digest = hashlib.sha256(json.dumps(spec, sort_keys=True).encode())
    digest.update(gobuild._source_digest(gobuild.GO_DIR / "vcsim").encode())
    return digest.hexdigest()[:16]


def guest_images() -> dict[str, str]:
    return {variant: str(path) for variant, path in guest.disks().items()}


def up(ctx) -> dict:
    binary = build()
    ca, cert, key = tls_files()
    part = ctx.dir("vsphere")
    datastores = part / "datastores"
    shutil.rmtree(datastores, ignore_errors=True)  # vcsim refuses to create VMs over old files
    manifest_path = part / "manifest.json"
    manifest_path.unlink(missing_ok=True)
    spec, roles = build_spec(requested_vm_count(ctx), guest_images())
    spec_path = part / "spec.json"
    spec_path.write_text(json.dumps(spec))

    port = free_port()
    proc = ctx.spawn(
        "vsphere",
        [
            binary,
            "-listen",
            f"{LOOPBACK}:{port}",
            "-cert",
            cert,
            "-key",
            key,
            "-username",
            USER,
            "-password",
            PASSWORD,
            "-spec",
            spec_path,
            "-datastores",
            datastores,
            "-manifest",
            manifest_path,
        ],
    )
    # Building 10,000 VMs takes a while; the port opens only once the inventory is complete.
    wait_for_port(port, timeout=900, proc=proc)
    manifest = json.loads(manifest_path.read_text())
    record = make_record(port, ca, cert, manifest, roles, manifest_path, spec_path)
    return {**record, "build_id": build_id(spec)}


def make_record(
    port: int, ca: Path, cert: Path, manifest: dict, roles: dict, manifest_path: Path, spec_path: Path
) -> dict:
    base = f"https://{LOOPBACK}:{port}"
    by_name = {vm["name"]: vm for vm in manifest["vms"]}
    disks = []
    for vm in manifest["vms"]:
        for disk in vm["disks"]:
            datastore, _, rel = disk["flat_file"].partition("] ")
            disks.append(
                {
                    "vm": vm["name"],
                    "vm_moref": vm["moref"],
                    "datacenter": vm["datacenter"],
                    "datastore": disk["datastore"],
                    "key": disk["key"],
                    "path": disk["file"],
                    "flat_path": disk["flat_file"],
                    "url": f"{base}/folder/{quote(rel)}?dcPath={quote(vm['datacenter'])}&dsName={quote(disk['datastore'])}",
                    "capacity": disk["capacity"],
                    "blake3": disk["blake3"],
                    "allocated_bytes": disk["allocated_bytes"],
                    "shared": disk["shared"],
                }
            )
    return {
        "url": f"{base}/sdk",
        "host": LOOPBACK,
        "port": port,
        "user": USER,
        "password": PASSWORD,
        "thumbprint": sha1_thumbprint(cert),
        "cert_file": str(cert),
        "ca_file": str(ca),
        "datacenters": manifest["datacenters"],
        "vm_count": len(manifest["vms"]),
        "disks": disks,
        "test_vms": {role: {"name": name, "moref": by_name[name]["moref"]} for role, name in roles.items()},
        "disk_write_url": f"{base}/lab/disk-write",
        "manifest": str(manifest_path),
        "spec": str(spec_path),
    }


def healthy(ctx, record: dict) -> bool:
    if record.get("vm_count") != total_vm_count(requested_vm_count(ctx)):
        return False  # asked for another inventory size: rebuild
    if record.get("build_id") != build_id(build_spec(requested_vm_count(ctx), guest_images())[0]):
        return False  # the layout or vcsim-lab changed since it started: rebuild
    context = ssl.create_default_context(cafile=record["ca_file"])
    url = f"https://{record['host']}:{record['port']}/sdk/vimServiceVersions.xml"
    started = time.monotonic()
    with urllib.request.urlopen(url, timeout=5, context=context) as resp:
        return resp.status == 200 and time.monotonic() - started < 5
