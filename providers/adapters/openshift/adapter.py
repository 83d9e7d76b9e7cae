from providers.adapters.base import Adapter
from providers.adapters.openshift.client import check
from providers.adapters.openshift.inventory import OpenShiftCollector
from providers.adapters.openshift.transfer import Operations
from providers.kube import open_api
from providers.models import Provider


class OpenShiftAdapter(Adapter):
    """OpenShift Virtualization / KubeVirt, as a source (cold only, no conversion) and as the target."""

    type = "openshift"
    policy_package = "openshift"
    supports_warm = False
    needs_conversion = False
    form = "providers.adapters.openshift.forms.OpenShiftProviderForm"
    resources = {
        "vms": "vm",
        "namespaces": "folder",
        "storageclasses": "storage",
        "networkattachmentdefinitions": "network",
    }

    # What generic code reads instead of the type (providers.adapters.base).
    storage_nouns = ("storage class", "storage classes")
    is_target = True
    has_pod_network = True
    named_by_namespace = True
    # VMs, NADs and the namespaces themselves belong to the teams of their namespace; storage
    # classes to the whole cluster.
    namespaced_kinds = frozenset({"vm", "network", "folder"})
    shared_network_namespaces = ("default",)  # Multus lets every namespace use the NADs in default

    @staticmethod
    def uses_own_credentials(url: str) -> bool:
        """No URL: the host cluster, through mtvweb's kubeconfig or ServiceAccount (guide §4.4.1.5)."""
        return not url

    @staticmethod
    def nic_networks(data: dict) -> list[str]:
        """A NIC on the pod network is "pod" (the map's source for it); others the NAD's id."""
        return ["pod" if (n.get("network") or {}).get("type") == "pod" else (n.get("network") or {}).get("id", "")
                for n in data.get("nics") or []]

    def test_connection(self) -> None:
        with open_api(self.url, self.credentials) as api:
            check(api, self.url)

    def collector(self) -> OpenShiftCollector:
        return OpenShiftCollector(self.url, self.credentials, announce=self.announce)

    def announce(self, text: str) -> None:
        """Say on the Ready provider what its inventory lacks (e.g. a namespace-limited token)."""
        if self.provider.pk:
            Provider.objects.filter(pk=self.provider.pk).update(status_message=text)

    def operations(self) -> Operations:
        return Operations(self)
