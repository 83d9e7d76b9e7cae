from providers.adapters.base import Adapter
from providers.adapters.vsphere.client import session
from providers.adapters.vsphere.inventory import VSphereCollector
from providers.adapters.vsphere.transfer import Operations


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
    def disk_storages(data: dict) -> list[str]:
        return [(disk.get("datastore") or {}).get("id", "") for disk in data.get("disks") or []]

    def test_connection(self) -> None:
        with session(self.url, self.credentials):
            pass

    def collector(self) -> VSphereCollector:
        return VSphereCollector(self.url, self.credentials)

    def operations(self) -> Operations:
        return Operations(self)
