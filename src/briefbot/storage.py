"""Reading saved arrays without copying them: the members of an uncompressed ``.npz``.

``numpy.load`` reads every member of an ``.npz`` into memory; a saved index of a million
passages is hundreds of megabytes of them, most never touched by a question. An ``.npz``
written by ``numpy.savez`` stores each ``.npy`` member uncompressed at a known offset, so
each can be memory-mapped in place, read-only, shared by every process that opens the same
file. Each member's checksum is verified by reading it through the file (one sequential
pass, a fifth of a second for 400 MB in the page cache), so a damaged file is never
trusted, and the mapped pages become part of the process only as questions touch them. A
member that is compressed, or in a format this does not map, is read the ordinary way.
"""

from __future__ import annotations

import os
import struct
import zipfile
import zlib
from typing import Any

import numpy as np
from numpy.typing import NDArray

_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")  # a zip entry's local file header
_LOCAL_SIGNATURE = b"PK\x03\x04"
_CHUNK = 1 << 22  # bytes read at a time to check a member's checksum


def _crc32(f: Any, length: int, buffer: bytearray) -> int:
    """CRC-32 of the next ``length`` bytes of ``f`` (fewer when the file ends first)."""
    crc = 0
    view = memoryview(buffer)
    while length > 0:
        got = f.readinto(view[: min(length, len(buffer))])
        if not got:
            break
        crc = zlib.crc32(view[:got], crc)
        length -= got
    return crc


def load_npz(path: str | os.PathLike[str]) -> dict[str, NDArray[Any]]:
    """Every member of the ``.npz`` at ``path`` by name (without ``.npy``), mapped where
    it is stored uncompressed. Raises ``ValueError`` (or ``OSError``) when the file is not
    such an archive or a member lies outside it."""
    out: dict[str, NDArray[Any]] = {}
    size = os.path.getsize(path)
    chunk = bytearray(_CHUNK)
    with open(path, "rb") as f:
        try:
            archive = zipfile.ZipFile(f)
        except zipfile.BadZipFile as exc:
            raise ValueError(f"not an .npz archive ({exc})") from None
        with archive:
            for info in archive.infolist():
                name = info.filename.removesuffix(".npy")
                if info.compress_type != zipfile.ZIP_STORED:
                    with archive.open(info) as member:
                        out[name] = np.lib.format.read_array(member, allow_pickle=False)
                    continue
                f.seek(info.header_offset)
                header = f.read(_LOCAL_HEADER.size)
                if len(header) != _LOCAL_HEADER.size:
                    raise ValueError(f"member {name!r} is cut off")
                fields = _LOCAL_HEADER.unpack(header)
                if fields[0] != _LOCAL_SIGNATURE:
                    raise ValueError(f"member {name!r} has no local header")
                start = info.header_offset + _LOCAL_HEADER.size + fields[-2] + fields[-1]
                f.seek(start)
                try:
                    version = np.lib.format.read_magic(f)
                    if version not in ((1, 0), (2, 0)):
                        with archive.open(info) as member:
                            out[name] = np.lib.format.read_array(member, allow_pickle=False)
                        continue
                    read_header = (
                        np.lib.format.read_array_header_1_0
                        if version == (1, 0)
                        else np.lib.format.read_array_header_2_0
                    )
                    shape, fortran, dtype = read_header(f)
                except Exception as exc:  # a damaged header: numpy's parser raises many kinds
                    raise ValueError(f"member {name!r} has a damaged header ({exc!r})") from None
                if dtype.hasobject:
                    raise ValueError(f"member {name!r} holds objects")
                offset = f.tell()
                count = int(np.prod(shape, dtype=np.int64))
                if offset + count * dtype.itemsize != start + info.file_size:
                    raise ValueError(f"member {name!r} does not fill its entry")
                if offset + count * dtype.itemsize > size:
                    raise ValueError(f"member {name!r} is cut off")
                # the archive's checksum, read through the file rather than the mapping
                # (about 2 GB/s from the page cache): nothing damaged is trusted, and the
                # mapped pages join this process only when a question touches them
                f.seek(start)
                if _crc32(f, info.file_size, chunk) != info.CRC:
                    raise ValueError(f"member {name!r} is damaged (checksum)")
                if count == 0:
                    array = np.zeros(shape, dtype)
                else:
                    array = np.memmap(
                        path, dtype, "r", offset, shape, order="F" if fortran else "C"
                    ).view(np.ndarray)
                out[name] = array
    return out
