"""The simulated vCenter's inventory: datacenters, hosts, networks and VMs (the spec vcsim-lab builds).

Everything is a pure function of the VM count, so the same count always yields the same names,
MACs, disk layouts and therefore the same disk digests.
"""

from __future__ import annotations

MiB = 1 << 20
KiB = 1 << 10

DATACENTERS = [
    {
        "name": "DC0",
        "vm_folders": ["Production", "Production/Web", "Production/DB", "Development", "Development/Sandbox"],
        # vcsim turns DRS on in every cluster. DC0_C1 also has DPM; DC0_C2 has HA and a rule
        # keeping the guest-cluster nodes (the shared-disk VMs) on two of its hosts.
        "clusters": [
            {"name": "DC0_C0", "hosts": ["DC0_C0_H0", "DC0_C0_H1", "DC0_C0_H2"]},
            {"name": "DC0_C1", "hosts": ["DC0_C1_H0", "DC0_C1_H1", "DC0_C1_H2"], "dpm": True},
            {
                "name": "DC0_C2",
                "hosts": ["DC0_C2_H0", "DC0_C2_H1", "DC0_C2_H2"],
                "ha": True,
                "vm_host_rules": [
                    {
                        "name": "db-nodes-on-san-hosts",
                        "vms": ["mtv-cluster-node1", "mtv-cluster-node2"],
                        "hosts": ["DC0_C2_H1", "DC0_C2_H2"],
                    }
                ],
            },
        ],
        "standalone_hosts": [],
        "datastores": ["LocalDS_0", "LocalDS_1"],
        "portgroups": ["Backup Network"],
        "dvs": {"name": "DSwitch0", "portgroups": ["DPG-Prod", "DPG-Dev"]},
    },
    {
        "name": "DC1",
        "vm_folders": ["DR", "DR/Replicas"],
        "clusters": [{"name": "DC1_C0", "hosts": ["DC1_C0_H0", "DC1_C0_H1"], "drs": False}],  # DR: manual
        "standalone_hosts": ["DC1_H0"],
        "datastores": ["LocalDS_2"],
        "portgroups": [],
        "dvs": {"name": "DSwitch1", "portgroups": ["DPG-DR"]},
    },
]

DEFAULT_VM_COUNT = 18
MAX_VM_COUNT = 10_000
SHARED_DISK = "[LocalDS_1] shared/quorum.vmdk"


def _hosts(dc: dict) -> list[str]:
    return [h for c in dc["clusters"] for h in c["hosts"]] + dc["standalone_hosts"]


def _networks(dc: dict) -> list[str]:
    return ["VM Network", *dc["portgroups"], *dc["dvs"]["portgroups"]]


def named_extents(capacity: int) -> list[dict]:
    """A disk that looks used: boot area, filesystem data, an allocated zeroed file, scattered
    writes (one not 4 KiB aligned), a backup partition table at the end; holes elsewhere."""
    extents = [
        (0, 64 * KiB, "data"),
        (1 * MiB, 4 * MiB, "data"),
        (8 * MiB, 2 * MiB, "zero"),
        (10 * MiB, 512 * 7, "data"),
    ]
    offset = 12 * MiB
    size = 256 * KiB
    while offset + size < capacity - 2 * MiB:
        extents.append((offset, size, "data"))
        offset += 3 * MiB + 64 * KiB
        size = size * 2 if size < 2 * MiB else 128 * KiB
    extents.append((capacity - 32 * KiB, 32 * KiB, "data"))
    return [{"offset": o, "length": n, "kind": k} for o, n, k in extents]


def bulk_extents(capacity: int) -> list[dict]:
    """Small disks for the many: a header, a block in the middle, a footer."""
    return [
        {"offset": 0, "length": 4 * KiB, "kind": "data"},
        {"offset": capacity // 2, "length": 8 * KiB, "kind": "data"},
        {"offset": capacity - 4 * KiB, "length": 4 * KiB, "kind": "data"},
    ]


class _Macs:
    """vCenter-assigned MACs (00:50:56:00:00:00-3F:FF:FF), one per NIC, never repeated."""

    def __init__(self, start=0x000100):
        self.next = start

    def __call__(self) -> str:
        n, self.next = self.next, self.next + 1
        return "00:50:56:%02x:%02x:%02x" % (n >> 16 & 0x3F, n >> 8 & 0xFF, n & 0xFF)


def _disk(vm: str, index: int, datastore: str, capacity: int, extents) -> dict:
    return {
        "datastore": datastore,
        "capacity": capacity,
        "seed": f"mtvweb-lab/{vm}/disk{index}",
        "extents": extents(capacity),
    }


def _vm(
    name,
    dc="DC0",
    folder="",
    host="DC0_C0_H0",
    datastore="LocalDS_0",
    guest="rhel9_64Guest",
    cpus=2,
    memory_mb=2048,
    firmware="bios",
    powered_on=False,
    cbt=False,
    snapshots=(),
    nics=(),
    disks=(),
    **traits,
):
    """One VM of the spec. `traits` are the optional settings validation rules look for (see
    VMSpec in lab/go/vcsim/spec.go): secure_boot, cpu_affinity, cpu_hot_add, cpu_hot_remove,
    memory_hot_add, extra_config, devices, fault_tolerance, ballooned_memory_mb."""
    return {
        "name": name,
        "datacenter": dc,
        "folder": folder,
        "host": host,
        "datastore": datastore,
        "guest_id": guest,
        "cpus": cpus,
        "memory_mb": memory_mb,
        "firmware": firmware,
        "powered_on": powered_on,
        "cbt": cbt,
        "snapshots": list(snapshots),
        "nics": list(nics),
        "disks": list(disks),
        **traits,
    }


def test_vms(mac) -> dict[str, dict]:
    """The VMs later validation and migration tests rely on, by role."""

    def nic(network="VM Network", kind="vmxnet3"):
        return {"network": network, "mac": mac(), "type": kind}

    def disks(vm, *sizes_mib, datastore="LocalDS_0"):
        return [_disk(vm, i, datastore, s * MiB, named_extents) for i, s in enumerate(sizes_mib)]

    shared = {
        "datastore": "LocalDS_1",
        "capacity": 32 * MiB,
        "seed": "mtvweb-lab/shared/quorum",
        "extents": named_extents(32 * MiB),
        "shared_file": SHARED_DISK,
    }
    two = "mtv-db-2disk-2nic"
    return {
        "cbt_on": _vm(
            "mtv-rhel9-cbt",
            folder="Production/Web",
            powered_on=True,
            cbt=True,
            nics=[nic()],
            disks=disks("mtv-rhel9-cbt", 48),
        ),
        "cbt_off": _vm(
            "mtv-rhel8-nocbt",
            folder="Production/Web",
            host="DC0_C0_H1",
            guest="rhel8_64Guest",
            nics=[nic()],
            disks=disks("mtv-rhel8-nocbt", 32),
        ),
        "uefi": _vm(
            "mtv-win2019-uefi",
            folder="Production",
            host="DC0_C1_H0",
            guest="windows2019srv_64Guest",
            cpus=4,
            memory_mb=8192,
            firmware="efi",
            powered_on=True,
            nics=[nic(kind="e1000e")],
            disks=disks("mtv-win2019-uefi", 64),
        ),
        "two_disks_two_nics": _vm(
            two,
            folder="Production/DB",
            host="DC0_C1_H1",
            cpus=4,
            memory_mb=4096,
            nics=[nic(), nic("DPG-Prod")],
            disks=[
                _disk(two, 0, "LocalDS_0", 48 * MiB, named_extents),
                _disk(two, 1, "LocalDS_1", 32 * MiB, named_extents),
            ],
        ),
        "invalid_name": _vm(
            "Legacy_App.Server01",
            folder="Development",
            host="DC0_C2_H0",
            guest="centos7_64Guest",
            nics=[nic("DPG-Dev")],
            disks=disks("Legacy_App.Server01", 32),
        ),
        "shared_disk": _vm(
            "mtv-cluster-node1",
            folder="Production/DB",
            host="DC0_C2_H1",
            powered_on=True,
            nics=[nic()],
            disks=[*disks("mtv-cluster-node1", 32), shared],
        ),
        "shared_disk_peer": _vm(
            "mtv-cluster-node2",
            folder="Production/DB",
            host="DC0_C2_H2",
            powered_on=True,
            nics=[nic()],
            disks=[*disks("mtv-cluster-node2", 32), shared],
        ),
        "snapshots": _vm(
            "mtv-app-snapshots",
            folder="Production/Web",
            host="DC0_C0_H2",
            snapshots=["before-patch", "after-patch"],
            nics=[nic("Backup Network")],
            disks=disks("mtv-app-snapshots", 40),
        ),
        "other_datacenter": _vm(
            "mtv-dr-replica",
            dc="DC1",
            folder="DR/Replicas",
            host="DC1_C0_H0",
            datastore="LocalDS_2",
            nics=[nic("DPG-DR")],
            disks=disks("mtv-dr-replica", 32, datastore="LocalDS_2"),
        ),
    }


def trait_vms(mac) -> dict[str, dict]:
    """VMs that carry what the validation rules look for (lab/vsphere/README.md, "Traits"), by
    role. Their MACs come from a range of their own so the other VMs keep theirs."""

    def nic(network="VM Network", kind="vmxnet3"):
        return {"network": network, "mac": mac(), "type": kind}

    def disks(vm, *sizes_mib, datastore="LocalDS_0"):
        return [_disk(vm, i, datastore, s * MiB, named_extents) for i, s in enumerate(sizes_mib)]

    return {
        "passthrough": _vm(
            "mtv-nfv-dpdk",  # a latency-sensitive network function
            folder="Production",
            host="DC0_C0_H0",
            cpus=8,
            memory_mb=16384,
            powered_on=True,
            nics=[nic(), nic("DPG-Prod", kind="sriov")],
            disks=disks("mtv-nfv-dpdk", 32),
            devices=["pci_passthrough"],
            cpu_affinity=[2, 3, 4, 5, 6, 7, 8, 9],
            extra_config={"numa.nodeAffinity": "0"},
        ),
        "rdm": _vm(
            "mtv-oracle-rdm",  # a database with its redo logs out of snapshots and its data on a LUN
            folder="Production/DB",
            host="DC0_C1_H2",
            cpus=4,
            memory_mb=16384,
            powered_on=True,
            cbt=True,
            nics=[nic()],
            disks=[
                _disk("mtv-oracle-rdm", 0, "LocalDS_0", 32 * MiB, named_extents),
                {
                    **_disk("mtv-oracle-rdm", 1, "LocalDS_0", 32 * MiB, named_extents),
                    "mode": "independent_persistent",
                },
                {**_disk("mtv-oracle-rdm", 2, "LocalDS_1", 32 * MiB, named_extents), "rdm": True},
            ],
            extra_config={"scsi0:2.ctkEnabled": "FALSE"},  # CBT cannot track a physical RDM
            cpu_hot_add=True,
            memory_hot_add=True,
            ballooned_memory_mb=2048,
        ),
        "fault_tolerance": _vm(
            "mtv-ft-gateway",
            folder="Production/Web",
            host="DC0_C2_H0",
            powered_on=True,
            nics=[nic()],
            disks=disks("mtv-ft-gateway", 32),
            fault_tolerance=True,
        ),
        "secure_boot_tpm": _vm(
            "mtv-win11-tpm",
            folder="Development",
            host="DC0_C0_H1",
            guest="windows11_64Guest",
            cpus=2,
            memory_mb=8192,
            firmware="efi",
            nics=[nic(kind="e1000e")],
            disks=disks("mtv-win11-tpm", 64),
            secure_boot=True,
            devices=["tpm", "usb_xhci"],
        ),
    }


def guest_vms(mac, images: dict[str, str]) -> dict[str, dict]:
    """VMs whose disk is the lab's real guest (lab/guest): BIOS and EFI, a VMware-only initramfs,
    so they boot after migration only once converted. images: variant -> raw image path."""

    def vm(name, variant, firmware):
        disk = {"datastore": "LocalDS_0", "capacity": GUEST_DISK_SIZE, "seed": f"mtvweb-lab/{name}/disk0",
                "extents": [], "source": images[variant]}
        return _vm(name, folder="Development", host="DC0_C0_H2", guest="debian11_64Guest", cpus=1,
                   memory_mb=1024, firmware=firmware, nics=[{"network": "VM Network", "mac": mac(), "type": "vmxnet3"}],
                   disks=[disk])

    return {"guest_bios": vm("mtv-guest-bios", "bios", "bios"), "guest_uefi": vm("mtv-guest-uefi", "uefi", "efi")}


GUEST_DISK_SIZE = 2 * 1024 * MiB
GUESTS = ["rhel9_64Guest", "rhel8_64Guest", "ubuntu64Guest", "windows2019srv_64Guest", "centos7_64Guest"]


def bulk_vm(i: int, mac) -> dict:
    """The i-th filler VM: 80 % in DC0, spread over hosts, folders, datastores and networks."""
    dc = DATACENTERS[1] if i % 5 == 4 else DATACENTERS[0]
    name = f"vm-{i:05d}"
    hosts, folders, networks = _hosts(dc), ["", *dc["vm_folders"]], _networks(dc)
    guest = GUESTS[i % len(GUESTS)]
    datastores = dc["datastores"]
    nics = [
        {"network": networks[(i + k) % len(networks)], "mac": mac(), "type": "vmxnet3"}
        for k in range(1 + i % 2)
    ]
    disks = [
        _disk(name, k, datastores[(i + k) % len(datastores)], (1 + (i + k) % 2) * MiB, bulk_extents)
        for k in range(1 + i % 3)
    ]
    return _vm(
        name,
        dc=dc["name"],
        folder=folders[i % len(folders)],
        host=hosts[i % len(hosts)],
        datastore=datastores[i % len(datastores)],
        guest=guest,
        cpus=1 + i % 4,
        memory_mb=1024 * (1 + i % 8),
        firmware="efi" if guest.startswith("windows") and i % 2 else "bios",
        powered_on=i % 3 != 0,
        cbt=i % 4 == 0,
        nics=nics,
        disks=disks,
    )


TEST_VM_ROLES = 15  # len(test_vms(...)) + len(trait_vms(...)) + len(guest_vms(...))
TRAIT_MACS = 0x3F0000  # far above the filler VMs' (at most 2 NICs each)
GUEST_MACS = 0x3E0000


def total_vm_count(requested: int) -> int:
    """The test VMs always exist; filler VMs make up the rest of the requested count."""
    return max(requested, TEST_VM_ROLES)


def build_spec(vm_count: int, guest_images: dict[str, str]) -> tuple[dict, dict[str, str]]:
    """The spec for vcsim-lab and the test VMs' names by role (guest_images: lab.guest.disks())."""
    mac = _Macs()
    named = {**test_vms(mac), **trait_vms(_Macs(TRAIT_MACS)), **guest_vms(_Macs(GUEST_MACS), guest_images)}
    assert len(named) == TEST_VM_ROLES
    bulk = [bulk_vm(i, mac) for i in range(max(vm_count - len(named), 0))]
    spec = {"datacenters": DATACENTERS, "vms": [*named.values(), *bulk]}
    return spec, {role: vm["name"] for role, vm in named.items()}
