"""Tests for imgcourse.data.download against a local HTTP server on 127.0.0.1 (no internet)."""

from __future__ import annotations

import gzip
import hashlib
import http.client
import http.server
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pytest

from imgcourse.data import download, registry
from imgcourse.data.dataset import ImageSet
from imgcourse.data.download import (
    DownloadError,
    cache_dir,
    fetch,
    is_cached,
    load_dataset,
    mirror_url,
)
from imgcourse.data.registry import DatasetEntry, RemoteFile, register_dataset

PAYLOAD = bytes(range(256)) * 40  # 10,240 bytes
PAYLOAD_SHA = hashlib.sha256(PAYLOAD).hexdigest()


@dataclass
class FixtureServer:
    """A local HTTP server; ``routes`` maps a path to ``(mode, body)``.

    Modes: ``"ok"`` serves the body; ``"404"`` answers Not Found; ``"500"`` answers Internal
    Server Error; ``"truncate"`` announces more bytes than it sends, then closes the
    connection; ``"stall"`` sends half the body, then waits ``stall_seconds`` before the rest;
    ``"slow"`` sends the body in ten pieces ``stall_seconds / 10`` apart; ``"loop"`` redirects
    to itself. Unknown paths get 404.
    """

    base: str
    routes: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)
    stall_seconds: float = 3.0

    def url(self, path: str) -> str:
        return self.base + path


@pytest.fixture
def server() -> Iterator[FixtureServer]:
    state = FixtureServer(base="")

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            state.requests.append(self.path)
            mode, body = state.routes.get(self.path, ("404", b""))
            if mode in ("404", "500"):
                self.send_error(int(mode))
                return
            if mode == "loop":
                self.send_response(302)
                self.send_header("Location", self.path)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            extra = 1000 if mode == "truncate" else 0
            self.send_header("Content-Length", str(len(body) + extra))
            self.end_headers()
            try:
                if mode == "stall":
                    half = len(body) // 2
                    self.wfile.write(body[:half])
                    self.wfile.flush()
                    time.sleep(state.stall_seconds)
                    self.wfile.write(body[half:])
                elif mode == "slow":
                    step = -(-len(body) // 10)
                    for start in range(0, len(body), step):
                        self.wfile.write(body[start : start + step])
                        self.wfile.flush()
                        time.sleep(state.stall_seconds / 10)
                else:
                    self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout test)
            self.close_connection = True

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass  # keep test output quiet

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    state.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test sees the user's mirror or cache settings."""
    monkeypatch.delenv("IMGCOURSE_MIRROR", raising=False)
    monkeypatch.setenv("IMGCOURSE_CACHE", str(tmp_path / "default-cache"))


def make_entry(
    *urls: str, sha256: str | None = PAYLOAD_SHA, size: int | None = len(PAYLOAD), name: str = "toy"
) -> DatasetEntry:
    return DatasetEntry(
        name=name,
        tier="full",
        description="a test file",
        licence="test",
        homepage="http://127.0.0.1/",
        citation="none",
        loader="imgcourse.data.full:load_mnist",
        files=(RemoteFile("toy.bin", tuple(urls), sha256, size),),
    )


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (bound, then closed)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def files_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


# ----------------------------------------------------------------------------- settings


def test_cache_dir_env_override(monkeypatch, tmp_path):
    monkeypatch.setenv("IMGCOURSE_CACHE", str(tmp_path / "mine"))
    assert cache_dir() == tmp_path / "mine"


def test_cache_dir_default(monkeypatch, tmp_path):
    monkeypatch.delenv("IMGCOURSE_CACHE")
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert cache_dir() == tmp_path / ".cache" / "imgcourse"


def test_mirror_url(monkeypatch, tmp_path):
    assert mirror_url() is None
    monkeypatch.setenv("IMGCOURSE_MIRROR", "http://mirror.example/data/")
    assert mirror_url() == "http://mirror.example/data"
    monkeypatch.setenv("IMGCOURSE_MIRROR", str(tmp_path))
    assert mirror_url() == tmp_path.resolve().as_uri()


# ----------------------------------------------------------------------------- downloads


def test_good_file_is_downloaded_verified_and_cached(server, tmp_path):
    server.routes["/toy.bin"] = ("ok", PAYLOAD)
    entry = make_entry(server.url("/toy.bin"))
    cache = tmp_path / "cache"
    assert not is_cached(entry, cache=cache)

    paths = fetch(entry, cache=cache)

    assert paths == {"toy.bin": cache / "toy" / "toy.bin"}
    assert paths["toy.bin"].read_bytes() == PAYLOAD
    assert files_in(cache / "toy") == ["toy.bin"]  # no temporary file, no sidecar
    assert paths["toy.bin"].stat().st_mode & 0o777 == 0o644  # readable by others, like a cache
    assert is_cached(entry, cache=cache) and is_cached(entry, cache=cache, verify=True)
    assert server.requests == ["/toy.bin"]

    assert fetch(entry, cache=cache) == paths
    assert server.requests == ["/toy.bin"]  # the second fetch made no request


def test_wrong_checksum_leaves_nothing(server, tmp_path):
    server.routes["/toy.bin"] = ("ok", PAYLOAD)
    wrong = "0" * 64
    entry = make_entry(server.url("/toy.bin"), sha256=wrong)
    cache = tmp_path / "cache"

    with pytest.raises(DownloadError) as info:
        fetch(entry, cache=cache)

    message = str(info.value)
    assert wrong in message and PAYLOAD_SHA in message
    assert "removed" in message
    assert str(cache / "toy" / "toy.bin") in message
    assert files_in(cache / "toy") == []


def test_404_names_url_and_status(server, tmp_path):
    entry = make_entry(server.url("/missing.bin"))
    cache = tmp_path / "cache"
    with pytest.raises(DownloadError) as info:
        fetch(entry, cache=cache)
    message = str(info.value)
    assert server.url("/missing.bin") in message and "404" in message
    assert info.value.attempts == [(server.url("/missing.bin"), "HTTP error 404 Not Found")]
    assert info.value.path == cache / "toy" / "toy.bin"
    assert files_in(cache / "toy") == []


def test_connection_refused_says_what_to_do(tmp_path):
    url = f"http://127.0.0.1:{closed_port()}/toy.bin"
    cache = tmp_path / "cache"
    with pytest.raises(DownloadError) as info:
        fetch(make_entry(url), cache=cache, timeout=5)
    message = str(info.value)
    assert url in message and "refused" in message.lower()
    assert "check the network" in message
    assert "IMGCOURSE_MIRROR" in message
    assert f"place it at {cache / 'toy' / 'toy.bin'}" in message
    assert PAYLOAD_SHA in message
    assert files_in(cache / "toy") == []


def test_truncated_transfer_leaves_nothing(server, tmp_path):
    server.routes["/toy.bin"] = ("truncate", PAYLOAD)
    # no pinned size, so only the Content-Length can reveal the truncation
    entry = make_entry(server.url("/toy.bin"), size=None)
    cache = tmp_path / "cache"
    with pytest.raises(DownloadError) as info:
        fetch(entry, cache=cache)
    assert "truncated" in str(info.value)
    assert files_in(cache / "toy") == []


def test_announced_size_mismatch_is_refused(server, tmp_path):
    server.routes["/toy.bin"] = ("ok", PAYLOAD + b"extra")
    entry = make_entry(server.url("/toy.bin"))
    cache = tmp_path / "cache"
    with pytest.raises(DownloadError, match="not the expected file"):
        fetch(entry, cache=cache)
    assert files_in(cache / "toy") == []


def test_next_url_is_tried_after_a_failure(server, tmp_path):
    server.routes["/good.bin"] = ("ok", PAYLOAD)
    refused = f"http://127.0.0.1:{closed_port()}/toy.bin"
    entry = make_entry(refused, server.url("/gone.bin"), server.url("/good.bin"))
    paths = fetch(entry, cache=tmp_path / "cache", timeout=5)
    assert paths["toy.bin"].read_bytes() == PAYLOAD
    assert server.requests == ["/gone.bin", "/good.bin"]


def test_mirror_is_used_before_the_original(server, tmp_path, monkeypatch):
    server.routes["/mirror/toy/toy.bin"] = ("ok", PAYLOAD)
    server.routes["/original/toy.bin"] = ("ok", PAYLOAD)
    monkeypatch.setenv("IMGCOURSE_MIRROR", server.url("/mirror/"))
    entry = make_entry(server.url("/original/toy.bin"))
    paths = fetch(entry, cache=tmp_path / "cache")
    assert paths["toy.bin"].read_bytes() == PAYLOAD
    assert server.requests == ["/mirror/toy/toy.bin"]  # the original was not contacted


def test_failing_mirror_falls_back_and_is_named(server, tmp_path, monkeypatch):
    monkeypatch.setenv("IMGCOURSE_MIRROR", server.url("/mirror"))
    entry = make_entry(server.url("/original/toy.bin"))
    with pytest.raises(DownloadError) as info:
        fetch(entry, cache=tmp_path / "cache")
    tried = [url for url, _ in info.value.attempts]
    assert tried == [server.url("/mirror/toy/toy.bin"), server.url("/original/toy.bin")]
    assert server.url("/mirror") in str(info.value)


def test_mirror_can_be_a_folder(tmp_path, monkeypatch):
    mirror = tmp_path / "usb"
    (mirror / "toy").mkdir(parents=True)
    (mirror / "toy" / "toy.bin").write_bytes(PAYLOAD)
    monkeypatch.setenv("IMGCOURSE_MIRROR", str(mirror))
    url = f"http://127.0.0.1:{closed_port()}/toy.bin"  # would fail if it were tried
    paths = fetch(make_entry(url), cache=tmp_path / "cache")
    assert paths["toy.bin"].read_bytes() == PAYLOAD


def test_cache_env_override_is_used(server, tmp_path, monkeypatch):
    server.routes["/toy.bin"] = ("ok", PAYLOAD)
    monkeypatch.setenv("IMGCOURSE_CACHE", str(tmp_path / "elsewhere"))
    paths = fetch(make_entry(server.url("/toy.bin")))
    assert paths["toy.bin"] == tmp_path / "elsewhere" / "toy" / "toy.bin"
    assert paths["toy.bin"].is_file()


def test_bad_cached_file_is_reported_and_downloaded_again(server, tmp_path):
    server.routes["/toy.bin"] = ("ok", PAYLOAD)
    entry = make_entry(server.url("/toy.bin"))
    target = tmp_path / "cache" / "toy" / "toy.bin"
    target.parent.mkdir(parents=True)
    target.write_bytes(b"x" * len(PAYLOAD))  # right size, wrong content
    with pytest.warns(UserWarning, match="expected " + PAYLOAD_SHA):
        fetch(entry, cache=tmp_path / "cache")
    assert target.read_bytes() == PAYLOAD
    assert server.requests == ["/toy.bin"]


def test_file_placed_by_hand_is_used(server, tmp_path):
    entry = make_entry(server.url("/toy.bin"))
    target = tmp_path / "cache" / "toy" / "toy.bin"
    target.parent.mkdir(parents=True)
    target.write_bytes(PAYLOAD)
    assert fetch(entry, cache=tmp_path / "cache") == {"toy.bin": target}
    assert server.requests == []


def test_unpinned_checksum_is_recorded_then_enforced(server, tmp_path):
    server.routes["/toy.bin"] = ("ok", PAYLOAD)
    entry = make_entry(server.url("/toy.bin"), sha256=None, size=None)
    cache = tmp_path / "cache"
    with pytest.warns(UserWarning, match="no published sha256"):
        paths = fetch(entry, cache=cache)
    sidecar = cache / "toy" / "toy.bin.sha256"
    assert sidecar.read_text().split()[0] == PAYLOAD_SHA

    # The server now sends something else: the recorded checksum refuses it.
    paths["toy.bin"].write_bytes(b"tampered")
    server.routes["/toy.bin"] = ("ok", b"changed upstream")
    with (
        pytest.warns(UserWarning, match="downloading it again"),
        pytest.raises(DownloadError, match="checksum mismatch") as info,
    ):
        fetch(entry, cache=cache)
    assert str(sidecar) in str(info.value)
    assert files_in(cache / "toy") == ["toy.bin.sha256"]


def test_interrupt_mid_download_leaves_nothing(server, tmp_path, monkeypatch):
    server.routes["/toy.bin"] = ("ok", PAYLOAD)
    monkeypatch.setattr(download, "_CHUNK_BYTES", 1024)
    real_read = http.client.HTTPResponse.read
    cache = tmp_path / "cache"
    calls = {"n": 0}
    seen_mid_way: list[list[str]] = []

    def interrupted_read(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            seen_mid_way.append(files_in(cache / "toy"))
            raise KeyboardInterrupt
        return real_read(self, *args, **kwargs)

    monkeypatch.setattr(http.client.HTTPResponse, "read", interrupted_read)
    with pytest.raises(KeyboardInterrupt):
        fetch(make_entry(server.url("/toy.bin")), cache=cache)
    # interrupted part-way: a temporary file was being written, and it is gone
    [mid_way] = seen_mid_way
    assert len(mid_way) == 1 and mid_way[0].endswith(".part")
    assert files_in(cache / "toy") == []


def test_builtin_dataset_has_nothing_to_fetch():
    with pytest.raises(ValueError, match="builtin"):
        fetch("digits")


def test_unwritable_cache_is_a_clear_error(server, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(DownloadError, match="IMGCOURSE_CACHE"):
        fetch(make_entry(server.url("/toy.bin")), cache=blocker)


def test_server_error_500_is_named_and_a_later_try_succeeds(server, tmp_path):
    server.routes["/toy.bin"] = ("500", b"")
    entry = make_entry(server.url("/toy.bin"))
    cache = tmp_path / "cache"
    with pytest.raises(DownloadError) as info:
        fetch(entry, cache=cache)
    assert info.value.attempts == [(server.url("/toy.bin"), "HTTP error 500 Internal Server Error")]
    assert files_in(cache / "toy") == []
    server.routes["/toy.bin"] = ("ok", PAYLOAD)  # the server is mended
    assert fetch(entry, cache=cache)["toy.bin"].read_bytes() == PAYLOAD


def test_server_that_stalls_past_the_timeout_leaves_nothing(server, tmp_path):
    server.routes["/toy.bin"] = ("stall", PAYLOAD)
    server.stall_seconds = 3.0
    cache = tmp_path / "cache"
    started = time.perf_counter()
    with pytest.raises(DownloadError) as info:
        fetch(make_entry(server.url("/toy.bin")), cache=cache, timeout=0.5)
    assert time.perf_counter() - started < 2.5, "the timeout was not applied while reading"
    assert "timed out (no data for 0.5 s)" in str(info.value)
    assert str(cache / "toy" / "toy.bin") in str(info.value)
    assert files_in(cache / "toy") == []


def test_redirect_loop_is_named(server, tmp_path):
    server.routes["/toy.bin"] = ("loop", b"")
    cache = tmp_path / "cache"
    with pytest.raises(DownloadError) as info:
        fetch(make_entry(server.url("/toy.bin")), cache=cache)
    [(url, reason)] = info.value.attempts
    assert url == server.url("/toy.bin") and "redirect" in reason.lower()
    assert 1 < len(server.requests) <= 20, "the loop was not cut off"
    assert files_in(cache / "toy") == []


def test_a_cache_folder_that_refuses_writes_is_named_not_blamed_on_the_network(
    server, tmp_path, monkeypatch
):
    """A read-only cache (or disk) must not read as a failed URL: no request is made and the
    message names the folder and IMGCOURSE_CACHE. (Root ignores folder permissions, so the
    refusal is simulated here; the test below tries the real thing as another user.)"""
    server.routes["/toy.bin"] = ("ok", PAYLOAD)

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(tmp_path / "cache" / "toy"))

    monkeypatch.setattr(download.tempfile, "TemporaryFile", refuse)
    with pytest.raises(DownloadError) as info:
        fetch(make_entry(server.url("/toy.bin")), cache=tmp_path / "cache")
    message = str(info.value)
    assert "Cannot write to the cache folder" in message and "IMGCOURSE_CACHE" in message
    assert "check the network" not in message
    assert server.requests == []


def test_cache_folder_without_write_permission(server, tmp_path):
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        pytest.skip("root can write to a read-only folder")
    server.routes["/toy.bin"] = ("ok", PAYLOAD)
    cache = tmp_path / "cache"
    (cache / "toy").mkdir(parents=True)
    (cache / "toy").chmod(0o555)
    try:
        with pytest.raises(DownloadError, match="IMGCOURSE_CACHE"):
            fetch(make_entry(server.url("/toy.bin")), cache=cache)
    finally:
        (cache / "toy").chmod(0o755)


FETCH_IN_A_PROCESS = """
import sys
from imgcourse.data.download import fetch
from imgcourse.data.registry import DatasetEntry, RemoteFile
entry = DatasetEntry(
    name="toy", tier="full", description="d", licence="l", homepage="http://127.0.0.1/",
    citation="c", loader="imgcourse.data.full:load_mnist",
    files=(RemoteFile("toy.bin", (sys.argv[1],), sys.argv[2], int(sys.argv[3])),),
)
print(fetch(entry, cache=sys.argv[4])["toy.bin"])
"""


def test_two_processes_downloading_the_same_file_at_once(server, tmp_path):
    """Each process streams into its own temporary file and renames it into place: the cache
    ends with one complete, verified file and no temporary file."""
    server.routes["/toy.bin"] = ("slow", PAYLOAD)
    server.stall_seconds = 1.0
    cache = tmp_path / "cache"
    args = [server.url("/toy.bin"), PAYLOAD_SHA, str(len(PAYLOAD)), str(cache)]
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", FETCH_IN_A_PROCESS, *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [run.communicate(timeout=60) for run in runs]
    for run, (out, err) in zip(runs, outputs):
        assert run.returncode == 0, err
        assert out.strip() == str(cache / "toy" / "toy.bin")
    assert server.requests.count("/toy.bin") == 2, "the two downloads did not overlap"
    assert (cache / "toy" / "toy.bin").read_bytes() == PAYLOAD
    assert files_in(cache / "toy") == ["toy.bin"]


# ----------------------------------------------------------------------------- load_dataset


@pytest.fixture
def scratch_registry(monkeypatch):
    """A copy of the registry that the test may change; the global one is left as it was."""
    monkeypatch.setattr(registry, "_REGISTRY", dict(registry._REGISTRY))


def builtin_entry(name: str, loader: str) -> DatasetEntry:
    return replace(
        make_entry("http://127.0.0.1:9/toy.bin"), name=name, tier="builtin", files=(), loader=loader
    )


def test_load_builtin_imports_lazily(scratch_registry, tmp_path, monkeypatch):
    (tmp_path / "toy_loader_mod.py").write_text(
        "import numpy as np\n"
        "from imgcourse.data.dataset import ImageSet\n"
        "def make(n=2):\n"
        "    return ImageSet(np.zeros((n, 4, 4, 1), np.float32), np.zeros(n, int), ['x'])\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    register_dataset(builtin_entry("toy", "toy_loader_mod:make"))
    data = load_dataset("toy", n=3)
    assert isinstance(data, ImageSet) and len(data) == 3


def test_loader_errors_name_the_dataset(scratch_registry):
    register_dataset(builtin_entry("nomodule", "no_such_mod:f"))
    register_dataset(builtin_entry("nofunc", "imgcourse.data:nope"))
    with pytest.raises(ImportError, match="'nomodule'"):
        load_dataset("nomodule")
    with pytest.raises(ImportError, match="no function 'nope'"):
        load_dataset("nofunc")


def test_load_full_uses_the_cache(scratch_registry, tmp_path):
    """A full dataset already in the cache loads without any network access."""
    images = np.arange(2 * 28 * 28, dtype=np.uint8).reshape(2, 28, 28)
    labels = np.array([3, 4], np.uint8)
    folder = tmp_path / "cache" / "tiny_mnist"
    folder.mkdir(parents=True)
    files = []
    arrays = {"t10k-images-idx3-ubyte.gz": images, "t10k-labels-idx1-ubyte.gz": labels}
    for name, array in arrays.items():
        header = bytes([0, 0, 8, array.ndim]) + b"".join(d.to_bytes(4, "big") for d in array.shape)
        blob = gzip.compress(header + array.tobytes())
        (folder / name).write_bytes(blob)
        unreachable = f"http://127.0.0.1:9/{name}"  # never contacted: the file is cached
        files.append(RemoteFile(name, (unreachable,), hashlib.sha256(blob).hexdigest(), len(blob)))
    register_dataset(
        replace(make_entry("http://127.0.0.1:9/toy.bin"), name="tiny_mnist", files=tuple(files))
    )

    data = load_dataset("tiny_mnist", cache=str(tmp_path / "cache"), progress=False, split="test")
    assert data.images.shape == (2, 28, 28, 1) and data.labels.tolist() == [3, 4]
