"""The one download function for the full data tier: cache, mirror, checksum, atomic writes;
and :func:`load_dataset`, which fetches a registered dataset if needed and loads it.

Files land in ``<cache>/<dataset>/<filename>``. The cache folder is ``$IMGCOURSE_CACHE`` if set,
else ``$XDG_CACHE_HOME/imgcourse``, else ``~/.cache/imgcourse``. On a machine without internet,
set ``IMGCOURSE_MIRROR`` to a base URL (or a folder) laid out like the cache,
``<mirror>/<dataset>/<filename>``: it is tried before the original URLs. A copy of another
machine's cache folder served with ``python -m http.server`` is such a mirror.

Introduced in notebook 00 (welcome: data tiers). Example::

    from imgcourse.data.download import fetch
    paths = fetch("fashion_mnist", progress=True)   # {filename: Path}

The imports go one way: this module reads the catalogue in :mod:`imgcourse.data.registry`,
which imports nothing from here.
"""

from __future__ import annotations

import http.client
import os
import sys
import tempfile
import urllib.error
import urllib.request
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from imgcourse import __version__, atomic
from imgcourse.data.registry import DatasetEntry, RemoteFile, get_dataset, resolve_loader
from imgcourse.packaged import sha256_file

ENV_CACHE = "IMGCOURSE_CACHE"
ENV_MIRROR = "IMGCOURSE_MIRROR"
_CHUNK_BYTES = 1 << 20
_USER_AGENT = f"imgcourse/{__version__} (course dataset download)"


class DownloadError(RuntimeError):
    """A dataset file could not be downloaded (or verified); the message says what to do.

    Attributes:
        dataset: the dataset name.
        filename: the file that failed.
        path: where the file would have been saved.
        attempts: ``(url, reason)`` for every URL tried, in order.
    """

    def __init__(
        self,
        message: str,
        *,
        dataset: str,
        filename: str,
        path: Path,
        attempts: Sequence[tuple[str, str]] = (),
    ) -> None:
        super().__init__(message)
        self.dataset = dataset
        self.filename = filename
        self.path = path
        self.attempts = list(attempts)


class _AttemptFailed(Exception):
    """One URL failed for a reason already worded for the user."""


def cache_dir() -> Path:
    """The cache folder: ``$IMGCOURSE_CACHE``, else ``$XDG_CACHE_HOME/imgcourse``, else
    ``~/.cache/imgcourse``. It is not created here."""
    override = os.environ.get(ENV_CACHE)
    if override:
        return Path(override).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "imgcourse"


def mirror_url() -> str | None:
    """The mirror base URL from ``$IMGCOURSE_MIRROR`` without a trailing slash, or None.

    A value without ``://`` is taken as a local folder and turned into a ``file://`` URL.
    """
    value = os.environ.get(ENV_MIRROR, "").strip()
    if not value:
        return None
    if "://" not in value:
        return Path(value).expanduser().resolve().as_uri()
    return value.rstrip("/")


def dataset_dir(
    name_or_entry: str | DatasetEntry, *, cache: str | os.PathLike | None = None
) -> Path:
    """The folder ``<cache>/<dataset>`` that holds a dataset's files."""
    entry = _entry(name_or_entry)
    return (Path(cache) if cache is not None else cache_dir()) / entry.name


def is_cached(
    name_or_entry: str | DatasetEntry,
    *,
    cache: str | os.PathLike | None = None,
    verify: bool = False,
) -> bool:
    """Whether every file of a dataset is in the cache with the expected size.

    With ``verify=True`` the sha256 is checked too (slow for large files).
    """
    entry = _entry(name_or_entry)
    folder = dataset_dir(entry, cache=cache)
    for remote in entry.files:
        target = folder / remote.filename
        if not target.is_file():
            return False
        if remote.size_bytes is not None and target.stat().st_size != remote.size_bytes:
            return False
        expected = remote.sha256 or _recorded_sha256(target)
        if verify and expected is not None and sha256_file(target) != expected:
            return False
    return True


def fetch(
    name_or_entry: str | DatasetEntry,
    *,
    cache: str | os.PathLike | None = None,
    timeout: float = 30,
    progress: bool = False,
) -> dict[str, Path]:
    """Download a full-tier dataset into the cache unless it is there; return its file paths.

    Each file is streamed into a temporary file beside its final place, its size and sha256
    are checked, and only then is it renamed into place, so the cache never holds a partial or
    corrupted file. URLs are tried in order (the ``IMGCOURSE_MIRROR`` one first). A cached file
    with the right checksum is not downloaded again; one with a wrong checksum is reported (a
    warning) and downloaded again.

    Args:
        name_or_entry: a registered dataset name or a ``DatasetEntry``.
        cache: the cache folder; default :func:`cache_dir`.
        timeout: seconds to wait for a server to answer or send more data.
        progress: print progress to stderr.

    Returns:
        ``{filename: path}`` with one path per ``RemoteFile`` of the entry.

    Raises:
        DownloadError: no URL gave a good file; the message names every URL tried and why it
            failed, the cache path, and what to do.
    """
    entry = _entry(name_or_entry)
    if entry.tier != "full" or not entry.files:
        raise ValueError(f"dataset {entry.name!r} is in the {entry.tier!r} tier: nothing to fetch")
    folder = dataset_dir(entry, cache=cache)
    paths: dict[str, Path] = {}
    for remote in entry.files:
        target = folder / remote.filename
        if not _cached_ok(entry, remote, target):
            _download(entry, remote, target, timeout=timeout, progress=progress)
        paths[remote.filename] = target
    return paths


def load_dataset(
    name: str, *, cache: str | os.PathLike | None = None, progress: bool = True, **kwargs: Any
) -> Any:
    """Load a registered dataset: what its loader returns, an
    :class:`~imgcourse.data.dataset.ImageSet` for all but ``skimage_photos`` (a dict of
    name -> image).

    A full-tier dataset is downloaded first if it is not in the cache (``cache`` and
    ``progress`` are passed to :func:`fetch`; builtin datasets ignore them). Other keyword
    arguments go to the loader, for example ``split="test"`` or ``image_size=128``.
    Introduced in notebook 00 (welcome: data tiers); also ``imgcourse.data.load_dataset``.
    """
    entry = get_dataset(name)
    loader = resolve_loader(entry)
    if entry.tier == "builtin":
        return loader(**kwargs)
    paths = fetch(entry, cache=cache, progress=progress)
    return loader(paths, **kwargs)


# --------------------------------------------------------------------------------------------


def _entry(name_or_entry: str | DatasetEntry) -> DatasetEntry:
    if isinstance(name_or_entry, DatasetEntry):
        return name_or_entry
    return get_dataset(name_or_entry)


def _sidecar(target: Path) -> Path:
    return target.with_name(target.name + ".sha256")


def _recorded_sha256(target: Path) -> str | None:
    """The checksum recorded at first download for a file with no published checksum."""
    sidecar = _sidecar(target)
    if not sidecar.is_file():
        return None
    words = sidecar.read_text().split()
    return words[0].lower() if words else None


def _expected_sha256(remote: RemoteFile, target: Path) -> str | None:
    return remote.sha256 or _recorded_sha256(target)


def _record_sha256(entry: DatasetEntry, remote: RemoteFile, target: Path, digest: str) -> None:
    sidecar = _sidecar(target)
    atomic.write_text(sidecar, f"{digest}  {remote.filename}\n")  # never half-written
    warnings.warn(
        f"{entry.name}/{remote.filename} has no published sha256; recorded {digest} in "
        f"{_sidecar(target)}. Later uses are checked against it; compare it with a trusted source.",
        stacklevel=4,
    )


def _cached_ok(entry: DatasetEntry, remote: RemoteFile, target: Path) -> bool:
    """True if ``target`` is a good copy; a bad copy is reported, removed, and False returned."""
    if not target.is_file():
        return False
    size = target.stat().st_size
    expected = _expected_sha256(remote, target)
    if remote.size_bytes is not None and size != remote.size_bytes:
        problem = f"has {size:,} bytes, expected {remote.size_bytes:,}"
    else:
        actual = sha256_file(target)
        if expected is None:  # placed by hand, nothing published or recorded: record it
            _record_sha256(entry, remote, target, actual)
            return True
        if actual == expected:
            return True
        problem = f"has sha256 {actual}, expected {expected}"
    warnings.warn(
        f"cached file {target} {problem}; removing it and downloading it again", stacklevel=3
    )
    target.unlink()
    return False


def _candidate_urls(entry: DatasetEntry, remote: RemoteFile) -> list[str]:
    mirror = mirror_url()
    urls = [f"{mirror}/{entry.name}/{remote.filename}"] if mirror else []
    return urls + [u for u in remote.urls if u not in urls]


def _download(
    entry: DatasetEntry, remote: RemoteFile, target: Path, *, timeout: float, progress: bool
) -> None:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=target.parent):  # can we write there? (root or not)
            pass
    except OSError as err:
        raise DownloadError(
            f"Cannot write to the cache folder {target.parent} for dataset {entry.name!r}: {err}. "
            f"Set {ENV_CACHE} to a folder you can write to.",
            dataset=entry.name,
            filename=remote.filename,
            path=target,
        ) from err
    attempts: list[tuple[str, str]] = []
    for url in _candidate_urls(entry, remote):
        if progress:
            print(f"Downloading {url}\n  to {target}", file=sys.stderr, flush=True)
        try:
            digest = _download_once(url, remote, target, timeout=timeout, progress=progress)
        except _AttemptFailed as err:
            attempts.append((url, str(err)))
        except urllib.error.HTTPError as err:
            attempts.append((url, f"HTTP error {err.code} {err.reason}"))
            err.close()
        except urllib.error.URLError as err:
            attempts.append((url, _reason(err.reason, timeout)))
        except (OSError, http.client.HTTPException) as err:
            attempts.append((url, _reason(err, timeout)))
        else:
            if remote.sha256 is None and _recorded_sha256(target) is None:
                _record_sha256(entry, remote, target, digest)
            return
        if progress:
            print(f"  failed: {attempts[-1][1]}", file=sys.stderr, flush=True)
    raise DownloadError(
        _failure_message(entry, remote, target, attempts),
        dataset=entry.name,
        filename=remote.filename,
        path=target,
        attempts=attempts,
    )


def _reason(err: object, timeout: float) -> str:
    if isinstance(err, TimeoutError):
        return f"timed out (no data for {timeout:g} s)"
    if isinstance(err, BaseException):
        text = str(err) or type(err).__name__
        return text if isinstance(err, OSError) else f"{type(err).__name__}: {text}"
    return str(err)


def _download_once(
    url: str, remote: RemoteFile, target: Path, *, timeout: float, progress: bool
) -> str:
    """Stream ``url`` into a temporary file, check it, rename it to ``target``; return sha256.

    On any failure, KeyboardInterrupt included, the temporary file is removed and the error
    re-raised.
    """
    try:
        request = urllib.request.Request(url, headers={"User-Agent": _USER_AGENT})
    except ValueError as err:
        raise _AttemptFailed(f"not a valid URL ({err})") from err
    expected = _expected_sha256(remote, target)
    # renamed to ``target`` only when the block ends without an error; any failure inside (a
    # check below, a broken connection, Ctrl-C) removes the partial file instead
    with atomic.atomic_path(target) as tmp_path:
        with (
            open(tmp_path, "wb") as tmp,
            urllib.request.urlopen(request, timeout=timeout) as response,
        ):
            announced = _content_length(response)
            if (
                remote.size_bytes is not None
                and announced is not None
                and announced != remote.size_bytes
            ):
                raise _AttemptFailed(
                    f"the server announces {announced:,} bytes but the file has "
                    f"{remote.size_bytes:,}: not the expected file"
                )
            received = 0
            total = remote.size_bytes or announced
            shown = -1
            while chunk := response.read(_CHUNK_BYTES):
                received += len(chunk)
                if remote.size_bytes is not None and received > remote.size_bytes:
                    raise _AttemptFailed(
                        f"received more than the expected {remote.size_bytes:,} bytes: "
                        "not the expected file"
                    )
                tmp.write(chunk)
                if progress and total:
                    percent = 100 * received // total
                    if percent != shown:
                        shown = percent
                        print(
                            f"\r  {percent:3d}% of {total / 1e6:,.1f} MB",
                            end="",
                            file=sys.stderr,
                            flush=True,
                        )
            if progress and total:
                print(file=sys.stderr, flush=True)
        expected_size = announced if announced is not None else remote.size_bytes
        if expected_size is not None and received != expected_size:
            raise _AttemptFailed(
                f"the transfer ended after {received:,} of {expected_size:,} bytes "
                "(truncated); the partial file was removed"
            )
        actual = sha256_file(tmp_path)  # read back from the disk: what is checked is what stays
        if expected is not None and actual != expected:
            raise _AttemptFailed(
                f"checksum mismatch: expected sha256 {expected}, got {actual}; "
                "the downloaded file was removed"
            )
    return actual


def _content_length(response: object) -> int | None:
    headers = getattr(response, "headers", None)
    value = headers.get("Content-Length") if headers is not None else None
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _failure_message(
    entry: DatasetEntry, remote: RemoteFile, target: Path, attempts: list[tuple[str, str]]
) -> str:
    size = f"{remote.size_bytes:,} bytes" if remote.size_bytes is not None else "size unknown"
    mirror = mirror_url()
    mirror_now = f" (it is now {mirror!r})" if mirror else ""
    checksum = f" Its sha256 must be {remote.sha256}." if remote.sha256 else ""
    recorded = _recorded_sha256(target) if remote.sha256 is None else None
    if recorded is not None:
        checksum = (
            f" Its sha256 was recorded at the first download in {_sidecar(target)}; if the "
            "file was updated upstream, delete that record and try again."
        )
    lines = [
        f"Could not download {remote.filename!r} of dataset {entry.name!r} ({size}).",
        "URLs tried:",
        *(f"  - {url}\n      {reason}" for url, reason in attempts),
        f"Cache path: {target}",
        "What to do:",
        "  - check the network connection (and any proxy) and try again;",
        f"  - or set {ENV_MIRROR} to the base URL (or folder) of a mirror that serves "
        f"<mirror>/{entry.name}/{remote.filename}{mirror_now};",
        f"  - or download the file by hand from one of the URLs above and place it at "
        f"{target}.{checksum}",
    ]
    return "\n".join(lines)
