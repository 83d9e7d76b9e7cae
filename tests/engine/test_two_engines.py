"""Several `manage.py engine` processes on one database. On Postgres they share the VMs through
the lease on each VM's record: a VM is advanced by one engine at a time, and the VMs of an engine
that dies are taken over by another once their lease has run out. On SQLite a second engine waits
for the first to stop rather than racing it."""

import os
import signal
import subprocess
import sys
import time
import uuid

import pytest
from django.db import connection

from plans import actions
from plans.models import Migration, MigrationVM, RunStatus
from tests.engine.helpers import blake3_of, claim_file, vsphere_plan, wait_until
from tests.fixtures.app import ROOT, child_env
from tests.plans.helpers import lab_source_and_target

pytestmark = pytest.mark.django_db(transaction=True)
THREE = ("mtv-rhel8-nocbt", "mtv-db-2disk-2nic", "Legacy_App.Server01")
LEASE = 4  # seconds, instead of the minute a real engine's lease lasts


def start_engine(tmp_path, name, *options, env=None):
    log = tmp_path / f"{name}.log"
    process = subprocess.Popen(
        [sys.executable, "manage.py", "engine", "--interval", "0.3", *options], cwd=ROOT,
        env={**(env or child_env()), "MTVWEB_ENGINE_LEASE": str(LEASE)},
        stdout=open(log, "wb"), stderr=subprocess.STDOUT, start_new_session=True)
    process.log = log
    return process


def stop(process, sig=signal.SIGTERM):
    if process.poll() is None:
        os.killpg(process.pid, sig)
    process.wait(30)


def output(process) -> str:
    return process.log.read_text()


def sqlite_of_its_own(tmp_path) -> dict:
    """Engines on a SQLite database of their own, whichever database the suite runs on."""
    env = {key: value for key, value in child_env().items() if key != "DATABASE_URL"}
    env["MTVWEB_SQLITE_PATH"] = str(tmp_path / "engines.sqlite3")
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True, timeout=300)
    return env


@pytest.mark.smoke
def test_on_sqlite_a_second_engine_waits_for_the_first(tmp_path):
    env = sqlite_of_its_own(tmp_path)
    first = start_engine(tmp_path, "first", env=env)
    second = None
    try:
        wait_until(lambda: "engine running" in output(first), 60, "the first engine runs")
        second = start_engine(tmp_path, "second", env=env)
        wait_until(lambda: "waiting" in output(second), 60, "the second engine says it waits")
        assert "engine running" not in output(second)
        stop(first, signal.SIGKILL)  # dies without a word: the lock goes with its process
        wait_until(lambda: "engine running" in output(second), 60, "the second engine takes over")
    finally:
        stop(first)
        if second is not None:
            stop(second)


@pytest.mark.lab
def test_two_engines_share_the_vms_and_take_over_those_of_one_that_dies(settings, kube_lab, vsphere_lab, people,
                                                                       kube, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("Postgres only: on SQLite one engine runs at a time (the test above)")
    from tests.providers.helpers import Relay

    core, _ = kube
    source, host = lab_source_and_target(settings, kube_lab, vsphere_lab)
    relay = Relay(vsphere_lab["port"])  # holds every disk's stream at 16 MiB until the test lets it go
    source.url = f"https://127.0.0.1:{relay.port}/sdk"
    source.save()
    plan = vsphere_plan(source, host, THREE, f"engines-{uuid.uuid4().hex[:6]}")
    env = {**child_env(), "MTVWEB_KUBECONFIG": kube_lab["admin_kubeconfig"]}
    engines = [start_engine(tmp_path, name, "--threads", "2", "--max-vms", "2", env=env) for name in ("a", "b")]
    try:
        for engine in engines:
            wait_until(lambda e=engine: "engine running" in output(e), 60, "both engines run")
        relay.hold_after(16 << 20)
        migration = actions.start(people["admin"], plan)
        records = MigrationVM.objects.filter(migration=migration)
        holders = wait_until(lambda: (owners := set(records.exclude(owner="").values_list("owner", flat=True)))
                             and len(owners) == 2 and records.filter(owner="").count() == 0 and owners,
                             120, "each engine holds some of the VMs (at most two each)")
        wait_until(lambda: all(r.disks and r.disks[0].get("bytesDone", 0) > 0 for r in records.all()), 120,
                   "every VM copies")
        dead_holder = records.first().owner
        dead = next(e for e in engines if f"engine running as {dead_holder}" in output(e))
        orphans = set(records.filter(owner=dead_holder).values_list("pk", flat=True))
        stop(dead, signal.SIGKILL)
        died = time.monotonic()
        relay.cut()  # the held streams break off, are tried again and go on
        relay.restore()
        wait_until(lambda: records.filter(pk__in=orphans).exclude(owner=dead_holder).exists(), 120,
                   "the survivor takes a VM of the dead engine over")
        assert time.monotonic() - died >= LEASE - 1  # not before the dead engine's lease ran out
        wait_until(lambda: Migration.objects.get(pk=migration.pk).status != RunStatus.RUNNING, 240,
                   "the migration ends")
    finally:
        relay.cut()
        for engine in engines:
            stop(engine)
    migration.refresh_from_db()
    records = list(records.all())
    assert migration.status == RunStatus.SUCCEEDED, {r.name: (r.error, r.log) for r in records}
    assert len(holders) == 2
    lab_disks = {(d["vm"], str(d["key"])): d for d in vsphere_lab["disks"]}
    for record in records:
        for step in record.steps:  # advanced by one engine at a time: no step begun twice
            assert record.log.count(f"{step['title']}: started") <= 1, record.log
        assert ("took it over from " + dead_holder in record.log) == (record.pk in orphans), record.log
        for disk in record.disks:  # one transfer Pod per disk, never a second
            assert record.log.count(f"transfer Pod {disk['pod']} started") == 1, record.log
            source_disk = lab_disks[(record.name, disk["id"])]
            assert disk["blake3"] == source_disk["blake3"] == blake3_of(
                claim_file(core, plan.target_namespace, disk["claim"], disk["volumeMode"]), source_disk["capacity"])
