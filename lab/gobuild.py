"""Build the lab's Go programs once and keep them under ~/.cache/mtvweb/bin.

A module under lab/go/<name> is rebuilt only when one of its files changes; a warm
`lab up` therefore starts without touching the Go toolchain.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

from lab.runtime import BIN_DIR, CACHE_DIR

GO_DIR = Path(__file__).parent / "go"


def _source_digest(module_dir: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(module_dir.rglob("*")):
        if path.is_file() and path.suffix in {".go", ".mod", ".sum"}:
            digest.update(str(path.relative_to(module_dir)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def go_env() -> dict:
    return {
        **os.environ,
        "GOMODCACHE": os.environ.get("GOMODCACHE", str(CACHE_DIR / "go-mod")),
        "GOFLAGS": os.environ.get("GOFLAGS", "-modcacherw"),
        "CGO_ENABLED": os.environ.get("CGO_ENABLED", "0"),
    }


def build(module: str, packages: dict[str, str]) -> dict[str, Path]:
    """Build packages ({binary name: Go package path}) of lab/go/<module>; return their paths."""
    module_dir = GO_DIR / module
    BIN_DIR.mkdir(parents=True, exist_ok=True)
    stamp = BIN_DIR / f".{module}.stamp"
    outputs = {name: BIN_DIR / name for name in packages}
    digest = _source_digest(module_dir)
    if stamp.exists() and stamp.read_text() == digest and all(p.exists() for p in outputs.values()):
        return outputs
    print(f"lab: building {', '.join(packages)} (Go, first time takes minutes)", file=sys.stderr, flush=True)
    for name, package in packages.items():
        subprocess.run(
            ["go", "build", "-trimpath", "-o", str(outputs[name]), package],
            cwd=module_dir,
            env=go_env(),
            check=True,
        )
    stamp.write_text(digest)
    return outputs
