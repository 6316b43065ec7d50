"""Reading ``.npz`` files written by ``save`` safely: headers first, no pickle, clear errors.

``np.load`` allocates an array from the shape in its header before reading the data, so a
crafted header (``shape=(10**9, 10**9)``) makes it try to allocate terabytes. Here every
member's header is read and checked against what the caller expects, and against the bytes the
file really holds, before any array is loaded.
"""

from __future__ import annotations

import math
import os
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
from numpy.lib import format as npy_format

__all__ = ["BadFileError", "check_weights", "guard", "npz_path", "read_headers"]


class BadFileError(ValueError):
    """A saved-network file that is damaged, crafted or not what the loader expects."""


def npz_path(path: str | os.PathLike[str]) -> Path:
    """``path``, or ``path + ".npz"`` when only that exists (as :func:`numpy.savez` names it)."""
    path = Path(path)
    if not path.exists() and path.with_name(path.name + ".npz").exists():
        path = path.with_name(path.name + ".npz")
    if not path.is_file():
        raise FileNotFoundError(f"No saved network at {path} (nor {path}.npz).")
    return path


def read_headers(path: Path) -> dict[str, tuple[tuple[int, ...], np.dtype]]:
    """``{name: (shape, dtype)}`` of every array in the ``.npz`` file, without reading data.

    Raises
    ------
    BadFileError
        If a header cannot be parsed or claims more bytes than the member holds.
    """
    headers: dict[str, tuple[tuple[int, ...], np.dtype]] = {}
    with zipfile.ZipFile(path) as zf:
        for info in zf.infolist():
            if not info.filename.endswith(".npy"):
                continue
            with zf.open(info) as fp:
                version = npy_format.read_magic(fp)
                read = (
                    npy_format.read_array_header_1_0
                    if version == (1, 0)
                    else npy_format.read_array_header_2_0
                )
                shape, _, dtype = read(fp)
            name = info.filename[: -len(".npy")]
            needed = math.prod(shape) * dtype.itemsize
            if not dtype.hasobject and needed > info.file_size:
                raise BadFileError(
                    f"{path}: array {name!r} claims shape {shape} ({needed} bytes) but the file "
                    f"holds only {info.file_size} bytes for it; the file is damaged or crafted."
                )
            headers[name] = (tuple(shape), dtype)
    return headers


@contextmanager
def guard(path: Path, what: str) -> Iterator[None]:
    """Turn every way a damaged file fails into a ``ValueError`` naming the file.

    EOFError, BadZipFile, MemoryError, KeyError, zlib, OS and NumPy format errors (including
    ``np.load(allow_pickle=False)`` refusing a pickled object array) become
    :class:`BadFileError` saying the file cannot be read as ``what``.
    """
    try:
        yield
    except BadFileError:
        raise
    except (
        EOFError,
        zipfile.BadZipFile,
        MemoryError,
        KeyError,
        zlib.error,
        ValueError,
        OSError,
    ) as exc:
        raise BadFileError(f"{path} cannot be read as {what}: {type(exc).__name__}: {exc}") from exc


def check_weights(path: Path, name: str, array: Any, shape: tuple[int, ...]) -> np.ndarray:
    """``array`` if it has ``shape``, a real floating dtype and finite values; else BadFileError."""
    arr = np.asarray(array)
    if arr.shape != shape or arr.dtype.kind != "f":
        raise BadFileError(
            f"{path}: array {name!r} must be floating point of shape {shape}, "
            f"got {arr.dtype} of shape {arr.shape}."
        )
    if not np.all(np.isfinite(arr)):
        raise BadFileError(f"{path}: array {name!r} contains NaN or infinity.")
    return arr
