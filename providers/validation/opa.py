"""Running the opa binary, held in: custom rules are code a user wrote, checked and evaluated here.

* `run(args)` runs `opa` with an empty environment (a rule must not read MTVWEB_ENCRYPTION_KEYS or
  anything else of the web process).
* `capabilities_file()` is what `opa check` and `opa eval` are given with `--capabilities`: this OPA's
  own built-ins without those that reach the world (http.send, net.*, opa.runtime, print…), and
  no network for remote schemas, so a rule using one is refused as an undefined function.
* `server_command()` / `server_environment()` start the OPA server the way production runs it:
  token authentication with the authorization policy in opa_authz.rego (only requests bearing
  MTVWEB_OPA_TOKEN are served; /health answers anyone). `python -m providers.validation.opa
  --addr HOST:PORT` starts one (scripts/lib/services.sh does, for the production settings).
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from functools import cache
from pathlib import Path

AUTHZ_POLICY = Path(__file__).with_name("opa_authz.rego")
# Built-ins that read or write outside the evaluation: the network, DNS, OPA's own environment and
# configuration, and its logs.
DENIED_PREFIXES = ("net.",)
DENIED = {"http.send", "opa.runtime", "print", "internal.print", "trace", "providers.aws.sign_req"}
TIMEOUT = 60


def denied(builtin: str) -> bool:
    return builtin in DENIED or builtin.startswith(DENIED_PREFIXES)


def run(binary: str, args: list, timeout: float = TIMEOUT) -> subprocess.CompletedProcess:
    return subprocess.run([binary, *map(str, args)], capture_output=True, text=True, timeout=timeout, env={})


@cache
def _capabilities(binary: str, stamp: tuple) -> Path:
    result = run(binary, ["capabilities", "--current"])
    if result.returncode != 0:
        raise RuntimeError(f"{binary} capabilities --current failed: {result.stderr.strip()}")
    capabilities = json.loads(result.stdout)
    capabilities["builtins"] = [b for b in capabilities["builtins"] if not denied(b["name"])]
    capabilities["allow_net"] = []
    text = json.dumps(capabilities, sort_keys=True)
    from django.conf import settings

    path = Path(settings.DATA_DIR) / f"opa-capabilities-{hashlib.sha256(text.encode()).hexdigest()[:12]}.json"
    if not path.exists():
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(text)
        partial.replace(path)
    return path


def capabilities_file(binary: str) -> Path:
    """This binary's capabilities without the denied built-ins (made once per binary)."""
    status = os.stat(binary)
    return _capabilities(binary, (status.st_mtime_ns, status.st_size))


def server_command(binary: str, addr: str) -> list[str]:
    return [binary, "run", "--server", "--addr", addr, "--authentication=token", "--authorization=basic",
            "--log-level", "error", str(AUTHZ_POLICY)]


def server_environment(token: str) -> dict:
    """All the server sees: the token its authorization policy compares with (nothing else to leak)."""
    if not token:
        raise ValueError("The OPA server needs a token (MTVWEB_OPA_TOKEN).")
    return {"MTVWEB_OPA_TOKEN": token}


def main(argv: list[str]) -> None:
    import argparse

    parser = argparse.ArgumentParser(description="Run the OPA server mtvweb validates with (token required).")
    parser.add_argument("--addr", default="127.0.0.1:8181")
    parser.add_argument("--binary", default=os.environ.get("MTVWEB_OPA_BINARY", "opa"))
    options = parser.parse_args(argv)
    token = os.environ.get("MTVWEB_OPA_TOKEN", "")
    try:
        environment = server_environment(token)
    except ValueError as exc:
        sys.exit(str(exc))
    os.execve(options.binary if "/" in options.binary else _which(options.binary),
              server_command(options.binary, options.addr), environment)


def _which(name: str) -> str:
    import shutil

    return shutil.which(name) or sys.exit(f"{name} is not on PATH: set --binary or MTVWEB_OPA_BINARY.")


if __name__ == "__main__":
    main(sys.argv[1:])
