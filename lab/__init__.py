"""The lab: local stand-ins for everything mtvweb talks to.

`python -m lab build` builds (or finds in the cache) the Go programs the parts run and the
image's root filesystem the cluster's Pods run in; `python -m lab image` builds only the latter
and prints its path (lab/image.py).
`python -m lab up [--parts kube,vsphere,ovirt,openstack,ova]` starts the parts asked for
(all by default), leaves them running in the background and records how to reach them in
`<state dir>/lab.json`; `python -m lab down` stops them; `python -m lab status` prints the
record. `up` is idempotent: parts already running and healthy are kept.

The state directory is `$MTVWEB_LAB_DIR` (default `~/.cache/mtvweb/lab`). Every
listener binds to 127.0.0.1. Built Go programs are cached under `~/.cache/mtvweb/bin`.

Each part is a subpackage `lab/<part>/` exposing:

    def up(ctx: lab.runtime.Context) -> dict      # start, wait until usable, return its record
    def healthy(ctx, record: dict) -> bool        # is the running part still usable?

Processes are started through `ctx.spawn(...)`, which records their pids so that `down`
can stop them. The record a part returns becomes `lab.json["<part>"]`; disks are listed with
their `blake3` hex digest over the full raw image (holes read as zeros) so tests can prove
the bytes that reach the target equal the source's.

The lab shares no code with the product: neither imports the other.
"""
