"""How a container's mounts land in the image's root (lab/image.py, used by the cluster simulator):
through the root's own symlinks, and without hiding the rest of a directory they go into."""

import os

from lab import image


def fake_root(tmp_path):
    root = tmp_path / "root"
    for directory in ("usr/bin", "opt/mtvweb/venv", "run", "var/lib", "etc"):
        (root / directory).mkdir(parents=True)
    os.symlink("usr/bin", root / "bin")
    os.symlink("/run", root / "var" / "run")
    return root


def test_mount_points_follow_the_roots_symlinks_inside_the_root(tmp_path):
    root = fake_root(tmp_path)
    assert image.inside(root, "/var/run/secrets/kubernetes.io/serviceaccount") == \
        "/run/secrets/kubernetes.io/serviceaccount"
    assert image.inside(root, "/bin/tool") == "/usr/bin/tool"
    assert image.inside(root, "/opt/vmware-vix-disklib-distrib") == "/opt/vmware-vix-disklib-distrib"


def test_a_mount_inside_a_directory_of_the_image_keeps_its_other_entries(tmp_path):
    root = fake_root(tmp_path)
    args = image.root_mounts(root, tmp_path, ("/opt/vmware-vix-disklib-distrib",))
    pairs = list(zip(args, args[1:], args[2:], strict=False))
    assert ("--ro-bind", str(root / "opt"), "/opt") not in pairs and "/opt" in args  # rebuilt, not bound
    assert ("--ro-bind", str(root / "opt" / "mtvweb"), "/opt/mtvweb") in pairs  # the venv stays visible
    assert ("--ro-bind", str(root / "etc"), "/etc") in pairs
    assert ("--symlink", "/run", "/var/run") in pairs
