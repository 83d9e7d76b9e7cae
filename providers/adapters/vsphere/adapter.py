from providers.adapters.base import Adapter, StorageSummary, VMSummary
from providers.adapters.vsphere.client import session
from providers.adapters.vsphere.inventory import VSphereCollector


class VSphereAdapter(Adapter):
    type = "vsphere"
    supports_warm = True
    needs_conversion = True
    form = "providers.adapters.vsphere.forms.VSphereProviderForm"
    resources = {
        "vms": "vm",
        "datacenters": "datacenter",
        "clusters": "cluster",
        "hosts": "host",
        "folders": "folder",
        "networks": "network",
        "datastores": "storage",
    }

    @staticmethod
    def vm_summary(data: dict) -> VMSummary:
        return VMSummary(cpus=data.get("cpuCount", 0), memory_bytes=data.get("memoryMB", 0) * 2**20,
                         disk_bytes=[d.get("capacity", 0) for d in data.get("disks", [])],
                         nics=len(data.get("nics", [])))

    @staticmethod
    def storage_summary(data: dict) -> StorageSummary:
        return StorageSummary(capacity=data.get("capacity", 0), free=data.get("free", 0))

    def test_connection(self) -> None:
        with session(self.url, self.credentials):
            pass

    def collector(self) -> VSphereCollector:
        return VSphereCollector(self.url, self.credentials)
