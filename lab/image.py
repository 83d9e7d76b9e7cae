"""The mtvweb image as a root filesystem, built without a container engine: `python -m lab image`.

mmdebstrap makes a Debian bookworm root; inside it (chroot) image/install.sh, the script the
Dockerfile runs too, installs image/debian-packages.txt, fills the venv /opt/mtvweb/venv with
pyproject.toml's dependencies and builds nbdkit's vddk plugin; OPA is copied to /usr/local/bin.
The root is cached under ~/.cache/mtvweb/image/<hash of those inputs>/root: it is built in a
temporary directory beside it and renamed when complete, so a half-built root is never used.
The cluster simulator runs every container with that root as / (lab/kube/simulator/sandbox.py).
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shlex
import shutil
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from lab.runtime import BIN_DIR, CACHE_DIR

REPO_ROOT = Path(__file__).resolve().parent.parent
IMAGE_DIR = REPO_ROOT / "image"
OPA_DIR = REPO_ROOT / "tools" / "opa"
CACHE = CACHE_DIR / "image"
SUITE = "bookworm"
SOURCES = [
    "deb http://deb.debian.org/debian bookworm main",
    "deb http://deb.debian.org/debian bookworm-updates main",
    "deb http://deb.debian.org/debian-security bookworm-security main",
]
VENV = "/opt/mtvweb/venv"
PATH = f"{VENV}/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
KEEP = 3  # roots of other inputs kept in the cache
STAGE = "/tmp/mtvweb-image"  # where install.sh and its inputs are, inside the root being built


def _inputs() -> list[Path]:
    return [*sorted(p for p in IMAGE_DIR.iterdir() if p.is_file()), REPO_ROOT / "pyproject.toml"]


def digest() -> str:
    """What decides the root's content: the image's files, the Python dependencies, OPA's module."""
    h = hashlib.sha256(repr((SUITE, SOURCES)).encode())
    for path in [*_inputs(), *(OPA_DIR / n for n in ("go.mod", "go.sum", "main.go"))]:
        h.update(path.name.encode() + b"\0" + path.read_bytes())
    return h.hexdigest()[:16]


def root_dir() -> Path:
    return CACHE / digest() / "root"


def build() -> Path:
    """The image's root directory, built first if it is not cached (minutes the first time)."""
    root = root_dir()
    if root.is_dir():
        return root
    root.parent.mkdir(parents=True, exist_ok=True)
    with open(root.parent / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # two lab runs at once: one builds, the other waits for it
        if root.is_dir():
            return root
        started = time.monotonic()
        print(f"lab: building the image's root filesystem in {root} (minutes the first time)",
              file=sys.stderr, flush=True)
        if not shutil.which("mmdebstrap"):
            raise RuntimeError("the image's root is built with mmdebstrap, which is not installed: "
                               "apt-get install mmdebstrap (scripts/test and scripts/demo do)")
        _remove_stale_builds(root.parent)
        opa = build_opa()
        source = _vddk_source()
        work = Path(tempfile.mkdtemp(prefix="building-", dir=root.parent))
        try:
            _mmdebstrap(work / "root", opa, source)
            (work / "root").rename(root)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        print(f"lab: image built in {time.monotonic() - started:.0f}s", file=sys.stderr, flush=True)
        _prune(keep=KEEP)
    return root


WRITABLE = ("/tmp", "/root", "/run", "/var/tmp")  # a fresh tmpfs each, where programs expect to write


def root_mounts(root: Path | str, app: Path | str = REPO_ROOT, mount_points: tuple[str, ...] = ()) -> list[str]:
    """bwrap arguments that make `root` the process's /: read-only but for WRITABLE, its own /proc
    and /dev, the project read-only at /app. The cluster simulator's sandbox starts every container
    with these (mount_points: where the Pod's volumes go); the image's tests run in it too.

    bwrap's own root is a tmpfs: the root's entries are bound onto it one by one, and a directory
    holding a mount point is rebuilt the same way a level down, so a volume can be mounted
    anywhere without writing into the cached root."""
    needed = {"/app", "/proc", "/dev", *WRITABLE, *mount_points}
    args = _skeleton(Path(root), "/", needed)
    args += ["--proc", "/proc", "--dev", "/dev"]
    for path in WRITABLE:
        args += ["--tmpfs", path]
    return [*args, "--ro-bind", str(app), "/app"]


def inside(root: Path | str, path: str, hops: int = 40) -> str:
    """`path` in the root with its symlinks followed within the root (/var/run/x is /run/x), as a
    container runtime resolves a mount point; bwrap would follow an absolute link out of it."""
    current = "/"
    parts = [p for p in path.split("/") if p]
    for index, part in enumerate(parts):
        candidate = os.path.join(current, part)
        host = os.path.join(str(root), candidate.lstrip("/"))
        if hops and os.path.islink(host):
            target = os.path.join(current, os.readlink(host))  # an absolute target replaces current
            return inside(root, os.path.normpath(os.path.join(target, *parts[index + 1:])), hops - 1)
        current = candidate
    return current


def _skeleton(source: Path, dest: str, needed: set[str]) -> list[str]:
    args = []
    for entry in sorted(os.scandir(source), key=lambda e: e.name):
        target = os.path.join(dest, entry.name)
        if target in needed:  # mounted over afterwards
            continue
        if entry.is_symlink():
            args += ["--symlink", os.readlink(entry.path), target]
        elif entry.is_dir() and any(path.startswith(target + "/") for path in needed):
            args += ["--dir", target, *_skeleton(Path(entry.path), target, needed)]
        else:
            args += ["--ro-bind", entry.path, target]
    return args


def run(root: Path | str, command: list[str], binds: dict[str, str] | None = None,
        env: dict[str, str] | None = None, **kwargs) -> subprocess.CompletedProcess:
    """Run a command inside the image's root as a container (binds: host path -> path inside)."""
    binds = binds or {}
    variables = {"PATH": PATH, "PYTHONPATH": "/app", "HOME": "/root", "LANG": "C.UTF-8", **(env or {})}
    env = ["--clearenv", *(word for k, v in variables.items() for word in ("--setenv", k, v))]
    binds = {host: inside(root, path) for host, path in binds.items()}
    mounts = [word for host, path in binds.items() for word in ("--bind", host, path)]
    return subprocess.run(["bwrap", "--die-with-parent", *root_mounts(root, REPO_ROOT, tuple(binds.values())),
                           *mounts, *env, "--chdir", "/app", "--", *command],
                          capture_output=True, text=True, **kwargs)


def _prune(keep: int) -> None:
    """Roots of other inputs (1.8 GB each) beyond the `keep` newest: another checkout's lab may
    still run on a recent one."""
    roots = sorted((p for p in CACHE.glob("*/root") if p.is_dir()), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in roots[keep:]:
        if not any(f" {old.parent}/" in line for line in Path("/proc/self/mountinfo").read_text().split("\n")):
            shutil.rmtree(old.parent, ignore_errors=True)


def _remove_stale_builds(directory: Path) -> None:
    """What a killed build left (we hold the lock: nobody else builds here), unless something is
    still mounted in it (mmdebstrap's /dev, /proc): removing through those would reach the host."""
    mounts = Path("/proc/self/mountinfo").read_text().split("\n")
    for stale in directory.glob("building-*"):
        if any(f" {stale}/" in line for line in mounts):
            print(f"lab: leaving {stale}: something is still mounted in it", file=sys.stderr)
        else:
            shutil.rmtree(stale, ignore_errors=True)


def _mmdebstrap(target: Path, opa: Path, source: Path) -> None:
    debs = CACHE / "debs"  # downloaded packages, kept across builds of different hashes
    debs.mkdir(parents=True, exist_ok=True)
    stage = target.parent / "stage"
    stage.mkdir()
    for path in [*_inputs(), source]:
        shutil.copy2(path, stage / path.name)
    archives = '"$1/var/cache/apt/archives"'
    env = " ".join(shlex.quote(f"{k}={v}") for k, v in _build_env(stage).items())
    hooks = [
        f'mkdir -p "$1{STAGE}" && cp -a {stage}/. "$1{STAGE}/"',
        f"mount --bind {debs} {archives} && {{ chroot \"$1\" env -i {env} sh {STAGE}/install.sh; status=$?; "
        f"umount {archives}; exit $status; }}",
        f'rm -rf "$1{STAGE}" && install -m 0755 {opa} "$1/usr/local/bin/opa"',
    ]
    command = ["mmdebstrap", "--mode=root", "--variant=apt", "--quiet", "--format=directory"]
    command += [f"--customize-hook={hook}" for hook in hooks]
    subprocess.run([*command, SUITE, str(target), *SOURCES], check=True)


def _build_env(stage: Path) -> dict[str, str]:
    """install.sh's environment: pip reaches PyPI as the host does (its index and the CAs the host
    trusts, e.g. a proxy's), without those CAs staying in the image."""
    env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "HOME": "/root", "LANG": "C.UTF-8"}
    env.update({k: v for k, v in os.environ.items() if k in ("PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL",
                                                             "PIP_DEFAULT_TIMEOUT", "http_proxy", "https_proxy")})
    bundle = Path(os.environ.get("PIP_CERT") or ssl.get_default_verify_paths().cafile or "")
    if bundle.is_file():
        shutil.copy(bundle, stage / "build-ca.crt")
        env["PIP_CERT"] = f"{STAGE}/build-ca.crt"
    return env


def _vddk_source() -> Path:
    """The nbdkit source tarball build-vddk.sh builds the plugin from, downloaded once and checked."""
    line = next(w for w in (IMAGE_DIR / "vddk-source.txt").read_text().splitlines() if w and w[0] != "#")
    url, sha256 = line.split()
    path = CACHE / "src" / url.rsplit("/", 1)[1]
    if not path.exists() or hashlib.sha256(path.read_bytes()).hexdigest() != sha256:
        path.parent.mkdir(parents=True, exist_ok=True)
        with urllib.request.urlopen(url, timeout=120) as response:
            data = response.read()
        if hashlib.sha256(data).hexdigest() != sha256:
            raise RuntimeError(f"{url} does not have the sha256 image/vddk-source.txt pins")
        path.write_bytes(data)
    return path


def build_opa() -> Path:
    """OPA from tools/opa, cached as scripts/lib/common.sh's ensure_opa caches it (same stamp)."""
    want = hashlib.sha256(b"".join((OPA_DIR / n).read_bytes() for n in ("go.mod", "go.sum", "main.go")))
    want = want.hexdigest()[:16]
    binary, stamp = BIN_DIR / "opa", BIN_DIR / ".opa.stamp"
    if binary.exists() and stamp.exists() and stamp.read_text().strip() == want:
        return binary
    from lab.gobuild import go_env

    print("lab: building OPA from its Go module (minutes the first time)", file=sys.stderr, flush=True)
    BIN_DIR.mkdir(parents=True, exist_ok=True)
    subprocess.run(["go", "build", "-trimpath", "-o", str(binary), "."], cwd=OPA_DIR, env=go_env(), check=True)
    stamp.write_text(want + "\n")
    return binary


def main() -> int:
    print(build())
    return 0
