from providers.adapters.base import Adapter
from providers.adapters.openstack.client import OpenStackClient
from providers.adapters.openstack.inventory import OpenStackCollector
from providers.adapters.openstack.transfer import Operations


class OpenStackAdapter(Adapter):
    type = "openstack"
    # Forklift migrates OpenStack VMs cold only, and their guests already run on KVM (no virt-v2v).
    supports_warm = False
    needs_conversion = False
    form = "providers.adapters.openstack.forms.OpenStackProviderForm"
    resources = {
        "vms": "vm",
        "regions": "datacenter",
        "projects": "folder",
        "networks": "network",
        "subnets": "subnet",
        "volumetypes": "storage",
        "volumes": "volume",
        "flavors": "flavor",
        "images": "image",
    }

    def client(self) -> OpenStackClient:
        return OpenStackClient(self.url, self.credentials)

    def test_connection(self) -> None:
        self.client().check()

    def collector(self) -> OpenStackCollector:
        return OpenStackCollector(self.client())

    def operations(self) -> Operations:
        return Operations(self)
