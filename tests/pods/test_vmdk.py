"""`--source-kind vmdk`: disks made by qemu-img from sparse raw images of known content, read
alone or from inside an .ova, in both streamOptimized layouts (qemu-img's tables after the
header, vSphere's tables and footer at the end), monolithicSparse, monolithicFlat and raw;
damaged files fail with one line; and how fast a 256 MiB half-allocated disk decodes."""

from __future__ import annotations

import io
import json
import math
import os
import shutil
import struct
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import blake3
import pytest

from tests.engine.helpers import blake3_of

REPO = Path(__file__).resolve().parents[2]
KIB, MIB = 1 << 10, 1 << 20
SIZE = 24 * MIB + 4608  # not a whole number of 64 KiB grains: the last grain is partial
# (offset, length, kind): a boot area, a random extent not on a grain boundary, written zeros,
# text, and data in the partial last grain
EXTENTS = [(0, MIB, "text"), (3 * MIB + 1000, 2 * MIB, "random"), (9 * MIB, MIB, "zeros"),
           (13 * MIB + 64 * KIB, 3 * MIB, "text"), (SIZE - 3000, 3000, "random")]
HEADER = struct.Struct("<4sIIQQQQIQQQB4sH")
GD_AT_END = 0xFFFFFFFFFFFFFFFF

pytestmark = pytest.mark.skipif(shutil.which("qemu-img") is None, reason="needs qemu-img")


def extent_bytes(offset: int, length: int, kind: str) -> bytes:
    if kind == "zeros":
        return bytes(length)
    if kind == "random":
        return blake3.blake3(f"vmdk-test@{offset}".encode()).digest(length=length)
    line = f"mtvweb vmdk test, byte {offset}\n".encode()
    return (line * (length // len(line) + 1))[:length]


def write_raw(path: Path, size: int, extents) -> str:
    """A sparse raw image; returns the BLAKE3 of its full size."""
    with open(path, "wb") as f:
        f.truncate(size)
        for offset, length, kind in extents:
            f.seek(offset)
            f.write(extent_bytes(offset, length, kind))
    return file_blake3(path)


def file_blake3(path: Path, size: int | None = None) -> str:
    return blake3_of(path, os.path.getsize(path) if size is None else size)


def qemu_img(raw: Path, out: Path, subformat: str = "streamOptimized") -> Path:
    subprocess.run(["qemu-img", "convert", "-f", "raw", "-O", "vmdk", "-o", f"subformat={subformat}", str(raw),
                    str(out)], check=True, capture_output=True)
    return out


def vmware_layout(qemu_vmdk: Path, out: Path) -> Path:
    """The same disk the way vSphere streams it: header with gdOffset = GD_AT_END, grains,
    then grain-table markers and tables, the directory, a footer, end-of-stream. Read from
    qemu-img's file by walking its markers (its header-area tables are left out)."""
    data = qemu_vmdk.read_bytes()
    header = list(HEADER.unpack_from(data))
    capacity, grain, desc_offset, desc_size, per_gt, overhead = (header[3], header[4], header[5], header[6],
                                                                  header[7], header[10])
    grains, position = [], overhead * 512
    while True:
        lba, size = struct.unpack_from("<QI", data, position)
        if size == 0:
            assert struct.unpack_from("<I", data, position + 12)[0] == 0  # qemu-img writes only EOS
            break
        grains.append((lba, data[position + 12:position + 12 + size]))
        position += -(-(12 + size) // 512) * 512

    def sector_pad(blob: bytes) -> bytes:
        return blob + bytes(-len(blob) % 512)

    def marker(sectors: int, kind: int) -> bytes:
        return sector_pad(struct.pack("<QII", sectors, 0, kind))

    def packed_header(gd_offset: int) -> bytes:
        fields = list(header)
        fields[8], fields[9] = 0, gd_offset
        return sector_pad(HEADER.pack(*fields))

    body = bytearray(packed_header(GD_AT_END))
    body += data[desc_offset * 512:(desc_offset + desc_size) * 512]
    body += bytes(overhead * 512 - len(body))
    where = {}
    for lba, packed in grains:
        where[lba // grain] = len(body) // 512
        body += sector_pad(struct.pack("<QI", lba, len(packed)) + packed)
    tables = math.ceil(math.ceil(capacity / grain) / per_gt)
    directory = [0] * tables
    for number in range(tables):
        entries = [where.get(number * per_gt + i, 0) for i in range(per_gt)]
        if any(entries):
            body += marker(per_gt * 4 // 512, 1)
            directory[number] = len(body) // 512
            body += sector_pad(struct.pack(f"<{per_gt}I", *entries))
    gd_sectors = -(-tables * 4 // 512)
    body += marker(gd_sectors, 2)
    gd_offset = len(body) // 512
    body += sector_pad(struct.pack(f"<{tables}I", *directory))
    body += marker(1, 3) + packed_header(gd_offset) + bytes(512)
    out.write_bytes(body)
    return out


def make_ova(path: Path, members: dict[str, Path | bytes]) -> Path:
    """A USTAR archive, members in order (descriptor first, as vSphere writes it)."""
    with tarfile.open(path, "w", format=tarfile.USTAR_FORMAT) as tar:
        for name, content in members.items():
            if isinstance(content, Path):
                tar.add(content, arcname=name)
            else:
                info = tarfile.TarInfo(name)
                info.size = len(content)
                tar.addfile(info, io.BytesIO(content))
    return path


OVF = b"""<?xml version="1.0" encoding="UTF-8"?>
<Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1"><References>
<File ovf:href="test-disk1.vmdk" ovf:id="file1"/><File ovf:href="test-disk2.vmdk" ovf:id="file2"/>
</References></Envelope>
"""


class Run:
    def __init__(self, completed: subprocess.CompletedProcess, termination: Path):
        self.rc, self.stdout, self.stderr = completed.returncode, completed.stdout, completed.stderr
        self.termination = termination.read_text() if termination.exists() else ""

    @property
    def result(self) -> dict:
        return json.loads(self.stdout.strip().splitlines()[-1])

    @property
    def error(self) -> str:
        return self.stderr.strip().splitlines()[-1]


def transfer(tmp_path: Path, path: Path, target: Path, *extra, size: int = SIZE) -> Run:
    termination = tmp_path / f"termination-{time.monotonic_ns()}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SOURCE_", "POD_"))}
    completed = subprocess.run(
        [sys.executable, "-m", "mtvweb.pods.transfer", "--source-kind", "vmdk", "--path", str(path),
         "--target", str(target), "--size", str(size), "--disk-id", "d1", "--termination-log", str(termination),
         *map(str, extra)], cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    return Run(completed, termination)


@pytest.fixture(scope="module")
def images(tmp_path_factory):
    folder = tmp_path_factory.mktemp("vmdk")
    raw = folder / "disk.raw"
    digest = write_raw(raw, SIZE, EXTENTS)
    other = folder / "other.raw"
    other_digest = write_raw(other, 4 * MIB, [(0, 256 * KIB, "random"), (2 * MIB, 64 * KIB, "text")])
    stream = qemu_img(raw, folder / "test-disk1.vmdk")
    return {"folder": folder, "raw": raw, "blake3": digest, "stream": stream,
            "other": qemu_img(other, folder / "test-disk2.vmdk"), "other_blake3": other_digest,
            "vmware": vmware_layout(stream, folder / "vmware-layout.vmdk")}


def assert_copied(run: Run, target: Path, digest: str, size: int = SIZE) -> dict:
    assert run.rc == 0, run.stderr
    result = run.result
    assert result["blake3"] == digest == file_blake3(target, size)
    return result


def test_stream_optimized_vmdk_arrives_equal_and_sparse(images, tmp_path):
    target = tmp_path / "disk.img"
    result = assert_copied(transfer(tmp_path, images["stream"], target), target, images["blake3"])
    data = sum(length for _, length, kind in EXTENTS if kind != "zeros")
    assert data <= result["bytesWritten"] <= data + 8 * 64 * KIB  # holes and written zeros are not written
    assert os.stat(target).st_blocks * 512 <= data + 16 * 64 * KIB


def test_disks_inside_an_ova_are_read_in_place(images, tmp_path):
    ova = make_ova(tmp_path / "test.ova", {"test.ovf": OVF, "test-disk1.vmdk": images["stream"],
                                           "test-disk2.vmdk": images["other"]})
    first, second = tmp_path / "first.img", tmp_path / "second.img"
    run = transfer(tmp_path, ova, first, "--member", "test-disk1.vmdk")
    assert_copied(run, first, images["blake3"])
    assert "test.ova:test-disk1.vmdk" in run.stderr and "streamOptimized" in run.stderr
    assert_copied(transfer(tmp_path, ova, second, "--member", "test-disk2.vmdk", size=4 * MIB), second,
                  images["other_blake3"], 4 * MIB)
    missing = transfer(tmp_path, ova, tmp_path / "x.img", "--member", "test-disk3.vmdk")
    assert missing.rc == 1 and "has no member test-disk3.vmdk" in missing.error


def test_vsphere_layout_with_tables_and_footer_at_the_end(images, tmp_path):
    with open(images["vmware"], "rb") as f:
        assert HEADER.unpack(f.read(HEADER.size))[9] == GD_AT_END
    target = tmp_path / "disk.img"
    assert_copied(transfer(tmp_path, images["vmware"], target), target, images["blake3"])
    padded = tmp_path / "padded.vmdk"  # some writers pad the file after the end-of-stream marker
    padded.write_bytes(images["vmware"].read_bytes() + bytes(8 * KIB))
    assert_copied(transfer(tmp_path, padded, target), target, images["blake3"])


@pytest.mark.parametrize("subformat", ["monolithicSparse", "monolithicFlat", "raw"])
def test_other_formats_that_are_cheap_to_read(images, tmp_path, subformat):
    source = images["raw"] if subformat == "raw" else qemu_img(images["raw"], tmp_path / "src.vmdk", subformat)
    target = tmp_path / "disk.img"
    run = transfer(tmp_path, source, target)
    assert_copied(run, target, images["blake3"])
    assert (subformat if subformat != "raw" else "raw image") in run.stderr


def test_resume_continues_inside_the_compressed_stream(images, tmp_path):
    target = tmp_path / "disk.img"
    first = transfer(tmp_path, images["vmware"], target, "--chunk-size", 1 * MIB, "--checkpoint-every", 2,
                     "--stop-after-chunks", 7)
    assert first.rc == 3
    run = transfer(tmp_path, images["vmware"], target, "--chunk-size", 1 * MIB, "--resume")
    assert assert_copied(run, target, images["blake3"])["resumedFrom"] == 6 * MIB


def test_any_offset_reads_the_raw_bytes(images):
    from mtvweb.pods.transfer.source_vmdk import VmdkSource

    raw = images["raw"].read_bytes()
    for name in ("stream", "vmware"):
        source = VmdkSource(str(images[name]), SIZE)
        try:
            for offset, length in [(SIZE - 5000, 5000), (3 * MIB + 900, 70 * KIB), (0, 10), (9 * MIB - 7, 1 * MIB),
                                   (64 * KIB - 1, 2), (13 * MIB, 8 * MIB)]:
                assert source.read(offset, memoryview(bytearray(length))) == raw[offset:offset + length], (name, offset)
        finally:
            source.close()


def damaged(images, tmp_path, how: str) -> Path:
    stream, out = images["stream"].read_bytes(), tmp_path / "damaged.vmdk"
    overhead = HEADER.unpack_from(stream)[10] * 512
    lbas, position = [], overhead  # qemu-img's grains, in order: (position, size)
    while (size := struct.unpack_from("<QI", stream, position)[1]) != 0:
        lbas.append((position, size))
        position += -(-(12 + size) // 512) * 512
    big = max(lbas, key=lambda p: p[1])
    blob = bytearray(stream)
    if how == "truncated":
        blob = blob[:big[0] + 2000]
    elif how == "flipped-grain":
        for i in range(big[0] + 3000, big[0] + 3064):
            blob[i] ^= 0x5A
    elif how == "wrong-lba":
        struct.pack_into("<Q", blob, big[0], struct.unpack_from("<Q", blob, big[0])[0] + 128)
    elif how == "vsphere-truncated":
        blob = bytearray(images["vmware"].read_bytes()[:-1536])
    elif how == "not-a-vmdk":
        blob = bytearray(b"PK\x03\x04" + bytes(4092))
    elif how == "split-sparse":
        return qemu_img(images["raw"], tmp_path / "split.vmdk", "twoGbMaxExtentSparse")
    elif how == "truncated-ova":
        ova = make_ova(tmp_path / "cut.ova", {"test.ovf": OVF, "test-disk1.vmdk": images["stream"]})
        data = ova.read_bytes()
        (tmp_path / "damaged.ova").write_bytes(data[:len(data) // 2])
        return tmp_path / "damaged.ova"
    out.write_bytes(bytes(blob))
    return out


@pytest.mark.parametrize("how, words", [
    ("truncated", "is truncated or damaged"),
    ("flipped-grain", "does not decompress"),
    ("wrong-lba", "the grain table sends disk byte"),
    ("vsphere-truncated", "does not end with the footer"),
    ("not-a-vmdk", "is not a VMDK"),
    ("split-sparse", "is a twoGbMaxExtentSparse disk"),
    ("truncated-ova", "is truncated"),
])
def test_a_damaged_or_unknown_vmdk_fails_with_one_line(images, tmp_path, how, words):
    path = damaged(images, tmp_path, how)
    extra = ["--member", "test-disk1.vmdk"] if path.suffix == ".ova" else []
    run = transfer(tmp_path, path, tmp_path / "disk.img", *extra)
    assert run.rc == 1
    assert run.error.startswith("error: ") and words in run.error, run.error
    assert run.termination == run.error and "\n" not in run.termination
    assert "Traceback" not in run.stderr


def test_decode_speed_of_a_256_mib_half_allocated_disk(tmp_path, capsys):
    """Half of 256 MiB allocated in 4 MiB extents, alternately random (incompressible) and
    text; prints the decode rate in-process and the whole transfer's (no timing assert)."""
    from mtvweb.pods.transfer.source_vmdk import VmdkSource

    size = 256 * MIB
    extents = [(offset, 4 * MIB, "random" if (offset // (8 * MIB)) % 2 else "text")
               for offset in range(0, size, 8 * MIB)]
    raw = tmp_path / "big.raw"
    digest = write_raw(raw, size, extents)
    vmdk = qemu_img(raw, tmp_path / "big.vmdk")
    raw.unlink()
    started = time.monotonic()
    source, hasher, buffer = VmdkSource(str(vmdk), size), blake3.blake3(), memoryview(bytearray(8 * MIB))
    for offset in range(0, size, 8 * MIB):
        hasher.update(source.read(offset, buffer))
    source.close()
    decode = time.monotonic() - started
    assert hasher.hexdigest() == digest
    target = tmp_path / "big.img"
    started = time.monotonic()
    run = transfer(tmp_path, vmdk, target, size=size)
    whole = time.monotonic() - started
    assert_copied(run, target, digest, size)
    with capsys.disabled():
        print(f"\n256 MiB half-allocated streamOptimized VMDK ({os.path.getsize(vmdk) / MIB:.0f} MiB file): decode "
              f"{size / MIB / decode:.0f} MiB/s ({decode:.2f} s), whole transfer {size / MIB / whole:.0f} MiB/s "
              f"({whole:.2f} s, hashing, sparse writes and the read-back check included)")
