"""vSphere inventory at scale: python bench/inventory.py [--vms 10000]

Reference (the floor): the bare pyVmomi PropertyCollector walk of the same properties,
measured in the same run against the same vcsim.
"""

import argparse
import os
import ssl
import threading

from common import lab_up, median_ms, report, setup_django, timed


def bare_walk(lab) -> int:
    """RetrievePropertiesEx over a ContainerView of the same types and paths, nothing else."""
    from pyVim.connect import Disconnect, SmartConnect
    from pyVmomi import vmodl

    from providers.adapters.vsphere.inventory import filter_spec
    from providers.adapters.vsphere.properties import PATHS

    si = SmartConnect(host=lab["host"], port=lab["port"], user=lab["user"], pwd=lab["password"],
                      sslContext=ssl._create_unverified_context())
    try:
        content = si.RetrieveContent()
        view = content.viewManager.CreateContainerView(content.rootFolder, list(PATHS), True)
        collector = content.propertyCollector
        result = collector.RetrievePropertiesEx([filter_spec(view)], vmodl.query.PropertyCollector.RetrieveOptions())
        count = len(result.objects)
        while result.token:
            result = collector.ContinueRetrievePropertiesEx(result.token)
            count += len(result.objects)
        return count
    finally:
        Disconnect(si)


def time_to_ready(provider):
    from providers.adapters import adapter_for
    from providers.inventory.store import InventoryStore

    collector = adapter_for(provider).collector()
    InventoryStore(provider).load(collector)
    return collector


def change_latency(lab, provider, collector) -> tuple[float, float]:
    """Power one VM off in vcsim: (seconds until the inventory shows it, of which mtvweb's own part).

    mtvweb's part runs from vCenter's answer to WaitForUpdatesEx to the row in the database;
    the rest is the simulator computing that answer (vcsim re-collects every object for each
    update, which real vCenter does not)."""
    import time

    from pyVim.connect import Disconnect, SmartConnect
    from pyVmomi import vim

    from providers.inventory.store import InventoryStore
    from providers.models import VirtualMachine

    vm_row = VirtualMachine.objects.filter(provider=provider, power_state="poweredOn").order_by("name").first()
    answered = []
    wait = collector.wait

    def timed_wait(*args, **kwargs):
        result = wait(*args, **kwargs)
        if result[0]:
            answered.append(time.perf_counter())
        return result

    collector.wait = timed_wait
    stop = threading.Event()
    thread = threading.Thread(target=collector.follow, args=(InventoryStore(provider), stop), daemon=True)
    thread.start()
    si = SmartConnect(host=lab["host"], port=lab["port"], user=lab["user"], pwd=lab["password"],
                      sslContext=ssl._create_unverified_context())
    try:
        vm = vim.VirtualMachine(vm_row.uid, si._stub)
        started = time.perf_counter()
        task = vm.PowerOffVM_Task()
        while not VirtualMachine.objects.filter(pk=vm_row.pk, power_state="poweredOff").exists():
            if time.perf_counter() - started > 60:
                raise TimeoutError("the change never arrived")
            time.sleep(0.01)
        arrived = time.perf_counter()
        seconds = arrived - started
        ours = arrived - max(t for t in answered if t <= arrived) if answered else seconds
        while task.info.state not in ("success", "error"):
            time.sleep(0.05)
        vm.PowerOnVM_Task()
        return seconds, ours
    finally:
        stop.set()
        thread.join(30)
        Disconnect(si)


def page_times(provider):
    from django.contrib.auth import get_user_model
    from django.test import Client

    admin, _ = get_user_model().objects.get_or_create(username="bench", defaults={"is_superuser": True})
    client = Client(HTTP_HOST="localhost")
    client.force_login(admin)
    base = f"/providers/{provider.pk}/vms/"
    last = (provider.counts["vm"] + 49) // 50

    def get(url):
        response = client.get(url, HTTP_HX_REQUEST="true")
        assert response.status_code == 200, response.status_code
        return response

    assert b"vm-01234" in get(base + "?name=VM-0123").content, "case-insensitive search over all pages"
    return {
        "page 1": median_ms(lambda: get(base)),
        "filtered (name contains 'vm-0123')": median_ms(lambda: get(base + "?name=VM-0123")),
        f"last page ({last})": median_ms(lambda: get(f"{base}?page={last}")),
        "sorted by concerns, page 2": median_ms(lambda: get(f"{base}?sort=concerns&page=2")),
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--vms", type=int, default=10000)
    args = parser.parse_args()
    os.environ.setdefault("MTVWEB_LAB_DIR", os.path.expanduser("~/.cache/mtvweb/lab-bench"))
    setup_django()
    from tests.providers.vsphere_helpers import make_provider

    print(f"bench/inventory: vcsim with {args.vms} VMs (lab start may take a few minutes)", flush=True)
    lab = lab_up("vsphere", vsphere_vms=args.vms)
    objects, floor = timed(bare_walk, lab)
    print(f"  floor: {floor:.2f} s", flush=True)
    provider = make_provider(lab, name="bench", namespace="bench")
    collector, ready = timed(time_to_ready, provider)
    print(f"  ready: {ready:.2f} s", flush=True)
    provider.refresh_from_db()
    assert provider.counts["vm"] == lab["vm_count"], provider.counts
    latency, ours = change_latency(lab, provider, collector)
    pages = page_times(provider)
    small_lab = lab_up("vsphere", lab_dir=os.path.expanduser("~/.cache/mtvweb/lab-bench-small"))
    small = make_provider(small_lab, name="bench-small", namespace="bench")
    small_latency, _ = change_latency(small_lab, small, time_to_ready(small))
    print(f"database: {provider._state.db} ({__import__('django.db', fromlist=['connection']).connection.vendor})")
    report([
        ("bare pyVmomi walk (floor)", f"{floor:.2f} s", f"{objects} objects"),
        ("mtvweb load to Ready", f"{ready:.2f} s", f"{ready / floor:.2f}x the floor (goal <= 1.3x)"),
        ("one change reaches the inventory", f"{latency:.2f} s", "goal < 2 s"),
        ("  of which mtvweb (after vcsim answered)", f"{ours:.3f} s", "the rest is vcsim re-collecting"),
        (f"one change, vcsim with {small_lab['vm_count']} VMs", f"{small_latency:.2f} s", "goal < 2 s"),
        *[(f"VM list {name}", f"{ms:.1f} ms", "goal < 150 ms") for name, ms in pages.items()],
    ])


if __name__ == "__main__":
    main()
