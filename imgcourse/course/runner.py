"""Running course notebooks: papermill runs with HTML reports and a timing summary, and
executing a notebook in place to store its outputs. The command line (``imgcourse run``,
``imgcourse refresh``) is a thin layer over this. Introduced in ``00_welcome``.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat

from imgcourse.course.catalogue import NotebookInfo, write_notebook
from imgcourse.results import ENV_OUTPUT, ENV_RESULTS, read_results

#: Default-profile budget per notebook, in seconds, on a 2-core CPU.
BUDGET_SECONDS = 180
#: Cell tags that hide a cell's input in HTML reports.
HIDE_INPUT_TAGS = ("hide-input", "remove-input")


@dataclass
class RunResult:
    """The outcome of running one notebook."""

    notebook: str
    status: str  # "ok" or "failed"
    seconds: float
    executed: Path | None = None
    report: Path | None = None
    error: str = ""
    parameters: dict[str, Any] = field(default_factory=dict)
    results: dict[str, float] = field(default_factory=dict)


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
    folder.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{REPORT_ASSETS}.", dir=folder))
    try:
        shutil.copytree(_ASSETS, staging, dirs_exist_ok=True)
        if target.exists():
            shutil.rmtree(target, ignore_errors=True)
        os.replace(staging, target)
    except OSError:
        shutil.rmtree(staging, ignore_errors=True)
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
    tmp = html_path.with_suffix(".html.part")
    tmp.write_text(body, encoding="utf-8")
    os.replace(tmp, html_path)
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
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.widget_registry = {}

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
        )
        with _folder_lock(out_dir):
            ensure_report_assets(out_dir)  # only once the run is over: Ctrl-C leaves nothing
            for produced in sorted(Path(staging).iterdir()):
                os.replace(produced, out_dir / produced.name)
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


def _run_into(
    notebook: NotebookInfo,
    parameters: dict[str, Any],
    out_dir: Path,
    *,
    kernel_name: str | None,
    progress: bool,
    cell_timeout: int,
    on_section: Callable[[str], None] | None = None,
) -> RunResult:
    """Execute with papermill into ``out_dir`` (a private folder) and write the report there."""
    import papermill
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    executed = out_dir / notebook.path.name
    report = out_dir / f"{notebook.name}.html"
    results_path = out_dir / f"{notebook.name}.results.json"
    start = time.perf_counter()
    status, error = "ok", ""
    run_env = {ENV_RESULTS: str(results_path), ENV_OUTPUT: str(out_dir)}
    saved_env = {key: os.environ.get(key) for key in run_env}
    os.environ.update(run_env)  # the kernel inherits the environment
    hooks = {} if on_section is None else {"on_cell_start": _section_hook(notebook, on_section)}
    try:
        with _kernel_sockets_config() as config:
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
                **hooks,
            )
    except papermill.PapermillExecutionError as exc:
        status = "failed"
        error = f"cell {exc.exec_count}: {exc.ename}: {exc.evalue}"
    except (CellTimeoutError, DeadKernelError) as exc:
        status = "failed"
        error = f"{type(exc).__name__}: {exc}"
    finally:
        for key, value in saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    seconds = time.perf_counter() - start
    if executed.exists():
        write_html_report(executed, report, copy_assets=False)
    results = read_results(results_path)
    if not results_path.exists():  # never leave an earlier run's numbers beside this report
        results_path.write_text("{}", encoding="utf-8")
    return RunResult(
        notebook=notebook.name,
        status=status,
        seconds=seconds,
        executed=executed if executed.exists() else None,
        report=report if report.exists() else None,
        error=error,
        parameters=parameters,
        results=results,
    )


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
        if r.error:
            lines.append(f"{'':<{width}}  {r.error}")
    total = sum(r.seconds for r in results)
    lines.append(f"{'total':<{width}}  {'':<8}  {total:>6.1f} s")
    return "\n".join(lines)


def write_summary(results: list[RunResult], out_dir: Path) -> Path:
    """``summary.json`` beside the reports: status, seconds and paths of each run."""
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
        }
        for r in results
    ]
    partial = out_dir / f".summary.json.{os.getpid()}.part"
    partial.write_text(json.dumps(rows, indent=2, default=str), encoding="utf-8")
    os.replace(partial, path)  # never a half-written summary
    return path


def record_default_time(notebook: NotebookInfo, seconds: float) -> None:
    """Store a measured default-profile run time in the notebook's metadata (for ``list``)."""
    nb = nbformat.read(notebook.path, as_version=4)
    nb.metadata.setdefault("imgcourse", {})["default_seconds"] = round(seconds)
    write_notebook(nb, notebook.path)


def execute_in_place(notebook: NotebookInfo, *, timeout: int = 600) -> float:
    """Run a notebook top to bottom in the default profile and save it with its outputs.

    This is how committed outputs are made (nbval then compares fresh runs with them).
    Widget state is stored so the book can show widgets. Returns the run time in seconds,
    also recorded in the notebook's metadata. Nothing is written if a cell fails.
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
    nb.metadata.setdefault("imgcourse", {})["default_seconds"] = round(seconds)
    write_notebook(nb, notebook.path)
    return seconds
