"""Test helpers for vSphere providers: lab credentials, the provider row, pyVmomi access."""

import contextlib
import ssl
import threading
import time

from pyVim.connect import Disconnect, SmartConnect
from pyVmomi import vim

from providers.inventory.store import InventoryStore
from providers.models import Provider


def form_data(lab, **overrides):
    data = {
        "type": "vsphere", "name": "vcenter", "namespace": "team-a", "url": lab["url"], "user": lab["user"],
        "password": lab["password"], "thumbprint": lab["thumbprint"], "insecure_skip_verify": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def make_provider(lab, namespace="team-a", name="vcenter", url=None) -> Provider:
    provider = Provider(type="vsphere", namespace=namespace, name=name, url=url or lab["url"])
    provider.set_credentials({"user": lab["user"], "password": lab["password"], "thumbprint": lab["thumbprint"],
                              "insecureSkipVerify": "true"})
    provider.save()
    return provider


def load(provider):
    from providers.adapters import adapter_for

    collector = adapter_for(provider).collector()
    InventoryStore(provider).replace(collector.load())
    return collector


@contextlib.contextmanager
def following(provider, collector):
    """Run the collector's follow loop in a thread for the duration of the block."""
    stop = threading.Event()
    errors = []

    def run():
        try:
            collector.follow(InventoryStore(provider), stop)
        except Exception as exc:  # noqa: BLE001 - reported to the test below
            errors.append(exc)
        finally:
            from django.db import connection

            connection.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield errors
    finally:
        stop.set()
        thread.join(10)


@contextlib.contextmanager
def vcenter(lab):
    context = ssl._create_unverified_context()
    si = SmartConnect(host=lab["host"], port=lab["port"], user=lab["user"], pwd=lab["password"], sslContext=context)
    try:
        yield si.RetrieveContent()
    finally:
        Disconnect(si)


def find_vm(content, name):
    view = content.viewManager.CreateContainerView(content.rootFolder, [vim.VirtualMachine], True)
    try:
        return next(vm for vm in view.view if vm.name == name)
    finally:
        view.Destroy()


def wait_task(task, timeout=60):
    deadline = time.monotonic() + timeout
    while task.info.state not in (vim.TaskInfo.State.success, vim.TaskInfo.State.error):
        if time.monotonic() > deadline:
            raise TimeoutError(task.info)
        time.sleep(0.05)
    if task.info.state == vim.TaskInfo.State.error:
        raise RuntimeError(task.info.error)
    return task.info.result


def wait_for(check, timeout=10.0, interval=0.05):
    """Poll check() until truthy; return (value, seconds it took)."""
    started = time.monotonic()
    while True:
        value = check()
        if value:
            return value, time.monotonic() - started
        if time.monotonic() - started > timeout:
            raise TimeoutError(f"not reached within {timeout}s")
        time.sleep(interval)
