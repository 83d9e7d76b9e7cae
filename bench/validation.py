"""Validation at scale: python bench/validation.py [--vms 10000]

A full re-validation of a vSphere inventory of 10,000 VMs (the lab's vcsim) with each engine:
the real OPA server and in-process regopy. Reference, in the same run: reading the 10,000
policy inputs (VM, host, cluster) from the database, which any validation must do.
Goal: under 10 s with OPA.
"""

import argparse
import os
import socket
import subprocess
import time

from common import lab_up, report, setup_django, timed


def start_opa() -> tuple[subprocess.Popen, str]:
    import requests
    from django.conf import settings

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([settings.MTVWEB_OPA_BINARY, "run", "--server", "--addr", f"127.0.0.1:{port}",
                             "--log-level", "error"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if requests.get(f"{url}/health", timeout=1).ok:
                return proc, url
        except requests.ConnectionError:
            time.sleep(0.1)
    raise RuntimeError("OPA did not start")


def read_inputs(provider) -> int:
    from providers.inventory.records import workloads
    from providers.models import VirtualMachine

    count = 0
    vms = VirtualMachine.objects.filter(provider=provider).order_by("pk")
    for start in range(0, vms.count(), 500):
        count += len(workloads(provider, list(vms[start:start + 500])))
    return count


def revalidate(provider, engine) -> int:
    from providers.models import VirtualMachine
    from providers.validation.validator import Validator

    VirtualMachine.objects.filter(provider=provider).update(revision_validated=0, policy_version=0)
    started = time.perf_counter()
    validated = Validator(engine).validate_pending(limit=10**9)
    return validated, time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--vms", type=int, default=10000)
    args = parser.parse_args()
    os.environ.setdefault("MTVWEB_LAB_DIR", os.path.expanduser("~/.cache/mtvweb/lab-bench"))
    setup_django()
    from providers.inventory.store import InventoryStore
    from providers.models import VirtualMachine
    from providers.validation.engines import OpaEngine, RegopyEngine
    from providers.validation.rules import default_modules
    from tests.providers.vsphere_helpers import make_provider

    print(f"bench/validation: {args.vms} vSphere VMs, {len(default_modules('vsphere')) - 1} default rules", flush=True)
    lab = lab_up("vsphere", vsphere_vms=args.vms)
    provider = make_provider(lab, name="bench-validation", namespace="bench")
    from providers.adapters import adapter_for

    InventoryStore(provider).load(adapter_for(provider).collector())
    total = VirtualMachine.objects.filter(provider=provider).count()
    inputs, reference = timed(read_inputs, provider)
    opa, url = start_opa()
    try:
        (validated_opa, opa_seconds) = revalidate(provider, OpaEngine(url))
    finally:
        opa.terminate()
    validated_regopy, regopy_seconds = revalidate(provider, RegopyEngine())
    flagged = VirtualMachine.objects.filter(provider=provider, concern_count__gt=0).count()
    assert validated_opa == validated_regopy == total == inputs
    report([
        ("reading the inputs (reference)", f"{reference:.2f} s", f"{inputs} VMs with host and cluster"),
        ("full re-validation with OPA", f"{opa_seconds:.2f} s",
         f"{opa_seconds / total * 1000:.2f} ms per VM, {opa_seconds / reference:.1f}x the reference (goal < 10 s)"),
        ("full re-validation with regopy", f"{regopy_seconds:.2f} s",
         f"{regopy_seconds / total * 1000:.2f} ms per VM, {regopy_seconds / opa_seconds:.1f}x OPA"),
        ("VMs with at least one concern", f"{flagged}", f"of {total}"),
    ])


if __name__ == "__main__":
    main()
