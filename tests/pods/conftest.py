import os

import pytest

from tests.pods.test_transfer import EXTENTS, SIZE


@pytest.fixture
def disk(tmp_path):
    """A sparse raw disk of SIZE bytes with random data in EXTENTS, holes elsewhere."""
    path = tmp_path / "source" / "disk.raw"
    path.parent.mkdir()
    with open(path, "wb") as f:
        f.truncate(SIZE)
        for offset, length in EXTENTS:
            f.seek(offset)
            f.write(os.urandom(length))
    return path
