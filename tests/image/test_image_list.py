"""The image's definition: every program, library and module the Pods need (mtvweb/pods/needs.py)
is provided by something the image installs, and the Dockerfile builds what the lab builds."""

import re
import tomllib
from pathlib import Path

from mtvweb.pods import needs

REPO = Path(__file__).resolve().parents[2]


def listed(name: str) -> set[str]:
    lines = (REPO / name).read_text().splitlines()
    return {word for line in lines for word in line.split("#", 1)[0].split()}


def test_every_debian_package_the_pods_need_is_in_the_image_list():
    packages = listed(needs.DEBIAN)
    wanted = {package for package, _ in needs.EXECUTABLES.values()}
    wanted |= {provider for provider, where, _ in needs.FILES.values() if where == needs.DEBIAN}
    assert wanted - packages == set(), f"missing from {needs.DEBIAN}"


def test_every_python_module_the_pods_import_is_a_project_dependency():
    with open(REPO / needs.PYPI, "rb") as f:
        requirements = tomllib.load(f)["project"]["dependencies"]
    names = {re.match(r"[A-Za-z0-9_.-]+", r).group(0).lower() for r in requirements}
    assert {r.lower() for r in needs.PYTHON_MODULES.values()} - names == set()


def test_build_only_packages_are_not_needed_at_run_time():
    """install.sh purges the build list: a run-time need there would vanish from the image."""
    build_only = listed("image/debian-build-packages.txt")
    runtime = {package for package, _ in needs.EXECUTABLES.values()}
    runtime |= {provider for provider, where, _ in needs.FILES.values() if where == needs.DEBIAN}
    assert build_only & (runtime | listed(needs.DEBIAN)) == set()


def test_the_dockerfile_runs_the_labs_install_with_the_same_vddk_source():
    dockerfile = (REPO / "Dockerfile").read_text()
    url, sha256 = next(line.split() for line in (REPO / "image/vddk-source.txt").read_text().splitlines()
                       if line and not line.startswith("#"))
    assert f"--checksum=sha256:{sha256}" in dockerfile and url in dockerfile
    assert "FROM docker.io/library/debian:bookworm-slim" in dockerfile
    assert "COPY image/ pyproject.toml /tmp/mtvweb-image/" in dockerfile
    assert "RUN sh /tmp/mtvweb-image/install.sh" in dockerfile
    assert "COPY tools/opa" in dockerfile  # OPA from the module the lab builds (lab/image.py build_opa)
