"""The data path from the other source types, for bench/transfer.py: the same disk (SIZE bytes,
every other MiB random, the rest holes) moved by the transfer Pod's entry point
(`python -m mtvweb.pods.transfer`) from

1. oVirt: an image transfer (raw download) served by the lab's real ovirt-imageio daemon. The
   engine's `Operations.prepare_disks` opens it and gives the transfer's arguments,
   `reader_secret()` its environment; `release_disks` finalizes it afterwards.
2. OpenStack: the Cinder volume of a stopped server copied into a Glance image by
   `Operations.prepare_disks` (attached, so: snapshot → volume → upload, as the engine does),
   then downloaded from Glance with the session's token; `release_disks` deletes the image. The
   preparation and the download are timed apart.
3. KubeVirt: the openshift `Operations.prepare_disks`/`reader_secret` with the source cluster's
   part played by the bench: the reader Pod's container (`python -m mtvweb.pods.serve`, the
   command line and environment of the engine's manifest) runs as a local process on the disk
   file, bound to 127.0.0.1, instead of as a Pod; the transfer gets the engine's arguments.

How the disk gets into the labs: both keep their inventory in memory, read at start from a file
the lab writes (oVirt `inventory.json`, OpenStack `world.json`), so a disk cannot be swapped
under a running lab. The bench starts its own front-end process from the lab's code, certificates
and a copy of that file in which one disk is the bench disk, on its own ports, and stops it
afterwards: oVirt's lab engine (the disk of role `down` is the bench disk: size and path), next
to the lab's own engine and using the lab's imageio daemon; OpenStack's lab server (the boot
volume of role `shutoff` is the bench disk), with a private data directory and digest cache
(XDG_CACHE_HOME), so no hash the labs keep can be taken for the bench disk's. The lab's own
processes and files are left as they were. The KubeVirt reader binds only 127.0.0.1 (a reader
Pod binds every address, and the lab's Pods share the host's network).

Each row's target is checked: its BLAKE3 must equal the raw disk's, else the row fails.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import time
import types
import uuid
from pathlib import Path

from common import ROOT, lab_up, setup_django

from tests.engine.helpers import blake3_of

MIB, GIB = 1 << 20, 1 << 30
RUNS = 2  # as bench/transfer.py: each copy runs twice, the fastest counts
# The downward API's status.podIP, as the lab's kubelet gives it: the reader listens there only.
POD_IP = "127.0.0.1"


class Bench:
    def __init__(self, raw: Path, size: int, allocated: int, cp_rate: float, workdir: Path):
        self.raw, self.size, self.allocated, self.cp_rate, self.workdir = raw, size, allocated, cp_rate, workdir
        self.digest = blake3_of(raw, size)
        self.stamp = f"{int(time.time())}-{uuid.uuid4().hex[:6]}"

    def transfer(self, name: str, reader_args: list[str], env: dict) -> tuple[float, Path]:
        """The transfer Pod's entry point with the engine's reader arguments; (seconds, target)."""
        target = self.workdir / f"{name}.img"
        argv = [sys.executable, "-m", "mtvweb.pods.transfer", *reader_args, "--target", str(target),
                "--size", str(self.size), "--termination-log", os.devnull]
        best = None
        for _ in range(RUNS):  # the fastest counts, as in bench/transfer.py
            target.unlink(missing_ok=True)
            started = time.perf_counter()
            done = subprocess.run(argv, cwd=ROOT, env={**os.environ, **env}, capture_output=True, text=True)
            seconds = time.perf_counter() - started
            (self.workdir / f"{name}.transfer.log").write_text(done.stderr)
            if done.returncode:
                target.unlink(missing_ok=True)
                raise RuntimeError(f"the transfer failed: {done.stderr.strip()[-500:]}")
            best = seconds if best is None else min(best, seconds)
        return best, target

    def row(self, label: str, seconds: float, target: Path, note: str) -> tuple[str, str, str]:
        try:
            digest = blake3_of(target, self.size)
            if digest != self.digest:
                raise RuntimeError(f"the target's BLAKE3 {digest[:16]}… differs from the disk's {self.digest[:16]}…")
            rate, written = self.size / MIB / seconds, target.stat().st_blocks * 512
        finally:
            target.unlink(missing_ok=True)
            target.with_name(f"{target.name}.checkpoint").unlink(missing_ok=True)
        return (label, f"{rate:.0f} MiB/s",
                f"{rate / self.cp_rate:.2f}x cp; written {written / self.allocated:.2f}x allocated"
                + (f"; {note}" if note else ""))


def extents(reader_args: list[str]) -> str:
    """How the engine's arguments let the transfer find the holes."""
    given = [a for a in reader_args if a in ("--extents-url", "--extents-file", "--extents-data")]
    return f", holes known ({given[0]})" if given else ", every byte read (no extents)"


@contextlib.contextmanager
def process(argv: list, log: Path, port: int | None = None, env: dict | None = None):
    """A process of the bench's own (its own process group, so children such as qemu-nbd stop with
    it), up once it listens on `port`; stopped on leaving."""
    from lab.runtime import wait_for_port

    with open(log, "ab") as out:
        proc = subprocess.Popen([str(a) for a in argv], cwd=ROOT, stdin=subprocess.DEVNULL, stdout=out,
                                stderr=subprocess.STDOUT, env={**os.environ, **(env or {})}, start_new_session=True)
    try:
        if port:
            wait_for_port(port, timeout=60, proc=proc)
        yield proc
    finally:
        stop(proc)


def stop(proc: subprocess.Popen) -> None:
    for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(wait)
            return
        except subprocess.TimeoutExpired:
            continue


def load(provider) -> None:
    """A full inventory load, as the inventory service does it."""
    from providers.adapters import adapter_for
    from providers.inventory.store import InventoryStore

    collector = adapter_for(provider).collector()
    try:
        InventoryStore(provider).load(collector)
    finally:
        if hasattr(collector, "close"):
            collector.close()


def make_provider(kind: str, name: str, url: str, credentials: dict):
    from providers.models import Provider

    provider = Provider(type=kind, namespace="bench", name=name, url=url, status="Ready")
    provider.set_credentials(credentials)
    provider.save()
    return provider


# --- oVirt ----------------------------------------------------------------------------------------


def ovirt(bench: Bench) -> tuple[float, Path, str]:
    from lab.runtime import free_port, state_dir
    from providers.adapters import adapter_for
    from providers.models import VirtualMachine

    lab = lab_up("ovirt")
    config = json.loads((state_dir() / "ovirt" / "engine.json").read_text())
    inventory = json.loads(Path(config["inventory"]).read_text())
    vm_id = lab["test_vms"]["down"]["id"]  # down: the engine lends its disk for download
    disk_id = next(d["disk_id"] for d in lab["disks"] if d["vm_id"] == vm_id)
    disk = next(d for d in inventory["collections"]["disks"] if d["id"] == disk_id)
    disk.update(provisioned_size=bench.size, actual_size=bench.allocated, total_size=bench.allocated, sparse=True,
                format="raw", _path=str(bench.raw))
    home = bench.workdir / "ovirt"
    (home / "run").mkdir(parents=True)
    (home / "inventory.json").write_text(json.dumps(inventory))
    config.update(port=free_port(), inventory=str(home / "inventory.json"), run_dir=str(home / "run"), root=str(home))
    (home / "engine.json").write_text(json.dumps(config))
    url = f"https://127.0.0.1:{config['port']}/ovirt-engine/api"
    with process([sys.executable, "-m", "lab.ovirt.engine", home / "engine.json"], home / "engine.log",
                 port=config["port"]):
        provider = make_provider("ovirt", f"bench-rhv-{bench.stamp}", url, {
            "user": lab["user"], "password": lab["password"], "cacert": Path(lab["ca_file"]).read_text()})
        try:
            load(provider)
            vm = VirtualMachine.objects.get(provider=provider, uid=vm_id)
            ops = adapter_for(provider).operations()
            source = ops.describe(vm)
            try:
                reader_args = ops.prepare_disks(vm, source)[disk_id]
                seconds, target = bench.transfer("ovirt", reader_args, ops.reader_secret())
            finally:
                ops.release_disks(vm)
        finally:
            provider.delete()
    return seconds, target, f"the lab engine's raw download (qemu-nbd behind imageio){extents(reader_args)}"


# --- OpenStack ------------------------------------------------------------------------------------


def openstack(bench: Bench) -> tuple[float, Path, str]:
    from lab.runtime import free_port, state_dir
    from providers.adapters import adapter_for
    from providers.models import VirtualMachine

    if bench.size % GIB:
        raise ValueError("Cinder volumes are whole GiB: the disk is not")
    lab = lab_up("openstack")
    config = json.loads((state_dir() / "openstack" / "server.json").read_text())
    world = json.loads(Path(config["world"]).read_text())
    server = lab["test_vms"]["shutoff"]  # SHUTOFF, one attached (in-use) boot volume
    volume = next(v for v in world["volumes"] if v["id"] == server["volumes"][0])
    volume.update(size=bench.size // GIB, file=str(bench.raw), content_key=f"mtvweb-bench:{bench.digest}",
                  blake3=bench.digest)
    home = bench.workdir / "openstack"
    home.mkdir()
    (home / "world.json").write_text(json.dumps(world))
    config.update(world=str(home / "world.json"), data_dir=str(home / "data"), https_port=free_port(),
                  http_port=free_port())
    (home / "server.json").write_text(json.dumps(config))
    url = f"https://127.0.0.1:{config['https_port']}/v3"
    with process([sys.executable, "-m", "lab.openstack.server", home / "server.json"], home / "server.log",
                 port=config["https_port"], env={"XDG_CACHE_HOME": str(home / "cache")}):
        provider = make_provider("openstack", f"bench-osp-{bench.stamp}", url, {
            "authType": "password", "username": lab["user_name"], "password": lab["password"],
            "domainName": lab["domain_name"], "projectName": lab["project_name"],
            "cacert": Path(lab["ca_file"]).read_text()})
        try:
            load(provider)
            vm = VirtualMachine.objects.get(provider=provider, uid=server["id"])
            ops = adapter_for(provider).operations()
            source = ops.describe(vm)
            try:
                started = time.perf_counter()
                reader_args = ops.prepare_disks(vm, source)[volume["id"]]
                preparation = time.perf_counter() - started
                seconds, target = bench.transfer("openstack", reader_args, ops.reader_secret())
            finally:
                ops.release_disks(vm)
        finally:
            provider.delete()
    return seconds, target, (f"preparation {preparation:.1f} s (Cinder snapshot, volume, upload to Glance)"
                             f"{extents(reader_args)}")


# --- KubeVirt -------------------------------------------------------------------------------------


def local_readers(disk: Path, size: int, log: Path):
    """The openshift Operations with the source cluster's part played here: the reader Pod's
    container runs as a local process (bound to 127.0.0.1, on the bench file for the claim's
    disk.img) and serves at 127.0.0.1 instead of the Pod's IP. The rest — the manifest, the token
    handed over, the transfer arguments — is the engine's own code."""
    from unittest import mock

    from providers.adapters import adapter_for
    from providers.adapters.openshift import transfer
    from providers.models import Provider

    class Core:  # the CoreV1Api calls _prepare makes itself: a Filesystem claim
        def __init__(self, api=None):
            pass

        def read_namespaced_persistent_volume_claim(self, *args, **kwargs):
            return types.SimpleNamespace(spec=types.SimpleNamespace(volume_mode="Filesystem"))

    class LocalReaders(transfer.Operations):
        def __init__(self):
            super().__init__(adapter_for(Provider(type="openshift", namespace="bench", name="bench")))  # not saved
            self.token = secrets.token_urlsafe(32)  # as _token keeps it in the VM's reader Secret
            self.readers = {}  # Pod name -> (process, port)

        @contextlib.contextmanager
        def _api(self, doing: str):
            with mock.patch.object(transfer.client, "CoreV1Api", Core):
                yield None

        def _claims(self, vm) -> list[dict]:
            return [{"namespace": "bench", "name": "bench-disk", "disk": "disk0", "volumeMode": "Filesystem",
                     "capacity": size}]

        def _ensure_account(self, api, vm, pods) -> None:
            pass  # the reader's ServiceAccount and Role: no API server to ask

        def _token(self, core, vm) -> str:
            return self.token

        def _start(self, core, ns: str, manifest: dict, token: str) -> str:
            container = manifest["spec"]["containers"][0]
            command = list(container["command"])
            if command[:3] != ["python", "-m", "mtvweb.pods.serve"]:
                raise RuntimeError(f"the reader Pod runs {' '.join(command[:3])}, not the reader this bench knows")
            command[command.index("--path") + 1] = str(disk)
            env = {}
            for item in container["env"]:
                if "value" in item:
                    env[item["name"]] = item["value"]
                elif "secretKeyRef" in item.get("valueFrom", {}):
                    env[item["name"]] = token  # the only key of the reader Secret
                elif item.get("valueFrom", {}).get("fieldRef", {}).get("fieldPath") == "status.podIP":
                    env[item["name"]] = POD_IP
                # fieldRef POD_NAME/POD_NAMESPACE: no Pod to write the port into; it is read from stdout
            with open(log, "ab") as err:
                reader = subprocess.Popen([sys.executable, *command[1:]], cwd=ROOT,
                                          env={**os.environ, **env}, stdin=subprocess.DEVNULL,
                                          stdout=subprocess.PIPE, stderr=err, text=True, start_new_session=True)
            port = re.search(r"on port (\d+)", reader.stdout.readline())  # "serving PATH (N bytes) on port P"
            reader.stdout.close()
            self.readers[manifest["metadata"]["name"]] = (reader, port and port[1])
            if not port:
                raise RuntimeError(f"the reader did not start: {log.read_text().strip()[-500:]}")
            return manifest["metadata"]["name"]

        def _until_serving(self, core, ns: str, name: str, vm, index: int) -> tuple[str, str]:
            return POD_IP, self.readers[name][1]

        def release_disks(self, vm) -> None:
            while self.readers:
                stop(self.readers.popitem()[1][0])

    return LocalReaders()


def kubevirt(bench: Bench) -> tuple[float, Path, str]:
    from providers.adapters.source import DiskSource, SourceVM
    from providers.models import VirtualMachine

    ops = local_readers(bench.raw, bench.size, bench.workdir / "reader.log")
    vm = VirtualMachine(uid=str(uuid.uuid4()), name="bench-vm", path="/bench/bench-vm",
                        data={"namespace": "bench", "name": "bench-vm"})
    source = SourceVM(id=vm.uid, name=vm.name, sockets=1, cores=1, memory_mib=1024, firmware="bios",
                      disks=[DiskSource(id="disk0", capacity=bench.size, storage="")], nics=[], powered_on=False)
    try:
        reader_args = ops.prepare_disks(vm, source)["disk0"]
        seconds, target = bench.transfer("kubevirt", reader_args, ops.reader_secret())
    finally:
        ops.release_disks(vm)
    return seconds, target, f"the reader Pod's container as a local process on 127.0.0.1, not a Pod{extents(reader_args)}"


SOURCES = [("oVirt image transfer (ovirt-imageio)", ovirt), ("OpenStack Glance image download", openstack),
           ("KubeVirt reader (serve.py)", kubevirt)]


def rows(raw: Path, size: int, allocated: int, cp_rate: float, workdir: Path) -> list[tuple[str, str, str]]:
    """One report row per source; a source that fails is a row saying why."""
    setup_django()
    bench = Bench(raw, size, allocated, cp_rate, workdir)
    found = []
    for label, measure in SOURCES:
        try:
            found.append(bench.row(label, *measure(bench)))
        except Exception as exc:  # noqa: BLE001 - reported in the row; the other sources go on
            found.append((label, "—", f"FAILED: {type(exc).__name__}: {' '.join(str(exc).split())[:400]}"))
    return found
