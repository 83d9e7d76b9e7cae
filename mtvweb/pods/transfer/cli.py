"""The command line of the transfer Pod, the result line and the termination message."""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import traceback

from mtvweb.pods.transfer.checkpoint import Checkpoints, source_key
from mtvweb.pods.transfer.common import Interrupted, TransferError, log, redact
from mtvweb.pods.transfer.copy import Copy, Options
from mtvweb.pods.transfer.progress import PodAnnotator
from mtvweb.pods.transfer.selftest import DEFAULT_SIZE, selftest

TERMINATION_LOG = "/dev/termination-log"
MESSAGE_LIMIT = 4096  # what the kubelet keeps of a termination message


class Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, exit 1, termination message: like every other failure
        raise TransferError(f"{message} (see --help)")


def build_parser() -> argparse.ArgumentParser:
    p = Parser(prog="python -m mtvweb.pods.transfer",
               description="Copy one disk into a PVC: sparse, hashed, verified, resumable.")
    p.add_argument("--source-kind", choices=("http", "file", "vmdk", "nbd", "nbdkit"),
                   help="where the disk's bytes come from")
    p.add_argument("--url", help="http: the disk's URL (credentials in SOURCE_USER/SOURCE_PASSWORD or SOURCE_COOKIE)")
    p.add_argument("--path", help="file: a raw image file, e.g. on a mounted NFS share; vmdk: a .vmdk or an .ova")
    p.add_argument("--member", help="vmdk: the disk's file inside the .ova (tar) archive given as --path")
    p.add_argument("--uri", help="nbd: nbd+unix:///[export]?socket=/path or nbd://host[:port][/export]")
    p.add_argument("--nbdkit-plugin", help="nbdkit: the plugin nbdkit serves the disk with (vddk, file, curl…)")
    p.add_argument("--nbdkit-arg", action="append", default=[], metavar="KEY=VALUE",
                   help="nbdkit: a plugin parameter, repeated (the password comes from SOURCE_PASSWORD)")
    p.add_argument("--target", required=True, help="a file in a Filesystem PVC, or a block device that exists")
    p.add_argument("--size", type=int, help="the disk's capacity in bytes")
    p.add_argument("--extents-url", default="", help="http: where the source lists its data and zero ranges "
                                                      "(ovirt-imageio's format); zero ranges are not fetched")
    p.add_argument("--extents-file", default="", help="http: the same listing, from a file")
    p.add_argument("--extents-data", default="", help="http: the data ranges, packed by the engine (e.g. vSphere's "
                                                       "changed areas since '*' of a disk with change tracking)")
    p.add_argument("--ca-file", help="http: CA bundle that signed the source's certificate")
    p.add_argument("--insecure", action="store_true", help="http: do not verify the source's certificate")
    p.add_argument("--max-rate", type=int, default=0, help="read at most this many bytes per second (0: no limit)")
    p.add_argument("--thumbprint", default="", help="https: accept only the certificate with this SHA-1 fingerprint "
                                                     "(vSphere's way), instead of a CA")
    p.add_argument("--disk-id", help="a label echoed in the result")
    p.add_argument("--resume", action="store_true", help="go on from the checkpoint when there is one")
    p.add_argument("--checkpoint", help="checkpoint file (default: <target>.checkpoint for file targets)")
    p.add_argument("--retries", type=int, default=5, help="retries of a failing read before giving up (5)")
    p.add_argument("--retry-wait", type=float, default=10.0, help="seconds of backoff over all retries (10)")
    p.add_argument("--timeout", type=float, default=60.0,
                   help="http, nbd, nbdkit: seconds to connect (or for nbdkit to start) or to wait for bytes (60)")
    p.add_argument("--chunk-size", type=int, default=8 << 20, help="bytes per read (8 MiB)")
    p.add_argument("--termination-log", default=TERMINATION_LOG, help=f"where the result goes too ({TERMINATION_LOG})")
    p.add_argument("--selftest", action="store_true", help="write a known sparse pattern to --target")
    p.add_argument("--checkpoint-every", type=int, default=64, help=argparse.SUPPRESS)
    p.add_argument("--stop-after-chunks", type=int, help=argparse.SUPPRESS)
    return p


def check(args, parser) -> None:
    if args.source_kind is None:
        parser.error("--source-kind is required")
    if args.size is None or args.size < 0:
        parser.error("--size (bytes, >= 0) is required")
    if args.source_kind == "http" and not args.url:
        parser.error("--source-kind http needs --url")
    if args.source_kind in ("file", "vmdk") and not args.path:
        parser.error(f"--source-kind {args.source_kind} needs --path")
    if args.source_kind == "nbd" and not args.uri:
        parser.error("--source-kind nbd needs --uri")
    if args.source_kind == "nbdkit" and not args.nbdkit_plugin:
        parser.error("--source-kind nbdkit needs --nbdkit-plugin")
    if (args.extents_url or args.extents_file or args.extents_data) and args.source_kind != "http":
        parser.error("--extents-url, --extents-file and --extents-data go with --source-kind http")
    if args.member and args.source_kind != "vmdk":
        parser.error("--member goes with --source-kind vmdk")
    if args.chunk_size < 4096 or args.retries < 0 or args.retry_wait < 0 or args.checkpoint_every < 1:
        parser.error("--chunk-size must be >= 4096, --retries and --retry-wait >= 0")


def open_source(args, env):
    common = {"retries": args.retries, "retry_wait": args.retry_wait}
    if args.source_kind == "http":
        from mtvweb.pods.transfer.source_http import HttpSource

        return HttpSource(args.url, args.size, env=env, ca_file=args.ca_file, insecure=args.insecure,
                          thumbprint=args.thumbprint, timeout=args.timeout, extents_url=args.extents_url,
                          extents_file=args.extents_file, extents_data=args.extents_data, **common)
    if args.source_kind == "vmdk":
        from mtvweb.pods.transfer.source_vmdk import VmdkSource

        return VmdkSource(args.path, args.size, member=args.member, **common)
    if args.source_kind == "nbd":
        from mtvweb.pods.transfer.source_nbd import NbdSource, parse_uri

        address, export, host = parse_uri(args.uri)
        return NbdSource(address, export, args.size, host=host, label=args.uri, timeout=args.timeout, **common)
    if args.source_kind == "nbdkit":
        from mtvweb.pods.transfer.source_nbdkit import NbdkitSource

        return NbdkitSource(args.nbdkit_plugin, args.nbdkit_arg, args.size, env=env, timeout=args.timeout, **common)
    from mtvweb.pods.transfer.source_file import FileSource

    return FileSource(args.path, args.size, **common)


def transfer(args, env) -> dict:
    from mtvweb.pods.transfer.target import Target

    source = open_source(args, env)
    try:
        target = Target(args.target, args.size)
    except BaseException:
        source.close()  # an nbdkit it started stops now
        raise
    checkpoint = args.checkpoint or (None if target.block else f"{args.target}.checkpoint")
    locator = {"http": args.url, "nbd": args.uri,
               "nbdkit": " ".join([args.nbdkit_plugin or "", *args.nbdkit_arg])}.get(args.source_kind) \
        or os.path.abspath(args.path)
    if args.member:
        locator += f"#{args.member}"
    checkpoints = Checkpoints(checkpoint, disk=args.disk_id, source=source.label, key=source_key(locator),
                              size=args.size)
    options = Options(disk=args.disk_id, size=args.size, chunk_size=args.chunk_size, resume=args.resume,
                      checkpoint_every=args.checkpoint_every, stop_after_chunks=args.stop_after_chunks,
                      max_rate=args.max_rate)
    annotator = PodAnnotator.from_environment(env)
    try:
        return Copy(source, target, checkpoints, options, annotator and annotator.start()).run()
    finally:
        source.close()
        target.close()


def write_termination_log(path: str, text: str) -> None:
    """The Pod's terminationMessagePath: written when it exists (or was named on the command line)."""
    explicit = path != TERMINATION_LOG
    if not explicit and not (os.path.exists(path) and os.access(path, os.W_OK)):
        return
    try:
        with open(path, "w") as f:
            f.write(text[:MESSAGE_LIMIT])
    except OSError as exc:
        log(f"cannot write the termination message to {path}: {exc.strerror}")


def on_signal(number, frame):
    raise Interrupted(signal.Signals(number).name)


def termination_log_of(argv: list[str]) -> str:
    for index, word in enumerate(argv):
        if word == "--termination-log" and index + 1 < len(argv):
            return argv[index + 1]
        if word.startswith("--termination-log="):
            return word.split("=", 1)[1]
    return TERMINATION_LOG


def main(argv: list[str] | None = None, env=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    env = os.environ if env is None else env
    termination_log = termination_log_of(argv)
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        if args.selftest:
            print(json.dumps(selftest(args.target, DEFAULT_SIZE if args.size is None else args.size)), flush=True)
            return 0
        check(args, parser)
        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)
        result = transfer(args, env)
    except TransferError as exc:
        return fail(redact(str(exc)), termination_log)
    except Interrupted as exc:
        return fail(f"stopped by {exc} before the copy began", termination_log)
    except Exception as exc:  # a bug: the traceback helps, the last line still says what happened
        log(redact(traceback.format_exc()))
        return fail(redact(f"internal error: {type(exc).__name__}: {exc}"), termination_log)
    line = json.dumps(result)
    print(line, flush=True)
    write_termination_log(termination_log, line)
    return 0


def fail(message: str, termination_log: str) -> int:
    message = " ".join(message.split())  # one line
    log(f"error: {message}")
    write_termination_log(termination_log, f"error: {message}")
    return 1
