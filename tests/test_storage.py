"""Saved arrays are mapped from an .npz, not read, and read back exactly."""

from __future__ import annotations

import numpy as np
import pytest

from briefbot.storage import load_npz

ARRAYS = {
    "ints": np.arange(1000, dtype=np.int32),
    "floats": np.linspace(0, 1, 777),
    "pairs": np.arange(40, dtype=np.int64).reshape(20, 2),
    "fortran": np.asfortranarray(np.arange(12, dtype=np.float32).reshape(3, 4)),
    "empty": np.zeros(0, dtype=np.int64),
    "flags": np.array([True, False, True]),
    "bytes": np.frombuffer("naïve terms".encode(), dtype=np.uint8),
}


def _check(found: dict) -> None:
    assert set(found) == set(ARRAYS)
    for name, a in ARRAYS.items():
        assert found[name].dtype == a.dtype and found[name].shape == a.shape
        np.testing.assert_array_equal(found[name], a)


def test_members_are_mapped_and_equal(tmp_path):
    path = tmp_path / "a.npz"
    np.savez(path, **ARRAYS)
    found = load_npz(path)
    _check(found)
    assert isinstance(found["ints"].base, np.memmap)  # mapped from the file, not copied
    assert not found["floats"].flags.writeable


def test_a_compressed_archive_is_read_the_ordinary_way(tmp_path):
    path = tmp_path / "c.npz"
    np.savez_compressed(path, **ARRAYS)
    _check(load_npz(path))


@pytest.mark.parametrize("keep", [0.3, 0.9, 0.999])
def test_a_cut_off_archive_is_refused(tmp_path, keep):
    path = tmp_path / "a.npz"
    np.savez(path, **ARRAYS)
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])
    with pytest.raises(ValueError):
        load_npz(path)


def test_not_an_archive_is_refused(tmp_path):
    path = tmp_path / "x.npz"
    path.write_bytes(b"not a zip file at all")
    with pytest.raises(ValueError):
        load_npz(path)
