"""The copy loop and its checkpoints in process (mtvweb.pods.transfer.copy, .checkpoint, .blocks):
a small sparse disk read from a file, written to a file target, with chunk sizes that leave a
short last chunk. Quick enough to run on every change; tests/pods/test_transfer.py runs the
same code as the Pod's process."""

from __future__ import annotations

import json
import os

import blake3
import pytest

from mtvweb.pods.transfer.blocks import nonzero_runs, same
from mtvweb.pods.transfer.checkpoint import Checkpoints, source_key
from mtvweb.pods.transfer.common import Interrupted, TransferError
from mtvweb.pods.transfer.copy import Copy, Options
from mtvweb.pods.transfer.source_file import FileSource
from mtvweb.pods.transfer.target import ZERO_BLOCK, Target

KIB, MIB = 1 << 10, 1 << 20
SIZE = 5 * MIB + 100 * KIB  # the last 1 MiB chunk is short
CHUNK = MIB
# (offset, length) of the data; zeros elsewhere (holes in the file)
EXTENTS = [(0, 64 * KIB), (MIB + 4 * KIB, 300 * KIB), (3 * MIB, MIB + 512 * KIB), (SIZE - 10 * KIB, 10 * KIB)]


def digest(path, length=SIZE) -> str:
    with open(path, "rb") as f:
        return blake3.blake3(f.read(length)).hexdigest()


def write_disk(path, extents=EXTENTS, size=SIZE):
    with open(path, "wb") as f:
        f.truncate(size)
        for offset, length in extents:
            f.seek(offset)
            f.write(os.urandom(length))
    return path


@pytest.fixture
def disk(tmp_path):
    return write_disk(tmp_path / "disk.raw")


class Run:
    """One copy of `source` into `target`, the way cli.transfer assembles it."""

    def __init__(self, source, target, checkpoint=None, size=SIZE, **options):
        self.source = FileSource(str(source), size, retries=1, retry_wait=0.01)
        self.target = Target(str(target), size)
        self.checkpoints = Checkpoints(checkpoint and str(checkpoint), disk="disk-1", source=str(source),
                                       key=source_key(str(source)), size=size)
        self.copy = Copy(self.source, self.target, self.checkpoints,
                         Options(disk="disk-1", size=size, **{"chunk_size": CHUNK, **options}))

    def __call__(self) -> dict:
        try:
            return self.copy.run()
        finally:
            self.source.close()
            self.target.close()


def copy(source, target, checkpoint=None, **options) -> dict:
    return Run(source, target, checkpoint, **options)()


def test_a_copy_is_byte_for_byte_sparse_and_reported(disk, tmp_path):
    target = tmp_path / "disk.img"
    result = copy(disk, target)
    assert result["blake3"] == digest(disk) == digest(target)
    assert target.stat().st_size == SIZE
    assert result["size"] == SIZE and result["disk"] == "disk-1" and result["bytesRead"] == SIZE
    data = sum(length for _, length in EXTENTS)
    assert data <= result["bytesWritten"] <= data + len(EXTENTS) * 2 * ZERO_BLOCK
    assert target.stat().st_blocks * 512 <= 2 * data  # the holes stayed holes
    assert result["skipped"] is False and result["resumedFrom"] == 0 and result["retries"] == 0
    assert 0 <= result["seconds"] < 60


@pytest.mark.parametrize("chunk", [CHUNK, 3 * 64 * KIB, SIZE, 2 * SIZE])
def test_every_chunk_size_gives_the_same_bytes(disk, tmp_path, chunk):
    target = tmp_path / "disk.img"
    assert copy(disk, target, chunk_size=chunk)["blake3"] == digest(disk) == digest(target)


def test_an_empty_disk_writes_nothing(tmp_path):
    source = write_disk(tmp_path / "empty.raw", extents=[])
    result = copy(source, tmp_path / "disk.img")
    assert result["bytesWritten"] == 0 and result["blake3"] == digest(source)


def test_a_target_that_held_something_else_ends_as_the_source(disk, tmp_path):
    target = tmp_path / "disk.img"
    target.write_bytes(os.urandom(SIZE))
    assert copy(disk, target)["blake3"] == digest(target) == digest(disk)


def test_a_finished_copy_leaves_a_done_checkpoint_and_a_second_run_reads_nothing(disk, tmp_path):
    target, checkpoint = tmp_path / "disk.img", tmp_path / "disk.ckpt"
    first = copy(disk, target, checkpoint)
    saved = json.loads(checkpoint.read_text())
    assert saved["done"] is True and saved["offset"] == SIZE and saved["blake3"] == first["blake3"]
    assert (saved["disk"], saved["source"], saved["size"]) == ("disk-1", str(disk), SIZE)
    assert saved["version"] == 1 and saved["prefixBlake3"] == first["blake3"]  # the format checkpoint.py documents
    again = copy(disk, target, checkpoint, resume=True)
    assert again["skipped"] is True and again["bytesRead"] == 0 and again["resumedFrom"] == SIZE
    assert again["blake3"] == first["blake3"]
    # Without --resume the copy is done again from the start.
    assert copy(disk, target, checkpoint)["bytesRead"] == SIZE


def test_a_finished_checkpoint_whose_target_changed_is_copied_again(disk, tmp_path):
    target, checkpoint = tmp_path / "disk.img", tmp_path / "disk.ckpt"
    copy(disk, target, checkpoint)
    with open(target, "r+b") as f:
        f.seek(SIZE - 1)
        f.write(b"\x01")
    again = copy(disk, target, checkpoint, resume=True)
    assert again["skipped"] is False and again["resumedFrom"] == 0 and again["bytesRead"] == SIZE
    assert digest(target) == digest(disk)


def partial(disk, target, checkpoint, offset):
    """What a copy killed after `offset` bytes leaves: the target's first bytes and a checkpoint."""
    copy(disk, target)
    with open(target, "r+b") as f:
        f.truncate(offset)
        f.truncate(SIZE)
    with open(disk, "rb") as f:
        prefix = blake3.blake3(f.read(offset)).hexdigest()
    Checkpoints(str(checkpoint), disk="disk-1", source=str(disk), key=source_key(str(disk)), size=SIZE).save(
        offset, prefix)


def test_resume_reads_only_what_the_checkpoint_does_not_cover(disk, tmp_path):
    target, checkpoint = tmp_path / "disk.img", tmp_path / "disk.ckpt"
    partial(disk, target, checkpoint, 2 * CHUNK)
    result = copy(disk, target, checkpoint, resume=True)
    assert result["resumedFrom"] == 2 * CHUNK and result["bytesRead"] == SIZE - 2 * CHUNK
    assert result["blake3"] == digest(disk) == digest(target)  # the hash still covers the whole disk
    assert json.loads(checkpoint.read_text())["done"] is True


def test_resume_with_less_than_a_chunk_left(disk, tmp_path):
    target, checkpoint = tmp_path / "disk.img", tmp_path / "disk.ckpt"
    partial(disk, target, checkpoint, 5 * CHUNK)  # 100 KiB to go
    result = copy(disk, target, checkpoint, resume=True)
    assert result["resumedFrom"] == 5 * CHUNK and result["bytesRead"] == SIZE - 5 * CHUNK
    assert result["blake3"] == digest(disk) == digest(target)


def test_resume_starts_over_when_the_target_lost_its_prefix(disk, tmp_path):
    target, checkpoint = tmp_path / "disk.img", tmp_path / "disk.ckpt"
    partial(disk, target, checkpoint, 2 * CHUNK)
    with open(target, "r+b") as f:
        f.write(b"\xff")
    result = copy(disk, target, checkpoint, resume=True)
    assert result["resumedFrom"] == 0 and result["bytesRead"] == SIZE and digest(target) == digest(disk)


def test_resume_without_a_checkpoint_file_starts_at_zero(disk, tmp_path, capsys):
    result = copy(disk, tmp_path / "disk.img", tmp_path / "none.ckpt", resume=True)
    assert result["resumedFrom"] == 0 and result["bytesRead"] == SIZE
    assert "checkpoint" not in capsys.readouterr().err  # no checkpoint yet is nothing to warn about
    result = copy(disk, tmp_path / "other.img", None, resume=True)
    assert result["resumedFrom"] == 0 and result["blake3"] == digest(disk)


@pytest.mark.parametrize("broken", [
    "not json", json.dumps([1]), json.dumps({"version": 2, "offset": 0}),
    "other size", "other source", "offset past the end", "negative offset", "offset not a number"])
def test_a_checkpoint_that_cannot_be_trusted_means_starting_over(disk, tmp_path, broken):
    target, checkpoint = tmp_path / "disk.img", tmp_path / "disk.ckpt"
    partial(disk, target, checkpoint, 2 * CHUNK)
    saved = json.loads(checkpoint.read_text())
    changes = {"other size": {"size": SIZE + 1}, "other source": {"sourceKey": source_key("/elsewhere")},
               "offset past the end": {"offset": SIZE + 1}, "negative offset": {"offset": -1},
               "offset not a number": {"offset": "1048576"}}
    checkpoint.write_text(json.dumps({**saved, **changes[broken]}) if broken in changes else broken)
    result = copy(disk, target, checkpoint, resume=True)
    assert result["resumedFrom"] == 0 and result["bytesRead"] == SIZE and digest(target) == digest(disk)


def test_checkpoints_are_saved_as_the_copy_goes(disk, tmp_path, monkeypatch):
    saved = []
    original = Checkpoints.save

    def recording(self, offset, prefix, done=False):
        saved.append((offset, done))
        original(self, offset, prefix, done)

    monkeypatch.setattr(Checkpoints, "save", recording)
    copy(disk, tmp_path / "disk.img", tmp_path / "disk.ckpt", checkpoint_every=2)
    assert saved == [(2 * CHUNK, False), (4 * CHUNK, False), (SIZE, True)]
    saved.clear()
    copy(disk, tmp_path / "disk.img", tmp_path / "disk.ckpt", checkpoint_every=100, checkpoint_seconds=0)
    assert saved == [(n * CHUNK, False) for n in range(1, 6)] + [(SIZE, True)]
    saved.clear()
    copy(disk, tmp_path / "disk.img", None, checkpoint_every=1)  # no checkpoint file: nothing saved
    assert saved == [(SIZE, True)] and not (tmp_path / "disk.img.checkpoint").exists()


@pytest.mark.parametrize("dropped", ["first", "last"])
def test_storage_that_drops_a_write_is_caught_by_the_read_back(disk, tmp_path, monkeypatch, dropped):
    target, checkpoint = tmp_path / "disk.img", tmp_path / "disk.ckpt"
    original, lost = Target._write, []

    def lossy(self, offset, data):  # acknowledges the write and keeps nothing
        if not lost and (offset == 0 if dropped == "first" else offset + len(data) == SIZE):
            lost.append(offset)
            return len(data)
        return original(self, offset, data)

    monkeypatch.setattr(Target, "_write", lossy)
    with pytest.raises(TransferError) as caught:
        copy(disk, target, checkpoint)
    assert f"the bytes read back from {target} at byte {lost[0]} differ from the source's" in str(caught.value)
    monkeypatch.undo()
    result = copy(disk, target, checkpoint, resume=True)
    assert result["blake3"] == digest(disk) == digest(target)


class FailingAt:
    """The file source, failing for good once a read reaches `offset`."""

    def __init__(self, offset, error=TransferError):
        self.offset, self.error = offset, error

    def install(self, monkeypatch):
        original = FileSource.read
        offset, error = self.offset, self.error

        def read(source, at, view):
            if at >= offset:
                raise error("the source went away") if error is TransferError else error("SIGTERM")
            return original(source, at, view)

        monkeypatch.setattr(FileSource, "read", read)


def test_a_failing_source_leaves_a_checkpoint_at_the_last_verified_byte(disk, tmp_path, monkeypatch):
    target, checkpoint = tmp_path / "disk.img", tmp_path / "disk.ckpt"
    FailingAt(3 * CHUNK).install(monkeypatch)
    with pytest.raises(TransferError, match="the source went away"):
        copy(disk, target, checkpoint, checkpoint_every=100)
    saved = json.loads(checkpoint.read_text())
    assert saved["offset"] == 3 * CHUNK and saved["done"] is False
    monkeypatch.undo()
    result = copy(disk, target, checkpoint, resume=True)
    assert result["resumedFrom"] == 3 * CHUNK and result["blake3"] == digest(disk) == digest(target)


def test_a_source_failing_before_the_first_chunk_leaves_no_checkpoint(disk, tmp_path, monkeypatch):
    target, checkpoint = tmp_path / "disk.img", tmp_path / "disk.ckpt"
    partial(disk, target, checkpoint, 2 * CHUNK)  # an earlier run's, which starting over makes untrue
    FailingAt(0).install(monkeypatch)
    with pytest.raises(TransferError):
        copy(disk, target, checkpoint)
    assert not checkpoint.exists()


def test_a_checkpoint_that_cannot_be_written_is_given_up_once(disk, tmp_path, capsys):
    checkpoint = tmp_path / "missing-folder" / "disk.ckpt"
    result = copy(disk, tmp_path / "disk.img", checkpoint, checkpoint_every=1)
    assert result["blake3"] == digest(disk) and not checkpoint.exists()
    assert capsys.readouterr().err.count(f"cannot write the checkpoint {checkpoint}") == 1


def test_a_stopped_copy_says_where_to_resume_from(disk, tmp_path, monkeypatch):
    FailingAt(3 * CHUNK, error=Interrupted).install(monkeypatch)
    with pytest.raises(TransferError) as stopped:
        copy(disk, tmp_path / "disk.img", tmp_path / "disk.ckpt", checkpoint_every=2)
    assert str(stopped.value) == (f"stopped by SIGTERM at byte {3 * CHUNK} of {SIZE}; --resume goes on from "
                                  f"byte {2 * CHUNK}")
    with pytest.raises(TransferError, match="there is no checkpoint to resume from"):
        copy(disk, tmp_path / "other.img", None)
    with pytest.raises(TransferError, match=f"stopped by SIGTERM at byte {3 * CHUNK} of {SIZE}; --resume goes on "
                                            "from byte 0$"):
        copy(disk, tmp_path / "third.img", tmp_path / "third.ckpt", checkpoint_every=100)


class Clock:
    """copy.py's clock, moved only by its sleeps: the copy itself takes no time."""

    def __init__(self):
        self.now, self.sleeps = 1000.0, []

    def monotonic(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


def test_the_rate_limit_holds_the_copy_back(disk, tmp_path, monkeypatch):
    import mtvweb.pods.transfer.copy as module

    clock = Clock()
    monkeypatch.setattr(module, "time", clock)
    copy(disk, tmp_path / "disk.img", max_rate=4 * MIB)
    # never ahead of 4 MiB/s: after each chunk it has waited until that chunk was due
    assert len(clock.sleeps) == 6 and clock.now - 1000 == pytest.approx(SIZE / (4 * MIB))
    assert clock.sleeps[0] == pytest.approx(CHUNK / (4 * MIB))
    clock.sleeps.clear()
    copy(disk, tmp_path / "disk.img")
    assert clock.sleeps == []


class Annotator:
    """Stands in for the Pod's progress annotation (progress.PodAnnotator)."""

    def __init__(self):
        self.updates, self.closed = [], False

    def update(self, done, total, written):
        self.updates.append((done, total, written))

    def close(self):
        self.closed = True


def test_progress_reaches_the_pod_annotation_chunk_by_chunk_and_at_the_end(disk, tmp_path):
    annotator = Annotator()
    run = Run(disk, tmp_path / "disk.img")
    run.copy.annotator = annotator
    result = run()
    done = [d for d, _, _ in annotator.updates]
    assert done[:5] == [CHUNK, 2 * CHUNK, 3 * CHUNK, 4 * CHUNK, 5 * CHUNK] and done[-1] == SIZE
    assert annotator.updates[-1] == (SIZE, SIZE, result["bytesWritten"]) and annotator.closed


def test_a_resumed_copy_is_held_to_the_rate_for_what_it_reads(disk, tmp_path, monkeypatch):
    import mtvweb.pods.transfer.copy as module

    target, checkpoint = tmp_path / "disk.img", tmp_path / "disk.ckpt"
    partial(disk, target, checkpoint, 3 * CHUNK)
    clock = Clock()
    monkeypatch.setattr(module, "time", clock)
    copy(disk, target, checkpoint, resume=True, max_rate=4 * MIB)
    assert clock.now - 1000 == pytest.approx((SIZE - 3 * CHUNK) / (4 * MIB))


# --- blocks --------------------------------------------------------------------------------------


def buffer(size, data_at=()):
    raw = bytearray(size)
    for offset, length in data_at:
        raw[offset:offset + length] = b"\x07" * length
    return memoryview(raw)


@pytest.mark.parametrize("size,data_at,runs", [
    (4 * 64, [], []),
    (4 * 64, [(0, 1)], [(0, 64)]),
    (4 * 64, [(63, 2)], [(0, 128)]),
    (4 * 64, [(64, 64), (192, 64)], [(64, 128), (192, 256)]),
    (4 * 64, [(255, 1)], [(192, 256)]),
    (4 * 64 + 10, [(256, 1)], [(256, 266)]),  # a short last block
    (4 * 64 + 10, [(200, 1), (265, 1)], [(192, 266)]),
    (10, [(9, 1)], [(0, 10)]),
    (10, [], []),
])
def test_nonzero_runs(size, data_at, runs):
    assert nonzero_runs(buffer(size, data_at), 64) == runs


def test_same_compares_every_byte():
    a = buffer(4096, [(100, 10)])
    assert same(a, buffer(4096, [(100, 10)]))
    assert not same(a, buffer(4096, [(100, 11)]))
    assert not same(a, buffer(4095, [(100, 10)]))
    assert same(buffer(13, [(12, 1)]), buffer(13, [(12, 1)]))  # not a multiple of the word size
    assert not same(buffer(13, [(12, 1)]), buffer(13))
