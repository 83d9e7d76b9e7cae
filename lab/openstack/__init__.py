"""Simulated OpenStack (Keystone v3, Nova, Cinder v3, Glance v2, Neutron v2). See README.md."""

from __future__ import annotations

import json
import shutil
import ssl
import sys
from pathlib import Path

from lab.openstack import disks, world
from lab.runtime import Context, free_port, http_ok, issue_cert, make_ca, wait_for_port, wait_until

REPO = Path(__file__).resolve().parents[2]


def up(ctx: Context) -> dict:
    home = ctx.dir("openstack")
    ca = make_ca(home, "openstack")
    cert, key = issue_cert(ca, home, "openstack-server")
    cloud = world.build(home, disks.DigestCache())
    shutil.rmtree(home / "data", ignore_errors=True)  # volumes and images made by the previous run
    (home / "world.json").write_text(json.dumps(cloud, indent=1))
    https_port, http_port = free_port(), free_port()
    config = {"world": str(home / "world.json"), "data_dir": str(ctx.dir("openstack", "data")),
              "cert": str(cert), "key": str(key), "https_port": https_port, "http_port": http_port,
              "delay": float(ctx.options.get("openstack_delay", 0.3))}
    (home / "server.json").write_text(json.dumps(config, indent=1))
    proc = ctx.spawn("openstack", [sys.executable, "-m", "lab.openstack.server", home / "server.json"], cwd=REPO)
    wait_for_port(https_port, timeout=60, proc=proc)
    record = make_record(cloud, https_port, http_port, ca[0])
    wait_until(lambda: healthy(ctx, record), timeout=30, what="openstack lab answering /v3")
    return record


def healthy(ctx: Context, record: dict) -> bool:
    context = ssl.create_default_context(cafile=record["ca_file"])
    return http_ok(record["auth_url"], context=context)


def make_record(cloud: dict, https_port: int, http_port: int, ca_file: Path) -> dict:
    main, other, validation = cloud["projects"]
    user = cloud["users"][0]
    cred = cloud["application_credentials"][0]
    token = cloud["tokens"][0]
    return {
        "auth_url": f"https://127.0.0.1:{https_port}/v3",
        "auth_url_http": f"http://127.0.0.1:{http_port}/v3",
        "ca_file": str(ca_file),
        "region": cloud["region"],
        "domain_name": "Default",
        "domain_id": "default",
        "project_name": main["name"],
        "project_id": main["id"],
        "other_project": {"name": other["name"], "id": other["id"]},
        "validation_project": {"name": validation["name"], "id": validation["id"]},
        "user_name": user["name"],
        "user_id": user["id"],
        "password": user["password"],
        "token": token["id"],
        "token_expires_at": token["expires_at"],
        "application_credential": {"id": cred["id"], "name": cred["name"], "secret": cred["secret"]},
        "volumes": [
            {"id": v["id"], "name": v["name"], "project_id": v["project_id"],
             "server_id": v["attachments"][0]["server_id"] if v["attachments"] else None,
             "size": v["size"] * disks.GIB, "size_gib": v["size"], "blake3": v["blake3"], "status": v["status"],
             "volume_type": v["volume_type"], "bootable": v["bootable"], "multiattach": v["multiattach"]}
            for v in cloud["volumes"]
        ],
        "images": [{"id": i["id"], "name": i["name"], "size": i["size"], "blake3": i["blake3"],
                    "disk_format": i["disk_format"]} for i in cloud["images"]],
        "root_disks": [{"server_id": s["id"], "size": s["root_disk"]["size"], "blake3": s["root_disk"]["blake3"]}
                       for s in cloud["servers"] if s["root_disk"]],
        "networks": [{"id": n["id"], "name": n["name"], "project_id": n["project_id"]} for n in cloud["networks"]],
        "volume_types": [{"id": t["id"], "name": t["name"]} for t in cloud["volume_types"]],
        "flavors": [{"id": f["id"], "name": f["name"]} for f in cloud["flavors"]],
        "test_vms": cloud["test_vms"],
    }
