"""Running course notebooks: papermill runs with HTML reports and a timing summary (where
the time goes, cell by cell, and the kernel's peak memory), recording default-profile run
times on an idle machine, the course's time budget, and executing a notebook in place to
store its outputs. The command line (``imgcourse run``, ``imgcourse run --record-time``,
``imgcourse refresh``) is a thin layer over this. Introduced in ``00_welcome``.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import nbformat

from imgcourse import atomic
from imgcourse.course.catalogue import CourseError, NotebookInfo, write_notebook
from imgcourse.results import (
    ENV_CLAIMS,
    ENV_OUTPUT,
    ENV_RESULTS,
    ENV_STRICT,
    read_claims,
    read_results,
)

# --- the time budget: the one place its limits live ---------------------------------------------

#: Default-profile limit per notebook, in seconds of recorded ``default_seconds`` (2-core CPU).
BUDGET_SECONDS = 90
#: Default-profile limit on the sum of the notebooks' recorded ``default_seconds``.
COURSE_BUDGET_SECONDS = 1200
#: ``imgcourse run --record-time`` records the median of this many runs.
RECORD_RUNS = 2
#: Cells recorded (and named by the budget test) as a notebook's slowest.
SLOWEST_CELLS = 3
#: The machine is too busy to record a time when others keep more than this share of its cores
#: busy. A notebook's TensorFlow uses every core, so others' share is roughly the share by which
#: its CPU-bound cells slow down. Idle noise (an editor, sshd, cron) stays under a few percent;
#: one other busy process (a test, a build, another notebook) is half of the reference 2-core
#: CPU, which slows the notebook by about that. 0.25 lies between the two on 2 cores (a load of
#: 0.5); 0.5 (a load of 1.0) would let exactly that one competing process through.
BUSY_SHARE = 0.25
#: Seconds the recording waits for a busy machine to settle before it refuses.
IDLE_WAIT_SECONDS = 120
#: The 1-minute load average remembers a run for about this long after it ends (a load of 2
#: decays to 0.1 in 3 minutes), so the load check ignores it that long after this process's runs.
LOAD_AVERAGE_MEMORY_SECONDS = 180

#: Cell tags that hide a cell's input in HTML reports.
HIDE_INPUT_TAGS = ("hide-input", "remove-input")


@dataclass
class CellTime:
    """How long one code cell of a run took (from papermill's ``metadata.papermill``).

    ``cell`` is the cell's number among the source notebook's code cells, counted from 1: its
    ``In [n]`` in the committed notebook (nbval's ``Cell n-1``); None for the cell papermill
    injects with the parameters.
    """

    cell: int | None
    seconds: float
    first_line: str

    @property
    def label(self) -> str:
        return "injected" if self.cell is None else f"In [{self.cell}]"


@dataclass
class RunResult:
    """The outcome of running one notebook.

    Where the time went: ``cells`` (each code cell that ran, in order), ``kernel_seconds``
    (from the run's start until the first cell starts: papermill reading the notebook, the
    kernel starting and answering) and ``startup_seconds`` (from the run's start until the
    set-up cell ``setup_cell`` ends; see :func:`startup_times`). ``peak_mib`` is the kernel's
    peak resident memory (see :class:`KernelWatch`). ``runs`` holds each run's seconds when
    ``seconds`` is their median (:func:`measure_default_time`).
    """

    notebook: str
    status: str  # "ok" or "failed"
    seconds: float
    executed: Path | None = None
    report: Path | None = None
    error: str = ""
    parameters: dict[str, Any] = field(default_factory=dict)
    results: dict[str, float] = field(default_factory=dict)
    cells: list[CellTime] = field(default_factory=list)
    kernel_seconds: float | None = None
    startup_seconds: float | None = None
    setup_cell: int | None = None
    peak_mib: float | None = None
    runs: list[float] = field(default_factory=list)
    claims: list[dict[str, Any]] = field(default_factory=list)  # see imgcourse.results.claim

    @property
    def claims_failed(self) -> list[dict[str, Any]]:
        """The claims of the text that did not hold in this run."""
        return [c for c in self.claims if not c.get("held")]

    def slowest(self, n: int = SLOWEST_CELLS) -> list[CellTime]:
        """The ``n`` slowest cells, slowest first."""
        return sorted(self.cells, key=lambda c: -c.seconds)[:n]


#: Folder, beside the HTML reports, holding the JavaScript they load (MathJax, widgets).
REPORT_ASSETS = "_report_assets"
_ASSETS = Path(__file__).resolve().parents[1] / "assets"
_MATHJAX_BLOCK = re.compile(r"<!-- Load mathjax -->.*?<!-- End of mathjax configuration -->", re.S)


def _offline_mathjax(assets_url: str) -> str:
    """MathJax 3 from the report's assets, reading the ``$...$`` and ``$$...$$`` notebooks use."""
    options = {
        "tex": {
            "inlineMath": [["$", "$"], ["\\(", "\\)"]],
            "displayMath": [["$$", "$$"], ["\\[", "\\]"]],
            "processEscapes": True,
            "tags": "ams",
        }
    }
    return (
        f"<script>window.MathJax = {json.dumps(options)};</script>\n"
        f'<script src="{assets_url}/mathjax-config.js"></script>\n'
        f'<script src="{assets_url}/vendor/mathjax/tex-chtml-full.js"></script>'
    )


def ensure_report_assets(folder: Path) -> Path:
    """Copy the reports' JavaScript (MathJax, the widget renderer) into ``folder/_report_assets``
    once, so every HTML report in ``folder`` works offline; returns that folder. Written to a
    temporary folder first and renamed, so it is never half-copied."""
    target = folder / REPORT_ASSETS
    stamp = "vendor/VENDORED.txt"
    if (target / stamp).is_file() and (target / stamp).read_bytes() == (
        _ASSETS / stamp
    ).read_bytes():
        return target
    try:
        with atomic.replace_folder(target) as staging:
            shutil.copytree(_ASSETS, staging, dirs_exist_ok=True)
    except OSError:
        if not (target / stamp).is_file():  # another run may have copied it meanwhile
            raise
    return target


def write_html_report(executed: Path, html_path: Path, *, copy_assets: bool = True) -> Path:
    """An HTML report of an executed notebook; inputs of cells tagged ``hide-input`` hidden.

    The report works offline: MathJax and the widget renderer load from ``_report_assets/``
    beside it (copied there unless ``copy_assets`` is False), not from a CDN, and require.js,
    which nothing in a report needs, is left out.
    """
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    nb = nbformat.read(executed, as_version=4)
    remover = TagRemovePreprocessor(
        remove_input_tags=set(HIDE_INPUT_TAGS), remove_cell_tags={"remove-cell"}, enabled=True
    )
    nb, resources = remover.preprocess(nb, {})
    exporter = HTMLExporter(exclude_input_prompt=True, exclude_output_prompt=True)
    exporter.widget_renderer_url = f"{REPORT_ASSETS}/vendor/jupyter-widgets/embed.js"
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    body = body.replace(f'<script src="{exporter.require_js_url}"></script>', "")
    body = _MATHJAX_BLOCK.sub(lambda _: _offline_mathjax(REPORT_ASSETS), body, count=1)
    if copy_assets:
        ensure_report_assets(html_path.parent)
    atomic.write_text(html_path, body)
    return html_path


_ENGINE = "imgcourse"


def _papermill_engine() -> str:
    """papermill's nbclient engine without nbclient's imitation of a front end's Output widget.

    nbclient answers each Output-widget update with a comm message on the shell channel while
    it waits for the cell's execute_reply on that same channel; now and then the reply is missed
    and the run waits forever on a finished cell (jupyter/nbclient#312). Without the imitation,
    what the widget shows is kept as ordinary cell output: the static fallback reports need.
    """
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines
    from papermill.log import logger

    class Client(PapermillNotebookClient):
        def __init__(self, *args: Any, kernel_watch: KernelWatch | None = None, **kw: Any) -> None:
            super().__init__(*args, **kw)
            self.widget_registry = {}
            self.kernel_watch = kernel_watch

        def papermill_execute_cells(self) -> None:
            # the kernel is up here and still up in `finally`: its memory can be read
            watch = self.kernel_watch
            if watch is not None:
                watch.start(_kernel_pid(self.km))
            try:
                super().papermill_execute_cells()
            finally:
                if watch is not None:
                    watch.stop()

    class Engine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(
            cls,
            nb_man,
            kernel_name,
            log_output=False,
            stdout_file=None,
            stderr_file=None,
            start_timeout=60,
            execution_timeout=None,
            **kwargs,
        ):
            for unused in ("input_path", "timeout", "startup_timeout"):
                kwargs.pop(unused, None)
            return Client(
                nb_man,
                timeout=execution_timeout,
                startup_timeout=start_timeout,
                kernel_name=kernel_name,
                log=logger,
                log_output=log_output,
                stdout_file=stdout_file,
                stderr_file=stderr_file,
                **kwargs,
            ).execute()

    papermill_engines.register(_ENGINE, Engine)
    return _ENGINE


def _kernel_pid(kernel_manager: Any) -> int | None:
    """The process id of a jupyter_client kernel manager's local kernel, or None."""
    for owner in (getattr(kernel_manager, "provisioner", None), kernel_manager):
        pid = getattr(owner, "pid", None)
        if isinstance(pid, int):
            return pid
        process = getattr(owner, "process", None) or getattr(owner, "kernel", None)
        if isinstance(getattr(process, "pid", None), int):
            return process.pid
    return None


def _high_water_mark(pid: int) -> int | None:
    """The peak resident memory, in bytes, the operating system kept for process ``pid``:
    ``VmHWM`` of ``/proc/<pid>/status`` on Linux, ``peak_wset`` (psutil) on Windows; None
    elsewhere, or when the process is gone."""
    if sys.platform.startswith("linux"):
        try:
            status = Path(f"/proc/{pid}/status").read_text(encoding="ascii", errors="replace")
        except OSError:
            return None
        match = re.search(r"^VmHWM:\s*(\d+)\s*kB", status, re.M)
        return int(match.group(1)) * 1024 if match else None
    if sys.platform == "win32":
        try:
            import psutil

            return int(psutil.Process(pid).memory_info().peak_wset)
        except Exception:  # psutil missing, the process gone or access denied
            return None
    return None


class KernelWatch:
    """The peak resident memory of a kernel (and of processes it starts) during a run.

    Two measurements, the larger kept: the high-water mark the operating system keeps for the
    kernel process (:func:`_high_water_mark`: exact, no spike missed, read just before the
    kernel shuts down), and, where psutil is installed, the resident memory of the kernel and
    all its child processes summed, sampled every ``interval`` seconds by a thread (covers
    children, such as worker pools, and macOS, where no high-water mark is readable). Without
    either (no psutil, not Linux) the peak is None and shows as "-".
    ``resource.getrusage(RUSAGE_CHILDREN)`` is not used: it is the maximum over every child
    this process ever waited for, so after the first notebook it no longer tells them apart.
    """

    def __init__(self, interval: float = 0.5) -> None:
        self.interval = interval
        self.pid: int | None = None
        self.peak_bytes: int | None = None
        self._sampled = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._process: Any = None

    def start(self, pid: int | None) -> None:
        self.pid = pid
        if pid is None:
            return
        try:
            import psutil

            self._process = psutil.Process(pid)
        except Exception:  # no psutil, or the kernel already gone
            return
        self._sample()
        self._thread = threading.Thread(target=self._loop, name="imgcourse-memory", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            self._sample()

    def _sample(self) -> None:
        import psutil

        try:
            total = self._process.memory_info().rss
            children = self._process.children(recursive=True)
        except psutil.Error:
            return
        for child in children:
            with contextlib.suppress(psutil.Error):
                total += child.memory_info().rss
        self._sampled = max(self._sampled, total)

    def stop(self) -> float | None:
        """Stop sampling; the peak in MiB (also kept in ``peak_mib``), or None."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._sample()
        if self.pid is not None:
            found = [b for b in (self._sampled, _high_water_mark(self.pid)) if b]
            self.peak_bytes = max(found) if found else None
        return self.peak_mib

    @property
    def peak_mib(self) -> float | None:
        return None if self.peak_bytes is None else self.peak_bytes / 2**20


@contextlib.contextmanager
def _kernel_sockets_config() -> Iterator[Any]:
    """Kernel configuration: on POSIX the kernel talks over Unix sockets in a private temporary
    folder instead of TCP ports on 127.0.0.1 (which other local users could reach, and about
    which ipykernel prints a warning on every start)."""
    from traitlets.config import Config

    if os.name != "posix":
        yield Config()
        return
    with tempfile.TemporaryDirectory(prefix="imgcourse-kernel-") as folder:
        yield Config({"KernelManager": {"transport": "ipc", "ip": os.path.join(folder, "k")}})


def run_notebook(
    notebook: NotebookInfo,
    parameters: dict[str, Any],
    out_dir: Path,
    *,
    kernel_name: str | None = None,
    progress: bool = False,
    cell_timeout: int = 600,
    on_section: Callable[[str], None] | None = None,
    strict: bool | None = None,
) -> RunResult:
    """Execute a notebook with papermill into ``out_dir`` and write its HTML report.

    The notebook runs in its own folder (as under nbval), so relative paths in it behave the
    same in both. A failed cell still leaves the executed notebook (with the error) and a
    report, so the failure can be read. Numbers the notebook passes to
    :func:`imgcourse.results.record` end up in ``RunResult.results``.

    Papermill saves the executed notebook after every cell, so the run writes into a private
    hidden folder inside ``out_dir``; only when it ends are its files (notebook, report,
    results) moved into ``out_dir``, together, under a lock. An interrupted run (Ctrl-C)
    leaves ``out_dir`` as it was, and two runs writing to the same ``out_dir`` at once never
    mix or half-write each other's files. Files the notebook writes into
    :func:`imgcourse.results.output_dir` travel with the report.

    ``on_section`` is called with a section's heading when its first code cell starts, so a
    long run can show where it is (``imgcourse report`` prints one line per step).
    ``strict`` True makes a false claim of the text fail the run, False only notes it; None
    leaves it to the environment (``IMGCOURSE_STRICT``, else ``CI``). The claims checked end
    up in ``RunResult.claims``.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".imgcourse-run-", dir=out_dir) as staging:
        result = _run_into(
            notebook,
            parameters,
            Path(staging),
            kernel_name=kernel_name,
            progress=progress,
            cell_timeout=cell_timeout,
            on_section=on_section,
            strict=strict,
        )
        with _folder_lock(out_dir):
            ensure_report_assets(out_dir)  # only once the run is over: Ctrl-C leaves nothing
            for produced in sorted(Path(staging).iterdir()):
                atomic.replace_path(produced, out_dir / produced.name)  # a folder too
    if result.executed is not None:
        result.executed = out_dir / result.executed.name
    if result.report is not None:
        result.report = out_dir / result.report.name
    return result


def _section_hook(notebook: NotebookInfo, on_section: Callable[[str], None]) -> Callable:
    """An nbclient ``on_cell_start`` hook calling ``on_section(heading)`` once per section.

    Cells are matched by id (papermill keeps them and adds one for the injected parameters),
    and the heading is the last ``## `` line of a markdown cell above the code cell.
    """
    section_of: dict[str, str] = {}
    heading = ""
    for cell in nbformat.read(notebook.path, as_version=4).cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("## "):
                    heading = line[3:].strip()
        elif heading:
            section_of[cell.get("id", "")] = heading
    shown: set[str] = set()

    def hook(cell: Any, cell_index: int) -> None:
        section = section_of.get(cell.get("id", ""))
        if section and section not in shown:
            shown.add(section)
            on_section(section)

    return hook


@contextlib.contextmanager
def _folder_lock(folder: Path) -> Iterator[None]:
    """An exclusive lock on ``folder/.imgcourse.lock`` (POSIX ``flock``; none elsewhere)."""
    try:
        import fcntl
    except ImportError:  # Windows: moves are still atomic one file at a time
        yield
        return
    with open(folder / ".imgcourse.lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@dataclass(frozen=True)
class RunFiles:
    """The files one run shares with its kernel, in the run's private folder (moved into
    ``out_dir`` with the report when the run ends). The kernel learns their paths from the
    environment :func:`kernel_environment` builds; after the run :func:`_run_into` reads them.
    """

    folder: Path
    results: Path
    claims: Path

    @classmethod
    def for_run(cls, notebook: NotebookInfo, folder: Path) -> RunFiles:
        return cls(
            folder=folder,
            results=folder / f"{notebook.name}.results.json",
            claims=folder / f"{notebook.name}.claims.jsonl",
        )


def kernel_environment(files: RunFiles, strict: bool | None = None) -> dict[str, str]:
    """The environment variables a run adds for its kernel (which inherits the runner's
    environment). To hand the kernel something new, add its variable here and its file to
    :class:`RunFiles`, then read the file in :func:`_run_into` after the run.

    ``strict`` sets ``IMGCOURSE_STRICT`` (a false claim fails the run); None leaves the
    runner's own environment to decide (:func:`imgcourse.results.strict_claims`)."""
    env = {
        ENV_RESULTS: str(files.results),
        ENV_OUTPUT: str(files.folder),
        ENV_CLAIMS: str(files.claims),
    }
    if strict is not None:
        env[ENV_STRICT] = "1" if strict else "0"
    return env


@contextlib.contextmanager
def _environment(extra: dict[str, str]) -> Iterator[None]:
    """``os.environ`` with ``extra`` set, as it was again afterwards."""
    saved = {key: os.environ.get(key) for key in extra}
    os.environ.update(extra)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


#: When this process's last run ended (time.monotonic), for the load check.
_last_run_end: float | None = None


def _run_into(
    notebook: NotebookInfo,
    parameters: dict[str, Any],
    out_dir: Path,
    *,
    kernel_name: str | None,
    progress: bool,
    cell_timeout: int,
    on_section: Callable[[str], None] | None = None,
    strict: bool | None = None,
) -> RunResult:
    """Execute with papermill into ``out_dir`` (a private folder) and write the report there."""
    global _last_run_end
    import papermill
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    executed = out_dir / notebook.path.name
    report = out_dir / f"{notebook.name}.html"
    files = RunFiles.for_run(notebook, out_dir)
    hooks = {} if on_section is None else {"on_cell_start": _section_hook(notebook, on_section)}
    watch = KernelWatch()
    status, error = "ok", ""
    started = datetime.now(timezone.utc)
    start = time.perf_counter()
    try:
        with _environment(kernel_environment(files, strict)), _kernel_sockets_config() as config:
            papermill.execute_notebook(
                str(notebook.path),
                str(executed),
                parameters=parameters,
                cwd=str(notebook.path.parent),
                kernel_name=kernel_name,
                progress_bar=progress,
                log_output=False,
                engine_name=_papermill_engine(),
                execution_timeout=cell_timeout,
                config=config,
                kernel_watch=watch,
                **hooks,
            )
    except papermill.PapermillExecutionError as exc:
        status = "failed"
        error = f"cell {exc.exec_count}: {exc.ename}: {exc.evalue}"
    except (CellTimeoutError, DeadKernelError) as exc:
        status = "failed"
        error = f"{type(exc).__name__}: {exc}"
    finally:
        _last_run_end = time.monotonic()
    seconds = time.perf_counter() - start
    result = RunResult(
        notebook=notebook.name,
        status=status,
        seconds=seconds,
        executed=executed if executed.exists() else None,
        error=error,
        parameters=parameters,
        results=read_results(files.results),
        peak_mib=watch.peak_mib,
        claims=read_claims(files.claims),
    )
    if executed.exists():
        nb = nbformat.read(executed, as_version=4)
        result.cells = cell_times(nb)
        result.kernel_seconds, result.startup_seconds, result.setup_cell = startup_times(
            nb, started
        )
        write_html_report(executed, report, copy_assets=False)
        result.report = report
    if not files.results.exists():  # never leave an earlier run's numbers beside this report
        files.results.write_text("{}", encoding="utf-8")
    if not files.claims.exists():
        files.claims.write_text("", encoding="utf-8")
    return result


# --- where the time goes -------------------------------------------------------------------------


def _timestamp(text: str | None) -> datetime | None:
    """papermill's ISO time stamp (UTC) as an aware datetime, or None."""
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _first_line(source: str, width: int = 60) -> str:
    """The first non-blank line of a cell, shortened to ``width`` characters; a bare block
    opener such as ``try:`` is joined with the line after it (``try: import imgcourse``)."""
    lines = [ln.strip() for ln in source.splitlines() if ln.strip()]
    line = lines[0] if lines else ""
    if line in ("try:", "else:", "finally:") and len(lines) > 1:
        line = f"{line} {lines[1]}"
    return line if len(line) <= width else line[: width - 3] + "..."


def _injected(cell: Any) -> bool:
    return "injected-parameters" in cell.get("metadata", {}).get("tags", [])


def _numbered_code_cells(nb: nbformat.NotebookNode) -> Iterator[tuple[int | None, Any]]:
    """Each code cell with its number among the source notebook's code cells (from 1); the
    cell papermill injected with the parameters gets None."""
    number = 0
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        if _injected(cell):
            yield None, cell
        else:
            number += 1
            yield number, cell


def cell_times(nb: nbformat.NotebookNode) -> list[CellTime]:
    """Each code cell's run time from papermill's ``metadata.papermill.duration``, in order;
    cells that never ran (after a failure) are left out."""
    times = []
    for number, cell in _numbered_code_cells(nb):
        duration = cell.get("metadata", {}).get("papermill", {}).get("duration")
        if duration is not None:
            times.append(CellTime(number, float(duration), _first_line(cell.source)))
    return times


def setup_cell(nb: nbformat.NotebookNode) -> tuple[int | None, Any]:
    """The set-up cell (CONTRIBUTING: ``import imgcourse`` and ``imgcourse.setup(...)``): the
    first code cell calling ``imgcourse.setup(``; in a notebook without one, the first code
    cell that is not a parameters cell. Returns its number (as in :class:`CellTime`) and the
    cell, or (None, None)."""
    cells = list(_numbered_code_cells(nb))
    for number, cell in cells:
        if "imgcourse.setup(" in cell.source:
            return number, cell
    for number, cell in cells:
        if number is not None and "parameters" not in cell.get("metadata", {}).get("tags", []):
            return number, cell
    return None, None


def startup_times(
    nb: nbformat.NotebookNode, started: datetime
) -> tuple[float | None, float | None, int | None]:
    """Where the start of a run went, from the time stamps papermill stores in the cells.

    ``started`` is when the runner handed the notebook to papermill (the clock of
    ``RunResult.seconds`` starts there too). Returns ``(kernel, startup, cell)``:

    - ``kernel``: seconds from ``started`` until the notebook's first cell started (papermill
      reading and parameterising the notebook, the kernel starting and answering);
    - ``startup``: seconds from ``started`` until the set-up cell (:func:`setup_cell`)
      ended: the kernel, the parameters cells and the set-up cell, which imports imgcourse,
      Keras and TensorFlow (``imgcourse.setup``). Cells run before it count too;
    - ``cell``: the set-up cell's number.

    A value is None when its cell has no time stamp (the run failed before it).
    """
    first = next(
        (
            stamp
            for cell in nb.cells
            if (
                stamp := _timestamp(cell.get("metadata", {}).get("papermill", {}).get("start_time"))
            )
        ),
        None,
    )
    kernel = None if first is None else (first - started).total_seconds()
    number, cell = setup_cell(nb)
    end = None if cell is None else _timestamp(cell.metadata.get("papermill", {}).get("end_time"))
    startup = None if end is None else (end - started).total_seconds()
    return kernel, startup, number


def breakdown_lines(result: RunResult, n: int = SLOWEST_CELLS) -> list[str]:
    """Where a run's time went, for printing under its status line: the start-up share (see
    :func:`startup_times`), the ``n`` slowest cells with their first line, the peak memory."""
    lines = []
    if result.startup_seconds is not None and result.seconds > 0:
        share = result.startup_seconds / result.seconds
        parts = []
        if result.kernel_seconds is not None:
            parts.append(f"kernel {result.kernel_seconds:.1f} s")
        if result.setup_cell is not None:
            parts.append(f"then imports and set-up to the end of In [{result.setup_cell}]")
        lines.append(f"start-up {result.startup_seconds:.1f} s ({share:.0%}): {', '.join(parts)}")
    slowest = result.slowest(n)
    if slowest:
        total = result.seconds or 1.0
        lines.append(f"slowest cells (of {len(result.cells)}):")
        width = max(len(c.label) for c in slowest)
        for c in slowest:
            share = c.seconds / total
            lines.append(
                f"  {c.label:<{width}}  {c.seconds:>6.1f} s  {share:>4.0%}  {c.first_line}"
            )
    if result.peak_mib is not None:
        lines.append(f"peak memory {result.peak_mib:,.0f} MiB")
    if len(result.runs) > 1:
        shown = ", ".join(f"{s:.1f}" for s in result.runs)
        lines.append(f"median of {len(result.runs)} runs ({shown} s)")
    return lines


def summary_table(results: list[RunResult], budget: float | None = BUDGET_SECONDS) -> str:
    """A plain-text table of each notebook's status and run time, with the total."""
    width = max([len(r.notebook) for r in results] + [8])
    lines = [f"{'notebook':<{width}}  {'status':<8}  {'time':>8}"]
    for r in results:
        flag = ""
        if r.status == "ok" and budget is not None and r.seconds > budget:
            flag = f"  over the {budget:.0f} s budget"
        lines.append(f"{r.notebook:<{width}}  {r.status:<8}  {r.seconds:>6.1f} s{flag}")
        if r.results:
            shown = "  ".join(f"{k} {v:,.4g}" for k, v in r.results.items())
            lines.append(f"{'':<{width}}  {shown}")
        if r.claims:
            held = len(r.claims) - len(r.claims_failed)
            lines.append(f"{'':<{width}}  claims held: {held} of {len(r.claims)}")
        if r.error:
            lines.append(f"{'':<{width}}  {r.error}")
    total = sum(r.seconds for r in results)
    lines.append(f"{'total':<{width}}  {'':<8}  {total:>6.1f} s")
    return "\n".join(lines)


def _cell_row(c: CellTime) -> dict[str, Any]:
    return {"cell": c.cell, "seconds": round(c.seconds, 3), "first_line": c.first_line}


def write_summary(results: list[RunResult], out_dir: Path) -> Path:
    """``summary.json`` beside the reports: status, seconds and paths of each run, and where
    the time went (start-up, each code cell's seconds) and the kernel's peak memory."""
    path = out_dir / "summary.json"
    rows = [
        {
            "notebook": r.notebook,
            "status": r.status,
            "seconds": round(r.seconds, 2),
            "executed": r.executed.name if r.executed else None,
            "report": r.report.name if r.report else None,
            "error": r.error,
            "parameters": r.parameters,
            "results": r.results,
            "runs": [round(s, 2) for s in r.runs],
            "kernel_seconds": _rounded(r.kernel_seconds, 2),
            "startup_seconds": _rounded(r.startup_seconds, 2),
            "setup_cell": r.setup_cell,
            "peak_mib": _rounded(r.peak_mib, 1),
            "claims": r.claims,
            "claims_held": sum(bool(c.get("held")) for c in r.claims),
            "cells": [_cell_row(c) for c in r.cells],
        }
        for r in results
    ]
    atomic.write_text(path, json.dumps(rows, indent=2, default=str))  # never half-written
    return path


def _rounded(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


# --- recording default-profile times on an idle machine ------------------------------------------


@dataclass(frozen=True)
class MachineLoad:
    """How busy the machine is: ``load1`` is ``os.getloadavg()[0]`` (None where the system has
    no load average), ``cpu_busy`` the busy share of all cores over a short sample (psutil;
    None without it), ``cores`` what ``os.cpu_count()`` says."""

    cores: int
    load1: float | None
    cpu_busy: float | None

    def describe(self) -> str:
        parts = []
        if self.load1 is not None:
            parts.append(f"load average {self.load1:.2f}")
        if self.cpu_busy is not None:
            parts.append(f"{self.cpu_busy:.0%} CPU busy")
        return f"{', '.join(parts) or 'load unknown'} on {self.cores} cores"


def machine_load(sample_seconds: float = 1.0) -> MachineLoad:
    """Read the 1-minute load average and sample the CPU for ``sample_seconds``; what this
    process and its children use meanwhile is not counted as others' load."""
    cores = os.cpu_count() or 1
    try:
        load1: float | None = os.getloadavg()[0]
    except (AttributeError, OSError):  # Windows has none
        load1 = None
    try:
        import psutil

        own = _own_cpu_seconds()
        busy = psutil.cpu_percent(interval=sample_seconds) / 100
        ours = (_own_cpu_seconds() - own) / (sample_seconds * cores)  # a kernel shutting down
        cpu_busy: float | None = min(1.0, max(0.0, busy - ours))
    except Exception:  # no psutil
        cpu_busy = None
    return MachineLoad(cores=cores, load1=load1, cpu_busy=cpu_busy)


def _own_cpu_seconds() -> float:
    """CPU seconds used so far by this process and its living children (psutil)."""
    import psutil

    me = psutil.Process()
    total = sum(me.cpu_times()[:2])
    for child in me.children(recursive=True):
        with contextlib.suppress(psutil.Error):
            total += sum(child.cpu_times()[:2])
    return total


def busy_reason(load: MachineLoad, *, ran_recently: bool = False) -> str | None:
    """Why the machine is too busy to record a time (see :data:`BUSY_SHARE`), or None.

    Two signals: the CPU sample taken while no notebook of ours runs (what others do now),
    and the 1-minute load average (what they did over the last minute, which a sample taken
    in a lull between two tests misses). The load average is skipped when ``ran_recently``:
    this process's own run, just ended, still holds it up for a few minutes.
    """
    reasons = []
    if load.cpu_busy is not None and load.cpu_busy > BUSY_SHARE:
        reasons.append(f"{load.cpu_busy:.0%} of the CPU busy just now (limit {BUSY_SHARE:.0%})")
    limit = BUSY_SHARE * load.cores
    if load.load1 is not None and not ran_recently and load.load1 > limit:
        reasons.append(
            f"load average {load.load1:.2f} for the last minute "
            f"(limit {limit:.2f} on {load.cores} cores)"
        )
    return "; ".join(reasons) or None


def _ran_recently() -> bool:
    return _last_run_end is not None and (
        time.monotonic() - _last_run_end < LOAD_AVERAGE_MEMORY_SECONDS
    )


def check_idle(
    *,
    force: bool = False,
    say: Callable[[str], None] = print,
    wait_seconds: float | None = None,
    poll_seconds: float = 5.0,
    sample: Callable[[], MachineLoad] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> MachineLoad:
    """Before a timed run: make sure the machine is idle (:func:`busy_reason`).

    A busy machine is given ``wait_seconds`` (:data:`IDLE_WAIT_SECONDS`) to settle, checked
    every ``poll_seconds``; if it does not, a CourseError refuses the recording, unless
    ``force``, which records anyway after a warning. Where no load can be read at all, it says
    so and goes on. Returns the last reading.
    """
    sample = sample or machine_load
    wait_seconds = IDLE_WAIT_SECONDS if wait_seconds is None else wait_seconds
    waited = 0.0
    while True:
        load = sample()
        if load.load1 is None and load.cpu_busy is None:
            say("warning: cannot read this machine's load; make sure nothing else runs")
            return load
        reason = busy_reason(load, ran_recently=_ran_recently())
        if reason is None:
            return load
        if force:
            say(
                f"warning: the machine is busy [{reason}]; recording anyway (--force): the time "
                "may come out too long"
            )
            return load
        if waited + poll_seconds > wait_seconds:
            raise CourseError(
                f"the machine is busy [{reason}], so a recorded time would be too long. Stop "
                "other notebooks, test suites and builds and run again, or pass --force to "
                "record anyway."
            )
        if not waited:
            say(
                f"the machine is busy [{reason}]; waiting up to {wait_seconds:.0f} s for it to "
                "settle ..."
            )
        sleep(poll_seconds)
        waited += poll_seconds


def combine_runs(runs: Sequence[RunResult]) -> RunResult:
    """Runs of one notebook as one result: median seconds, start-up and per-cell times (cells
    matched by position), the highest peak memory; ``runs`` keeps each run's seconds. The
    last run's files, results and claims, and the first error, are kept."""
    last = runs[-1]

    def median(values: list[float | None]) -> float | None:
        known = [v for v in values if v is not None]
        return statistics.median(known) if known else None

    cells = []
    if len({len(r.cells) for r in runs}) == 1:
        for same in zip(*(r.cells for r in runs)):
            cells.append(
                CellTime(
                    same[0].cell, statistics.median(c.seconds for c in same), same[0].first_line
                )
            )
    else:  # a failed run stopped early: its cells cannot be matched
        cells = list(last.cells)
    peaks = [r.peak_mib for r in runs if r.peak_mib is not None]
    return RunResult(
        notebook=last.notebook,
        status=last.status if all(r.status == "ok" for r in runs) else "failed",
        seconds=statistics.median(r.seconds for r in runs),
        executed=last.executed,
        report=last.report,
        error=next((r.error for r in runs if r.error), ""),
        parameters=last.parameters,
        results=last.results,
        claims=last.claims,
        cells=cells,
        kernel_seconds=median([r.kernel_seconds for r in runs]),
        startup_seconds=median([r.startup_seconds for r in runs]),
        setup_cell=last.setup_cell,
        peak_mib=max(peaks) if peaks else None,
        runs=[r.seconds for r in runs],
    )


def measure_default_time(
    notebook: NotebookInfo,
    parameters: dict[str, Any],
    out_dir: Path,
    *,
    kernel_name: str | None = None,
    runs: int = RECORD_RUNS,
    force: bool = False,
    say: Callable[[str], None] = print,
    sample: Callable[[], MachineLoad] | None = None,
) -> RunResult:
    """Run a notebook ``runs`` times, checking before each run that the machine is idle
    (:func:`check_idle`), and combine the runs (:func:`combine_runs`). Stops at the first
    failed run. Store the result with :func:`record_default_time`."""
    done: list[RunResult] = []
    for k in range(runs):
        check_idle(force=force, say=say, sample=sample)
        result = run_notebook(notebook, parameters, out_dir, kernel_name=kernel_name, strict=True)
        done.append(result)
        if runs > 1:
            say(f"run {k + 1} of {runs}: {result.status} in {result.seconds:.1f} s")
        if result.status != "ok":
            break
    return combine_runs(done)


#: The keys of a notebook's ``metadata.imgcourse`` that :func:`record_default_time` writes.
RECORDED_KEYS = (
    "default_seconds",
    "default_runs_seconds",
    "default_startup_seconds",
    "default_peak_mib",
    "default_slowest_cells",
)


def recorded_metadata(measured: RunResult) -> dict[str, Any]:
    """What :func:`record_default_time` stores for a measured run."""
    meta: dict[str, Any] = {"default_seconds": round(measured.seconds)}
    if measured.runs:
        meta["default_runs_seconds"] = [round(s, 1) for s in measured.runs]
    if measured.startup_seconds is not None:
        meta["default_startup_seconds"] = round(measured.startup_seconds, 1)
    if measured.peak_mib is not None:
        meta["default_peak_mib"] = round(measured.peak_mib)
    if measured.cells:
        meta["default_slowest_cells"] = [
            {"cell": c.cell, "seconds": round(c.seconds, 1), "first_line": c.first_line}
            for c in measured.slowest()
        ]
    return meta


def record_default_time(notebook: NotebookInfo, measured: RunResult | float) -> None:
    """Store a measured default-profile run in the notebook's metadata (for ``list`` and the
    budget test): its seconds and, from a RunResult, the runs, start-up, peak memory and
    slowest cells. Earlier recorded values that the new measurement lacks are removed."""
    nb = nbformat.read(notebook.path, as_version=4)
    meta = nb.metadata.setdefault("imgcourse", {})
    for key in RECORDED_KEYS:
        meta.pop(key, None)
    if isinstance(measured, RunResult):
        meta.update(recorded_metadata(measured))
    else:
        meta["default_seconds"] = round(measured)
    write_notebook(nb, notebook.path)


# --- the budget guard ----------------------------------------------------------------------------


def _slowest_text(cells: Sequence[dict[str, Any]], number: str) -> str:
    if not cells:
        return f"no per-cell times recorded (re-record: imgcourse run {number} --record-time)"
    shown = []
    for c in cells:
        label = "injected" if c.get("cell") is None else f"In [{c['cell']}]"
        shown.append(f"{label} {c.get('seconds', 0):.1f} s `{c.get('first_line', '')}`")
    return "slowest cells: " + ", ".join(shown)


def budget_problems(
    notebooks: Sequence[NotebookInfo],
    *,
    per_notebook: float = BUDGET_SECONDS,
    course_total: float = COURSE_BUDGET_SECONDS,
) -> list[str]:
    """What breaks the time budget in the notebooks' recorded ``default_seconds``: a notebook
    over ``per_notebook`` (named with its slowest cells), one with no recorded time, and a sum
    over ``course_total`` (named with the slowest notebooks). Empty when all is well."""
    problems = []
    how = "record it with `imgcourse run {} --record-time` on an idle machine"
    for nb in notebooks:
        if nb.default_seconds is None:
            problems.append(f"{nb.name}: no recorded default_seconds; " + how.format(nb.number))
        elif nb.default_seconds > per_notebook:
            problems.append(
                f"{nb.name}: recorded {nb.default_seconds:.0f} s, over the {per_notebook:.0f} s "
                f"limit per notebook; {_slowest_text(nb.default_slowest_cells, nb.number)}"
            )
    timed = [nb for nb in notebooks if nb.default_seconds is not None]
    total = sum(nb.default_seconds for nb in timed)
    if total > course_total:
        largest = sorted(timed, key=lambda nb: -nb.default_seconds)[:3]
        named = ", ".join(f"{nb.name} {nb.default_seconds:.0f} s" for nb in largest)
        problems.append(
            f"the course: recorded {total:,.0f} s in all, over the {course_total:,.0f} s limit; "
            f"the longest notebooks: {named}"
        )
    return problems


# --- executing in place (the committed outputs) --------------------------------------------------


def execute_in_place(notebook: NotebookInfo, *, timeout: int = 600) -> float:
    """Run a notebook top to bottom in the default profile and save it with its outputs.

    This is how committed outputs are made (nbval then compares fresh runs with them).
    Widget state is stored so the book can show widgets. Returns the run time in seconds;
    the recorded ``default_seconds`` is left as it was: only ``imgcourse run --record-time``
    (:func:`measure_default_time`) records times. Nothing is written if a cell fails.
    """
    from nbclient import NotebookClient

    nb = nbformat.read(notebook.path, as_version=4)
    start = time.perf_counter()
    with _kernel_sockets_config() as config:
        client = NotebookClient(
            nb,
            timeout=timeout,
            kernel_name="python3",
            resources={"metadata": {"path": str(notebook.path.parent)}},
            store_widget_state=True,
            config=config,
        )
        client.widget_registry = {}  # see _papermill_engine: the Output-widget imitation hangs
        client.execute()
    seconds = time.perf_counter() - start
    write_notebook(nb, notebook.path)
    return seconds


def claims_report(results: Sequence[RunResult]) -> str:
    """How many of the runs' claims held, then each one that did not, with its values."""
    claims = [c for r in results for c in r.claims]
    failed = [(r.notebook, c) for r in results for c in r.claims_failed]
    lines = [f"claims: {len(claims) - len(failed)} of {len(claims)} held"]
    for notebook, c in failed:
        values = ", ".join(f"{k} {v}" for k, v in c.get("values", {}).items())
        lines.append(
            f"  did not hold in {notebook}: {c['claim']}" + (f" ({values})" if values else "")
        )
    return "\n".join(lines)
