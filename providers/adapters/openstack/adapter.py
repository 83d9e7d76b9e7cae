from providers.adapters.base import CRITICAL, Adapter, Finding
from providers.adapters.openstack.client import OpenStackClient
from providers.adapters.openstack.inventory import OpenStackCollector
from providers.adapters.openstack.transfer import Operations


class OpenStackAdapter(Adapter):
    type = "openstack"
    policy_package = "openstack"
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

    # What generic code reads instead of the type (providers.adapters.base).
    storage_nouns = ("volume type", "volume types")

    @staticmethod
    def vm_findings(data: dict, warm: bool) -> list[Finding]:
        if data.get("imageBased") or data.get("localDisks"):
            return [(CRITICAL, "The VM is not backed only by Cinder volumes (it boots from an image or has local "
                               "disks); only volume-backed VMs can migrate.")]
        return []

    def client(self) -> OpenStackClient:
        return OpenStackClient(self.url, self.credentials)

    def test_connection(self) -> None:
        self.client().check()

    def collector(self) -> OpenStackCollector:
        return OpenStackCollector(self.client())

    def operations(self) -> Operations:
        return Operations(self)
