"""Writing files and folders so that nothing is ever half-written, with ordinary modes.

Every writer of the package goes through this module: a model export, a GIF, a COCO file, a
notebook, a download, a run's results and HTML report, a gradebook folder. Each writes to a
temporary name in the destination's own folder (same file system, so the rename is atomic)
and renames it into place only once complete; on any error, KeyboardInterrupt included, the
temporary file or folder is removed and the destination is left as it was.

Modes are those a plain ``open()`` or ``mkdir()`` would give: a new file gets
``0o666 & ~umask`` (0644 under the usual umask 022), a new folder ``0o777 & ~umask``, and a
file that is replaced keeps its mode. (``tempfile.mkstemp`` and ``mkdtemp`` make private
0600 and 0700 entries; left as they are, an exported model would be readable by its owner
alone.)

- :func:`atomic_path`: a temporary path to hand to a writer that wants a file name
  (``model.save``, Pillow, ``shutil.copyfile``);
- :func:`atomic_open`: a temporary file opened for writing (``json.dump``, a stream);
- :func:`write_bytes`, :func:`write_text`: the whole content at once;
- :func:`replace_folder`: a folder built beside its destination, then swapped in.
- :func:`replace_path`: a file or folder moved into place over an older one.

Standard library only: the command line imports this without TensorFlow.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any


def umask() -> int:
    """The process's umask, read without changing it where the system allows (Linux)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)  # elsewhere: read by setting, then restore at once
    os.umask(mask)
    return mask


def new_file_mode() -> int:
    """The mode ``open(path, "w")`` gives a new file: ``0o666 & ~umask``."""
    return 0o666 & ~umask()


def new_folder_mode() -> int:
    """The mode ``mkdir`` gives a new folder: ``0o777 & ~umask``."""
    return 0o777 & ~umask()


def _mode_for(path: Path) -> int:
    """The mode the file at ``path`` should end with: its own if it exists, as a plain
    ``open()`` of an existing file keeps it; else a new file's."""
    try:
        return path.stat().st_mode & 0o7777
    except FileNotFoundError:
        return new_file_mode()


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike, *, suffix: str = ".part") -> Iterator[Path]:
    """A temporary path beside ``path`` for a writer that wants a file name; on a normal exit
    it gets its final mode and is renamed to ``path``, on an error it is removed.

    The temporary file is ``.<name>.<random><suffix>`` and exists (empty) when the block
    starts; give a ``suffix`` ending in the real one for a writer that checks it:

        >>> with atomic_path("model.keras", suffix=".part.keras") as tmp:  # doctest: +SKIP
        ...     model.save(tmp)
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=suffix)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        os.chmod(tmp, _mode_for(path))
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


@contextlib.contextmanager
def atomic_open(path: str | os.PathLike, mode: str = "w", **kwargs: Any) -> Iterator[IO[Any]]:
    """``open()`` a temporary file beside ``path`` (``mode`` "w" or "wb", ``kwargs`` as for
    ``open``); once the block ends and the file is closed, rename it to ``path``. The
    temporary file's name is ``handle.name`` (to read it back before it is renamed)."""
    if mode not in ("w", "wb"):
        raise ValueError(f"atomic_open writes a whole new file: mode 'w' or 'wb', not {mode!r}")
    if mode == "w":
        kwargs.setdefault("encoding", "utf-8")
    with atomic_path(path) as tmp, open(tmp, mode, **kwargs) as handle:
        yield handle


def write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically; returns ``path`` as a Path."""
    with atomic_open(path, "wb") as handle:
        handle.write(data)
    return Path(path)


def write_text(path: str | os.PathLike, text: str, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` atomically; returns ``path`` as a Path."""
    with atomic_open(path, "w", encoding=encoding) as handle:
        handle.write(text)
    return Path(path)


@contextlib.contextmanager
def replace_folder(path: str | os.PathLike) -> Iterator[Path]:
    """An empty folder beside ``path`` to fill; when the block ends it takes ``path``'s place
    (an earlier folder there is removed only once the new one is in), and on an error it is
    removed and ``path`` is left as it was.

    The new folder gets a new folder's mode (``0o777 & ~umask``), not ``mkdtemp``'s 0700.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part"))
    try:
        os.chmod(staging, new_folder_mode())
        yield staging
        replace_path(staging, path)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def replace_path(source: str | os.PathLike, target: str | os.PathLike) -> Path:
    """Move the file or folder ``source`` to ``target`` (same file system), taking the place
    of whatever is there: a file over a file is replaced in one step; otherwise what is there
    (a folder, which ``os.replace`` refuses when it is not empty, or a file or link under a
    new folder) is moved aside first and removed once the new one is in, so ``target`` is
    never missing and never half old, half new."""
    source, target = Path(source), Path(target)
    folder_there = target.is_dir() and not target.is_symlink()
    if folder_there or (source.is_dir() and (target.exists() or target.is_symlink())):
        old = target.with_name(f".{target.name}.old-{os.getpid()}")
        _remove(old)
        os.replace(target, old)
        try:
            os.replace(source, target)
        except BaseException:
            os.replace(old, target)
            raise
        _remove(old)
    else:
        os.replace(source, target)
    return target


def _remove(path: Path) -> None:
    """Remove a folder tree, a file or a link at ``path``, if any; never raises."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(OSError):
            path.unlink(missing_ok=True)


__all__ = [
    "atomic_open",
    "atomic_path",
    "new_file_mode",
    "new_folder_mode",
    "replace_folder",
    "replace_path",
    "umask",
    "write_bytes",
    "write_text",
]
