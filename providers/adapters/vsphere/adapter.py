from providers.adapters.base import CRITICAL, WARNING, Adapter, Finding
from providers.adapters.vsphere.client import fetch_thumbprint, session
from providers.adapters.vsphere.inventory import VSphereCollector
from providers.adapters.vsphere.transfer import Operations


class VSphereAdapter(Adapter):
    type = "vsphere"
    policy_package = "vmware"  # Forklift's name for it
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

    # What generic code reads instead of the type (providers.adapters.base).
    storage_nouns = ("datastore", "datastores")
    has_hosts = True
    host_addresses = True
    fetches_thumbprint = True
    fetch_thumbprint = staticmethod(fetch_thumbprint)

    SNAPSHOT_LIMIT = 28  # warm migration adds snapshots; vSphere refuses past 32 per VM

    @staticmethod
    def provider_findings(provider) -> list[Finding]:
        if (provider.settings or {}).get("vddkInitImage"):
            return []
        return [(WARNING, "The vSphere provider has no VDDK init image: disks are copied over HTTPS, which is slower "
                          "(guide §2.7.1). Add one to the provider to speed this up.")]

    @classmethod
    def vm_findings(cls, data: dict, warm: bool) -> list[Finding]:
        """Warm migration reads changed blocks between snapshots: CBT on the VM and every disk, and room
        for the snapshots it takes."""
        if not warm:
            return []
        findings = []
        if not data.get("changeTrackingEnabled"):
            findings.append((CRITICAL, "Changed block tracking is off: warm migration needs it. Turn on CBT "
                                       "(ctkEnabled) for the VM or migrate cold."))
        off = [d.get("file", str(d.get("key"))) for d in data.get("disks", []) if not d.get("changeTrackingEnabled")]
        if off and data.get("changeTrackingEnabled"):
            findings.append((CRITICAL, f"Changed block tracking is off for disk {', '.join(off)}."))
        count = data.get("snapshotCount", 0)
        if count >= cls.SNAPSHOT_LIMIT:
            findings.append((CRITICAL, f"The VM has {count} snapshots; warm migration needs room for more (at most "
                                       f"{cls.SNAPSHOT_LIMIT - 1}). Remove some snapshots."))
        return findings

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
