"""The extents a source gives (ovirt-imageio's listing): which ranges are fetched and which are
known zeros; zero gaps under a MiB between data are fetched rather than asked for separately."""

from mtvweb.pods.transfer.extents import MERGE, Extents

MIB = 1 << 20


def listing(*runs):
    return [{"start": a, "length": b - a, "zero": zero} for a, b, zero in runs]


def test_zero_ranges_are_not_fetched_and_small_gaps_are():
    size = 64 * MIB
    extents = Extents.from_listing(listing((0, MIB, False), (MIB, MIB + 4096, True), (MIB + 4096, 2 * MIB, False),
                                           (2 * MIB, 40 * MIB, True), (40 * MIB, 41 * MIB, False),
                                           (41 * MIB, size, True)), size)
    assert extents.runs == [(0, 2 * MIB), (40 * MIB, 41 * MIB)]  # the 4 KiB gap is read with its neighbours
    assert extents.data_bytes == 3 * MIB
    assert extents.run(0, 8 * MIB) == (2 * MIB, False)
    assert extents.run(2 * MIB, 8 * MIB) == (8 * MIB, True)
    assert extents.run(39 * MIB, 48 * MIB) == (40 * MIB, True)
    assert extents.run(40 * MIB + 5, 48 * MIB) == (41 * MIB, False)
    assert extents.run(41 * MIB, 48 * MIB) == (48 * MIB, True)
    assert extents.data_end(40 * MIB + 5) == 41 * MIB
    assert MERGE == MIB


def test_everything_is_data_without_a_listing():
    extents = Extents.everything(10 * MIB)
    assert extents.run(3, 10 * MIB) == (10 * MIB, False) and extents.data_end(3) == 10 * MIB


def test_a_listing_past_the_disk_is_cut_and_an_unordered_one_refused():
    extents = Extents.from_listing(listing((0, 20 * MIB, False)), 10 * MIB)
    assert extents.runs == [(0, 10 * MIB)]
    try:
        Extents.from_listing(listing((5 * MIB, 6 * MIB, False), (5 * MIB + 10, 5 * MIB + 20, False),
                                     (MIB, 2 * MIB, False)), 10 * MIB)
    except ValueError as exc:
        assert "not in order" in str(exc)
    else:
        raise AssertionError("an unordered listing was taken")


def test_packed_runs_come_back_as_a_listing():
    from mtvweb.pods.transfer.extents import decode, encode

    runs = [(0, MIB), (5 * MIB, 5 * MIB + 4096), (1 << 40, (1 << 40) + 65536)]
    packed = encode(runs)
    assert packed.isascii() and " " not in packed
    assert Extents.from_listing(decode(packed), 2 << 40).runs == runs
