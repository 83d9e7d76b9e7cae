"""python -m lab up|down|status — see lab/__init__.py."""

from __future__ import annotations

import argparse
import fcntl
import importlib
import json
import sys
import time

from lab.runtime import Context, load_state, pid_alive, save_state, state_dir, stop_pid

PARTS = ["kube", "vsphere", "ovirt", "openstack", "ova"]


def _part(name: str):
    return importlib.import_module(f"lab.{name}")


def _healthy(name: str, ctx: Context, record: dict, pids: dict) -> bool:
    if not record or any(not pid_alive(pid) for pid in pids.values()):
        return False
    try:
        return bool(_part(name).healthy(ctx, record))
    except Exception:  # noqa: BLE001 - an unhealthy part is restarted, whatever the reason
        return False


def up(parts: list[str], options: dict) -> dict:
    root = state_dir()
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        state = load_state(root)
        for name in parts:
            pids = state.get("pids", {}).get(name, {})
            ctx = Context(root=root, options=options)
            if _healthy(name, ctx, state.get(name), pids):
                continue
            for pid in pids.values():
                stop_pid(pid)
            started = time.monotonic()
            record = _part(name).up(ctx)
            state[name] = record
            state.setdefault("pids", {})[name] = ctx.pids
            save_state(state, root)
            print(f"lab: {name} up in {time.monotonic() - started:.1f}s", file=sys.stderr, flush=True)
        return state


def down(parts: list[str]) -> None:
    root = state_dir()
    state = load_state(root)
    for name in reversed(parts):
        for pid in state.get("pids", {}).pop(name, {}).values():
            stop_pid(pid)
        state.pop(name, None)
    save_state(state, root)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lab", description=__doc__)
    parser.add_argument("command", choices=["up", "down", "status", "build", "image"])
    parser.add_argument("--parts", default=",".join(PARTS), help="comma-separated subset of " + ",".join(PARTS))
    parser.add_argument("--vsphere-vms", type=int, default=None, help="VMs in the simulated vCenter")
    parser.add_argument("--ovirt-vms", type=int, default=None, help="VMs in the simulated oVirt engine")
    args = parser.parse_args(argv)
    parts = [p for p in args.parts.split(",") if p]
    unknown = set(parts) - set(PARTS)
    if unknown:
        parser.error(f"unknown parts: {', '.join(sorted(unknown))}")
    options = {k: v for k, v in vars(args).items() if k not in {"command", "parts"} and v is not None}
    if args.command == "image":  # build (or find cached) the image's root filesystem; print its path
        from lab import image

        return image.main()
    if args.command == "build":
        for name in parts:  # build (or find cached) what the parts run, without starting them
            if hasattr(_part(name), "build"):
                _part(name).build()
    elif args.command == "up":
        up(parts, options)
        print(state_dir() / "lab.json")
    elif args.command == "down":
        down(parts)
    else:
        print(json.dumps(load_state(), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
