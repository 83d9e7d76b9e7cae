"""The simulated engine's VMs, their NICs and disks.

`Catalog.add_test_vms()` makes the VMs that tests and validation rely on (one per case,
recorded by role in `test_vms`); `add_bulk_vms()` fills the inventory up to the size asked.
Image disks get a spec (lab.ovirt.disks) whose file is created by `lab up`.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from lab.ovirt.schema import BLANK_TEMPLATE_ID
from lab.ovirt.store import now_text, ref

MiB = 1 << 20


class Catalog:
    def __init__(self, root: Path, world: dict, stable_id, guest_image: str | None = None):
        self.root = Path(root)
        self.world = world
        self.stable_id = stable_id
        self.collections: dict[str, list] = defaultdict(list)
        self.images: list[dict] = []
        self.other_disks: list[dict] = []
        self.test_vms: dict[str, dict] = {}
        self._macs = 0
        self.guest_image = guest_image

    # --- building blocks -------------------------------------------------------------

    def vm(self, name: str, cluster="Default", status="down", host=None, memory_mib=2048, topology=(1, 2, 1),
           bios="q35_sea_bios", os_type="rhel_8x64", role=None, **fields) -> dict:
        vm_id = self.stable_id("vm", name)
        sockets, cores, threads = topology
        memory = memory_mib * MiB
        vm = {
            "id": vm_id, "name": name, "description": "", "comment": "", "status": status,
            "type": "server", "origin": "ovirt", "stateless": False, "delete_protected": False,
            "memory": memory, "memory_policy": {"guaranteed": memory, "max": memory * 4, "ballooning": False},
            "cpu": {"architecture": "x86_64", "topology": {"sockets": sockets, "cores": cores, "threads": threads}},
            "cpu_shares": 0,
            "bios": {"type": bios, "boot_menu": {"enabled": False}},
            "os": {"type": os_type, "boot": {"devices": ["hd"]}},
            "display": {"type": "vnc", "monitors": 1, "allow_override": False, "smartcard_enabled": False,
                        "copy_paste_enabled": True, "file_transfer_enabled": True,
                        "disconnect_action": "LOCK_SCREEN"},
            "high_availability": {"enabled": False, "priority": 0},
            "placement_policy": {"affinity": "migratable"},
            "custom_properties": [],
            "io": {"threads": 1},
            "usb": {"enabled": False},
            "storage_error_resume_behaviour": "auto_resume",
            "has_illegal_images": False,
            "migration_downtime": -1,
            "multi_queues_enabled": True,
            "virtio_scsi": {"enabled": True},
            "virtio_scsi_multi_queues_enabled": False,
            "tpm_enabled": False,
            "soundcard_enabled": False,
            "time_zone": {"name": "Etc/GMT"},
            "creation_time": now_text(),
            "start_paused": False,
            "run_once": False,
            "next_run_configuration_exists": False,
            "numa_tune_mode": "interleave",
            "cluster": ref("clusters", self.world["clusters"][cluster]["id"]),
            "cpu_profile": ref("cpuprofiles", self.world["cpu_profiles"][cluster]["id"]),
            "template": ref("templates", BLANK_TEMPLATE_ID),
            "original_template": ref("templates", BLANK_TEMPLATE_ID),
        }
        vm.update(fields)
        if status in ("up", "suspended", "paused"):
            host = host or next(h for h in self.world["hosts"].values() if h["cluster"]["id"] == vm["cluster"]["id"])
            vm["host"] = ref("hosts", host["id"])
            vm["start_time"] = now_text()
            vm["fqdn"] = f"{name.lower()}.lab.local"
            vm["guest_operating_system"] = {
                "architecture": "x86_64", "codename": "Ootpa", "distribution": "Red Hat Enterprise Linux",
                "family": "Linux", "kernel": {"version": {"full_version": "4.18.0-372.9.1.el8.x86_64"}},
                "version": {"full_version": "8.6", "major": 8, "minor": 6},
            }
        else:
            vm["stop_time"] = now_text()
            vm["stop_reason"] = ""
        self.collections["vms"].append(vm)
        path = f"vms/{vm_id}"
        self.collections[f"{path}/snapshots"].append({
            "id": self.stable_id("snapshot", f"{name}:active"), "description": "Active VM", "date": now_text(),
            "snapshot_status": "ok", "snapshot_type": "active", "persist_memorystate": False, "vm": ref("vms", vm_id),
        })
        self.collections[f"{path}/cdroms"].append({"id": self.stable_id("cdrom", name), "vm": ref("vms", vm_id)})
        self.collections[f"{path}/graphicsconsoles"].append(
            {"id": self.stable_id("console", name), "protocol": vm["display"]["type"], "vm": ref("vms", vm_id)})
        if role:
            self.test_vms[role] = {"id": vm_id, "name": name}
        return vm

    def nic(self, vm: dict, profile="ovirtmgmt", interface="virtio", plugged=True, address=None, mac=None) -> dict:
        path = f"vms/{vm['id']}/nics"
        index = sum(1 for _ in self.collections[path]) + 1
        if mac is None:  # from the pool; a MAC given outside it leaves the other VMs' MACs as they were
            self._macs += 1
            mac = f"56:6f:1a:{self._macs >> 16 & 0xff:02x}:{self._macs >> 8 & 0xff:02x}:{self._macs & 0xff:02x}"
        nic = {
            "id": self.stable_id("nic", f"{vm['name']}:nic{index}"), "name": f"nic{index}",
            "interface": interface, "linked": True, "plugged": plugged, "mac": {"address": mac},
            "vnic_profile": ref("vnicprofiles", self.world["profiles"][profile]["id"]), "vm": ref("vms", vm["id"]),
        }
        self.collections[path].append(nic)
        if vm["status"] == "up":
            ips = [{"address": address or f"192.168.122.{self._macs % 250 + 2}", "version": "v4"}]
            self.collections[f"{path}/{nic['id']}/reporteddevices"].append({
                "id": self.stable_id("reported", f"{vm['name']}:nic{index}"), "name": "eth%d" % (index - 1),
                "type": "network", "mac": {"address": mac}, "ips": ips, "vm": ref("vms", vm["id"]),
            })
        return nic

    def _disk_entity(self, alias: str, size: int, domain: str, status: str, shareable: bool, storage_type: str):
        disk_id = self.stable_id("disk", alias)
        entity = {
            "id": disk_id, "name": alias, "alias": alias, "description": "", "comment": "",
            "provisioned_size": size, "actual_size": 0, "total_size": 0, "status": status,
            "storage_type": storage_type, "shareable": shareable, "wipe_after_delete": False,
            "propagate_errors": False, "content_type": "data", "backup": "none",
        }
        if domain:
            sd = self.world["domains"][domain]
            entity["storage_domains"] = [ref("storagedomains", sd["id"])]
            if sd["type"] == "data":
                entity["disk_profile"] = ref("diskprofiles", self.stable_id("diskprofile", domain))
        self.collections["disks"].append(entity)
        return entity

    def disk(self, vm: dict, alias: str, size_mib: int, fmt="raw", sparse=True, domain="nfs-data", data_mib=4.0,
             status="ok", shareable=False, source=None, **attachment) -> dict:
        size = size_mib * MiB
        entity = self._disk_entity(alias, size, domain, status, shareable, "image")
        image_id = self.stable_id("image", alias)
        sd_id = self.world["domains"][domain]["id"]
        path = self.root / "storage" / sd_id / "images" / entity["id"] / image_id
        entity.update({"format": fmt, "sparse": sparse, "image_id": image_id, "_path": str(path)})
        if fmt == "cow":
            entity["qcow_version"] = "qcow2_v3"
        self.images.append({
            "disk_id": entity["id"], "size": size, "format": fmt, "seed": f"ovirt:{alias}",
            "data_mib": data_mib, "path": str(path), "source": source,
        })
        self.attach(vm, entity, **attachment)
        return entity

    def attach(self, vm: dict, disk: dict, interface="virtio_scsi", bootable=False, active=True,
               uses_scsi_reservation=False, read_only=False) -> None:
        self.collections[f"vms/{vm['id']}/diskattachments"].append({
            "id": disk["id"], "active": active, "bootable": bootable, "interface": interface,
            "pass_discard": False, "read_only": read_only, "uses_scsi_reservation": uses_scsi_reservation,
            "disk": ref("disks", disk["id"]), "vm": ref("vms", vm["id"]),
        })

    def lun_disk(self, vm: dict, alias: str, size_mib: int) -> dict:
        entity = self._disk_entity(alias, size_mib * MiB, None, "ok", False, "lun")
        entity["lun_storage"] = {
            "id": "36001405" + entity["id"].replace("-", "")[:24], "type": "iscsi",
            "logical_units": [{
                "id": "36001405" + entity["id"].replace("-", "")[:24], "address": "iscsi.lab.local", "port": 3260,
                "target": "iqn.2024-01.local.lab:storage.lun1", "lun_mapping": 1, "paths": 1,
                "product_id": "lun1", "vendor_id": "LIO-ORG", "serial": "SLIO-ORG_lun1", "size": size_mib * MiB,
            }],
        }
        self.attach(vm, entity, interface="virtio_scsi")
        self.other_disks.append({"vm": vm["name"], "vm_id": vm["id"], "disk_id": entity["id"], "storage_type": "lun"})
        return entity

    def block_disk(self, vm: dict, alias: str, size_mib: int) -> dict:
        entity = self._disk_entity(alias, size_mib * MiB, "mbs-data", "ok", False, "managed_block_storage")
        self.attach(vm, entity, interface="virtio_scsi", bootable=True)
        self.other_disks.append({"vm": vm["name"], "vm_id": vm["id"], "disk_id": entity["id"],
                                 "storage_type": "managed_block_storage"})
        return entity

    def host_device(self, vm: dict, host: dict, name: str, product: tuple[str, str], vendor: tuple[str, str]) -> None:
        """A PCI device of host passed through to vm (the VM must be pinned to that host)."""
        self.collections[f"vms/{vm['id']}/hostdevices"].append({
            "id": self.stable_id("hostdevice", f"{vm['name']}:{name}"), "name": name, "capability": "pci",
            "product": {"id": product[0], "name": product[1]}, "vendor": {"id": vendor[0], "name": vendor[1]},
            "driver": "vfio-pci", "iommu_group": 40, "placeholder": False, "host": ref("hosts", host["id"]),
            "vm": ref("vms", vm["id"]),
        })

    def numa_node(self, vm: dict, index: int, cores: list[int], memory_mib: int, host_node: int) -> None:
        """A virtual NUMA node of vm pinned to NUMA node host_node of its host."""
        self.collections[f"vms/{vm['id']}/numanodes"].append({
            "id": self.stable_id("numanode", f"{vm['name']}:{index}"), "index": index, "memory": memory_mib,
            "cpu": {"cores": [{"index": c} for c in cores]}, "numa_node_pins": [{"index": host_node}],
            "numa_tune_mode": "strict", "vm": ref("vms", vm["id"]),
        })

    def snapshot(self, vm: dict, description: str, with_memory: bool) -> None:
        """A regular snapshot; with_memory when it was taken of the running VM with its memory state."""
        self.collections[f"vms/{vm['id']}/snapshots"].append({
            "id": self.stable_id("snapshot", f"{vm['name']}:{description}"), "description": description,
            "date": now_text(), "snapshot_status": "ok", "snapshot_type": "regular",
            "persist_memorystate": with_memory, "vm": ref("vms", vm["id"]),
        })

    # --- the inventory ---------------------------------------------------------------

    def add_test_vms(self) -> None:
        running = self.vm("mtv-rhel8-running", status="up", role="running", memory_mib=4096)
        self.disk(running, "mtv-rhel8-running_Disk1", 128, bootable=True)
        self.nic(running)

        down = self.vm("mtv-rhel8-down", role="down")
        self.disk(down, "mtv-rhel8-down_Disk1", 256, sparse=False, bootable=True, data_mib=8)
        self.nic(down)

        two = self.vm("mtv-two-disks", role="two_disks_two_nics", bios="q35_ovmf", topology=(2, 2, 1))
        self.disk(two, "mtv-two-disks_Disk1", 256, bootable=True, data_mib=6)
        self.disk(two, "mtv-two-disks_Disk2", 128, fmt="cow", domain="iscsi-data", interface="virtio", data_mib=5)
        self.nic(two, "ovirtmgmt")
        self.nic(two, "vm-data")

        secure = self.vm("mtv-secure-boot", role="secure_boot", bios="q35_secure_boot", os_type="windows_2019x64")
        self.disk(secure, "mtv-secure-boot_Disk1", 64, bootable=True, interface="sata")
        self.nic(secure, interface="e1000")

        illegal = self.vm("mtv-illegal-disk", role="illegal_disk", has_illegal_images=True)
        self.disk(illegal, "mtv-illegal-disk_Disk1", 64, bootable=True, status="illegal")
        self.nic(illegal)

        locked = self.vm("mtv-locked-disk", role="locked_disk")
        self.disk(locked, "mtv-locked-disk_Disk1", 64, bootable=True, status="locked")

        shared = self.vm("mtv-shared-disk", role="shared_disk")
        peer = self.vm("mtv-shared-disk-peer", role="shared_disk_peer")
        self.disk(shared, "mtv-shared-disk_Disk1", 64, bootable=True)
        data = self.disk(shared, "mtv-shared-data", 64, sparse=False, shareable=True, data_mib=2)
        self.disk(peer, "mtv-shared-disk-peer_Disk1", 64, bootable=True)
        self.attach(peer, data)

        lun = self.vm("mtv-lun-disk", role="lun_disk")
        self.disk(lun, "mtv-lun-disk_Disk1", 64, bootable=True)
        self.lun_disk(lun, "mtv-lun-disk_Lun1", 1024)

        invalid = self.vm("MTV_Invalid.Name", role="invalid_name")
        self.disk(invalid, "MTV_Invalid.Name_Disk1", 64, bootable=True)
        self.nic(invalid)

        block = self.vm("mtv-mbs-disk", role="unsupported_storage")
        self.block_disk(block, "mtv-mbs-disk_Disk1", 1024)

        suspended = self.vm("mtv-suspended", status="suspended", role="suspended")
        self.disk(suspended, "mtv-suspended_Disk1", 64, bootable=True)

        host1 = self.world["hosts"]["host1"]
        tuned = self.vm(
            "mtv-tuned", cluster="Cluster2", role="tuned", topology=(1, 4, 1),
            high_availability={"enabled": True, "priority": 50},
            placement_policy={"affinity": "pinned", "hosts": [ref("hosts", host1["id"])]},
            custom_properties=[{"name": "sndbuf", "value": "0"}],
            usb={"enabled": True, "type": "native"}, cpu_shares=1024, io={"threads": 2},
            display={"type": "spice", "monitors": 2, "allow_override": False, "smartcard_enabled": True,
                     "copy_paste_enabled": True, "file_transfer_enabled": True, "disconnect_action": "LOCK_SCREEN"},
            storage_error_resume_behaviour="kill", numa_tune_mode="strict", custom_cpu_model="Skylake-Server",
        )
        tuned["bios"]["boot_menu"]["enabled"] = True
        tuned["memory_policy"]["ballooning"] = True
        tuned["cpu"]["cpu_tune"] = {"vcpu_pins": [{"vcpu": 0, "cpu_set": "0-1"}, {"vcpu": 1, "cpu_set": "2-3"}]}
        self.disk(tuned, "mtv-tuned_Disk1", 64, bootable=True, uses_scsi_reservation=True)
        self.nic(tuned, "vm-data-mirror")
        self.nic(tuned, "vm-data-passthrough", interface="pci_passthrough")
        self.collections[f"vms/{tuned['id']}/watchdogs"].append(
            {"id": self.stable_id("watchdog", "mtv-tuned"), "action": "reset", "model": "i6300esb",
             "vm": ref("vms", tuned["id"])})

        # For validation: a VM that trips no rule, and VMs with the traits the ones above lack.
        clean = self.vm("mtv-clean", role="clean")
        self.disk(clean, "mtv-clean_Disk1", 64, bootable=True)
        self.nic(clean, "vm-data-nofilter")

        performance = self.vm(
            "mtv-high-performance", role="high_performance", topology=(2, 2, 1), memory_mib=4096,
            type="high_performance", cpu_pinning_policy="dedicated",
            placement_policy={"affinity": "pinned", "hosts": [ref("hosts", host1["id"])]},
        )
        self.disk(performance, "mtv-high-performance_Disk1", 64, bootable=True)
        self.nic(performance)
        self.host_device(performance, host1, "pci_0000_3b_00_0", ("0x1eb8", "TU104GL [Tesla T4]"),
                         ("0x10de", "NVIDIA Corporation"))
        self.numa_node(performance, 0, [0, 1], 2048, host_node=0)
        self.numa_node(performance, 1, [2, 3], 2048, host_node=1)

        legacy = self.vm("mtv-legacy-devices", role="legacy_devices", os_type="other_linux")
        self.disk(legacy, "mtv-legacy-devices_Disk1", 64, bootable=True, interface="ide")
        self.nic(legacy, interface="rtl8139_virtio")
        self.nic(legacy, "vm-data-limited", plugged=False)
        self.snapshot(legacy, "before upgrade", with_memory=True)

        if self.guest_image:  # the lab's real guest with virtio drivers (lab/guest): boots as it is
            guest = self.vm("mtv-guest-virtio", role="guest_virtio", memory_mib=1024, topology=(1, 1, 1),
                            os_type="debian_9")
            self.disk(guest, "mtv-guest-virtio_Disk1", 2048, bootable=True, interface="virtio",
                      source=self.guest_image)
            self.nic(guest, "vm-data-nofilter", mac="56:6f:1a:0e:00:01")

    def add_bulk_vms(self, total: int) -> None:
        """Plain VMs (one small disk, one NIC) until the inventory holds `total` VMs."""
        clusters = list(self.world["clusters"])
        index = 0
        while len(self.collections["vms"]) < total:
            index += 1
            name = f"vm-{index:04d}"
            vm = self.vm(name, cluster=clusters[index % len(clusters)], status="up" if index % 3 == 0 else "down",
                         memory_mib=1024)
            self.disk(vm, f"{name}_Disk1", 8, bootable=True, data_mib=0.0625,
                      domain="nfs-data" if index % 2 else "iscsi-data")
            self.nic(vm, "ovirtmgmt" if index % 2 else "vm-data")
