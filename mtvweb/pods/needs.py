"""What the Pod programs (python -m mtvweb.pods.*) need from their image, and who provides it.

One place for the image's contract with the Pods: tests check that each of these is present
inside the image's root filesystem (lab/image.py) and that its provider is declared where the
image gets it from (image/debian-packages.txt, pyproject.toml, the image's own build), so
dropping a package from the list fails a test instead of a user's migration.
"""

DEBIAN = "image/debian-packages.txt"
PYPI = "pyproject.toml"
BUILT = "image/build-vddk.sh"

# executable on PATH: (Debian package, who calls it); the venv's (ansible-playbook…) come with
# PYTHON_MODULES
EXECUTABLES = {
    "python3": ("python3", "every Pod: the venv's interpreter"),
    "nbdkit": ("nbdkit", "transfer --source-kind nbdkit (vddk)"),
    "qemu-img": ("qemu-utils", "virt-v2v, libguestfs"),
    "nbdcopy": ("libnbd-bin", "virt-v2v"),
    "nbdinfo": ("libnbd-bin", "virt-v2v"),
    "virt-v2v-in-place": ("virt-v2v", "convert"),
    "guestfish": ("libguestfs-tools", "convert (inspecting a guest)"),
    "qemu-system-x86_64": ("qemu-system-x86", "libguestfs' appliance"),
}

# file (a glob): (provider, where it is declared, who loads it)
FILES = {
    "/usr/lib/x86_64-linux-gnu/nbdkit/plugins/nbdkit-vddk-plugin.so": ("vddk", BUILT, "transfer (VDDK)"),
    "/usr/lib/x86_64-linux-gnu/nbdkit/plugins/nbdkit-curl-plugin.so": ("nbdkit", DEBIAN, "virt-v2v -i ova/http"),
    "/boot/vmlinuz-*": ("linux-image-amd64", DEBIAN, "libguestfs' appliance kernel"),
    "/usr/share/OVMF/OVMF_CODE*.fd": ("ovmf", DEBIAN, "converting UEFI guests"),
    "/usr/lib/x86_64-linux-gnu/libxml2.so.2": ("libxml2", DEBIAN, "ovirt-engine-sdk-python"),
    "/usr/lib/x86_64-linux-gnu/libcurl.so.4": ("libcurl4", DEBIAN, "ovirt-engine-sdk-python (pycurl)"),
    "/etc/ssl/certs/ca-certificates.crt": ("ca-certificates", DEBIAN, "every Pod reaching a source over TLS"),
    "/opt/mtvweb/venv/bin/python": ("python3-venv", DEBIAN, "every Pod (`python -m …`)"),
}

# Python module the venv's python imports: the pyproject.toml requirement that installs it
PYTHON_MODULES = {
    "ansible.cli.playbook": "ansible-core",  # hook
    "blake3": "blake3",  # transfer
    "numpy": "numpy",  # transfer
    "kubernetes": "kubernetes",  # transfer (progress), serve
    "ovirtsdk4": "ovirt-engine-sdk-python",  # web console and workers (libxml2, libcurl)
}
