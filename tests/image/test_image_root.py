"""Inside the image's root filesystem (`python -m lab image`), run as the cluster simulator runs
every container (bwrap, the root as /, the checkout at /app): the Pods' programs are there, and
the vddk plugin, OPA and virt-v2v start."""

import json
import textwrap

import pytest

from lab import image
from mtvweb.pods import needs

pytestmark = pytest.mark.lab

PRESENT = textwrap.dedent("""
    import glob, importlib, json, shutil, sys
    wanted = json.loads(sys.argv[1])
    missing = [e for e in wanted["executables"] if not shutil.which(e)]
    missing += [f for f in wanted["files"] if not glob.glob(f)]
    for module in wanted["modules"]:
        try:
            importlib.import_module(module)
        except Exception as exc:
            missing.append(f"{module} ({exc})")
    print(json.dumps(missing))
""")


@pytest.fixture(scope="module")
def root():
    return image.build()


def test_everything_the_pods_need_is_in_the_image(root):
    wanted = {"executables": list(needs.EXECUTABLES), "files": list(needs.FILES),
              "modules": list(needs.PYTHON_MODULES)}
    run = image.run(root, ["python", "-c", PRESENT, json.dumps(wanted)], timeout=120)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout) == []


def test_python_is_the_images_venv_on_debians_python(root):
    run = image.run(root, ["python", "-c", "import sys; print(sys.prefix, sys.version_info[:2])"], timeout=60)
    assert run.stdout.split(" ", 1) == ["/opt/mtvweb/venv", "(3, 11)\n"], run.stderr


@pytest.mark.parametrize("command, expected", [
    (["nbdkit", "vddk", "--dump-plugin"], "name=vddk"),
    (["opa", "version"], "Version:"),
    (["virt-v2v", "--version"], "virt-v2v 2."),
])
def test_the_images_tools_start(root, command, expected):
    run = image.run(root, command, timeout=60)
    assert run.returncode == 0, run.stderr
    assert expected in run.stdout


def test_a_vddk_transfer_without_the_library_names_the_init_image_to_set(root, tmp_path):
    """The transfer container has the VDDK directory mounted, empty: no init image copied the library."""
    (tmp_path / "vddk").mkdir()
    run = image.run(root, [
        "python", "-m", "mtvweb.pods.transfer", "--source-kind", "nbdkit", "--nbdkit-plugin", "vddk",
        "--nbdkit-arg", "libdir=/opt/vmware-vix-disklib-distrib", "--nbdkit-arg", "server=vc.example",
        "--nbdkit-arg", "user=administrator@vsphere.local",
        "--nbdkit-arg", "vm=moref=vm-42", "--nbdkit-arg", "file=[ds1] vm/vm.vmdk",
        "--nbdkit-arg", "thumbprint=00:11", "--target", "/tmp/disk.img", "--size", "1048576",
        "--termination-log", "/tmp/term"], binds={str(tmp_path / "vddk"): "/opt/vmware-vix-disklib-distrib"},
        env={"SOURCE_PASSWORD": "secret-x"}, timeout=120)
    assert run.returncode == 1
    assert "VMware's VDDK library is not in this Pod" in run.stderr
    assert "VDDK init image (vddkInitImage)" in run.stderr
