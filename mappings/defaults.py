"""Default access mode and volume mode for a target storage class (guide §2.2).

In order: the first claimPropertySet of the class's CDI StorageProfile (what CDI knows the
storage supports, best first); else the guide's provisioner table below; else ReadWriteOnce
and Filesystem, which every provisioner supports.

`default_modes(storage_class_record)` takes the storage class as the openshift inventory
keeps it (`provisioner`, `claimPropertySets`).
"""

from __future__ import annotations

from dataclasses import dataclass

RWO, RWX, ROX = "ReadWriteOnce", "ReadWriteMany", "ReadOnlyMany"
FILESYSTEM, BLOCK = "Filesystem", "Block"
ACCESS_MODES = [RWO, RWX, ROX]
VOLUME_MODES = [FILESYSTEM, BLOCK]

# Guide §2.2: provisioner → (volume mode, access mode).
PROVISIONER_TABLE: dict[str, tuple[str, str]] = {
    "kubernetes.io/aws-ebs": (BLOCK, RWO),
    "kubernetes.io/azure-disk": (BLOCK, RWO),
    "kubernetes.io/azure-file": (FILESYSTEM, RWX),
    "kubernetes.io/cinder": (BLOCK, RWO),
    "kubernetes.io/gce-pd": (BLOCK, RWO),
    "kubernetes.io/hostpath-provisioner": (FILESYSTEM, RWO),
    "manila.csi.openstack.org": (FILESYSTEM, RWX),
    "openshift-storage.cephfs.csi.ceph.com": (FILESYSTEM, RWX),
    "openshift-storage.rbd.csi.ceph.com": (BLOCK, RWO),
    "kubernetes.io/rbd": (BLOCK, RWO),
    "kubernetes.io/vsphere-volume": (BLOCK, RWO),
}
FALLBACK = (FILESYSTEM, RWO)

FROM_PROFILE = "storage profile"
FROM_TABLE = "provisioner table"
FROM_FALLBACK = "fallback"


@dataclass(frozen=True)
class Modes:
    access_mode: str
    volume_mode: str
    origin: str  # FROM_PROFILE, FROM_TABLE or FROM_FALLBACK

    @property
    def explanation(self) -> str:
        """Where the defaults come from, in words a user can check."""
        if self.origin == FROM_PROFILE:
            return "Defaults from the class's StorageProfile."
        if self.origin == FROM_TABLE:
            return "Defaults from the provisioner table (guide §2.2)."
        return "No StorageProfile modes and an unknown provisioner: ReadWriteOnce and Filesystem."


def default_modes(storage_class: dict) -> Modes:
    table_volume, table_access = PROVISIONER_TABLE.get(storage_class.get("provisioner", ""), FALLBACK)
    origin = FROM_TABLE if storage_class.get("provisioner", "") in PROVISIONER_TABLE else FROM_FALLBACK
    sets = storage_class.get("claimPropertySets") or []
    if sets:
        first = sets[0]
        access = next(iter(first.get("accessModes") or []), "")
        volume = first.get("volumeMode") or ""
        if access in ACCESS_MODES or volume in VOLUME_MODES:
            return Modes(access if access in ACCESS_MODES else table_access,
                         volume if volume in VOLUME_MODES else table_volume, FROM_PROFILE)
    return Modes(table_access, table_volume, origin)
