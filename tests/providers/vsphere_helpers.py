"""Test helpers for vSphere providers: lab credentials, the provider row, pyVmomi access."""

import contextlib
import ssl
import time

from pyVim.connect import Disconnect, SmartConnect
from pyVmomi import vim

from providers.models import Provider
from tests.providers.helpers import following, load, wait_for  # noqa: F401 - re-exported


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


