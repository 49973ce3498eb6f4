"""The ``imgcourse`` command line: a thin layer over :mod:`imgcourse.course` and friends.

Exit codes: 0 success, 1 a notebook or check failed, 2 a usage error (bad name, parameter).
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from imgcourse import course
from imgcourse.course import runner
from imgcourse.course.seeds import parse_seeds, run_over_seeds, seed_table


def _cmd_list(args: argparse.Namespace) -> int:
    notebooks = course.list_notebooks()
    print(f"{'#':<3} {'notebook':<28} {'default run':>11} {'peak memory':>11}  title")
    for nb in notebooks:
        t = f"{nb.default_seconds:.0f} s" if nb.default_seconds is not None else "-"
        mib = f"{nb.default_peak_mib:,.0f} MiB" if nb.default_peak_mib is not None else "-"
        print(f"{nb.number:<3} {nb.name:<28} {t:>11} {mib:>11}  {nb.title}")
    total = sum(nb.default_seconds or 0 for nb in notebooks)
    limit = f"(limit {runner.COURSE_BUDGET_SECONDS:,} s)"
    print(f"{'':<3} {'total':<28} {f'{total:,.0f} s':>11} {'':>11}  {limit}")
    return 0


def _cmd_run(args: argparse.Namespace) -> int:
    if not args.names and not args.all:
        raise course.CourseError("name one or more notebooks, or pass --all (see imgcourse list)")
    notebooks = course.list_notebooks() if args.all else course.find_notebooks(args.names)
    overrides = [tuple(p) for p in args.param or []]
    # every parameter is checked before any kernel starts
    plans = [(nb, course.resolve_parameters(nb, overrides, args.profile)) for nb in notebooks]
    default_runs = all(k == "PROFILE" and v == "default" for _, p in plans for k, v in p.items())
    if args.record_time and not default_runs:
        raise course.CourseError(
            "--record-time records default-profile times: drop -p and --profile full"
        )
    out_dir = Path(args.out).resolve()
    if args.seeds:
        if args.record_time:
            raise course.CourseError("--seeds and --record-time do not mix: run them apart")
        return _run_seeds(plans, parse_seeds(args.seeds), out_dir, args.kernel)
    results = []
    for nb, params in plans:
        print(f"running {nb.name} ...", flush=True)
        if args.record_time:  # the median of runs on an idle machine (see CONTRIBUTING.md)
            result = runner.measure_default_time(
                nb,
                params,
                out_dir,
                kernel_name=args.kernel,
                force=args.force,
                say=lambda line: print(f"  {line}", flush=True),
            )
        else:
            strict = True if args.strict else None
            result = runner.run_notebook(
                nb, params, out_dir, kernel_name=args.kernel, strict=strict
            )
        print(f"  {result.status} in {result.seconds:.1f} s -> {result.report}", flush=True)
        for line in runner.breakdown_lines(result):
            print(f"  {line}", flush=True)
        if args.record_time and result.status == "ok":
            runner.record_default_time(nb, result)
            print(f"  recorded in {nb.path.name}'s metadata", flush=True)
        results.append(result)
    runner.write_summary(results, out_dir)
    budget = runner.BUDGET_SECONDS if (args.profile or "default") == "default" else None
    print(runner.summary_table(results, budget))
    print(runner.claims_report(results))
    print(f"executed notebooks and HTML reports in {out_dir}")
    return 0 if all(r.status == "ok" for r in results) else 1


def _run_seeds(plans: list, seeds: list[int], out_dir: Path, kernel: str | None) -> int:
    """``run --seeds``: each notebook once per seed, strictly; a table at the end."""
    runs = {}
    for nb, params in plans:
        print(f"running {nb.name} on seeds {', '.join(map(str, seeds))} (strict) ...", flush=True)
        runs[nb.name] = run_over_seeds(
            nb,
            params,
            seeds,
            out_dir / nb.name,
            kernel_name=kernel,
            say=lambda line: print(line, flush=True),
        )
    every = [r for by_seed in runs.values() for r in by_seed.values()]
    runner.write_summary(every, out_dir)
    print(seed_table(runs))
    print(runner.claims_report(every))
    print(f"executed notebooks and HTML reports in {out_dir}/NN_topic/seed-N")
    return 0 if all(r.status == "ok" for r in every) else 1


def _cmd_refresh(args: argparse.Namespace) -> int:
    notebooks = course.list_notebooks() if args.all else course.find_notebooks(args.names)
    for nb in notebooks:
        seconds = runner.execute_in_place(nb)
        print(f"{nb.name}: executed in place in {seconds:.1f} s (not recorded as its time)")
    return 0


def _cmd_doctor(args: argparse.Namespace) -> int:
    from imgcourse.doctor import doctor_report

    print(doctor_report())
    return 0


def _cmd_bench(args: argparse.Namespace) -> int:
    from imgcourse.bench import run_benchmarks

    run_benchmarks(num_images=args.images, epochs=args.epochs)
    return 0


def _cmd_notebooks(args: argparse.Namespace) -> int:
    from imgcourse.course.install import copy_notebooks

    copied = copy_notebooks(args.out, force=args.force)
    out = Path(args.out).expanduser().resolve()
    home = out.parent if out.name == "notebooks" else out
    print(f"copied {len(copied)} notebooks into {out}")
    print(f"from {home}, `imgcourse list` and `imgcourse run 06` use them; or: jupyter lab {out}")
    return 0


def _cmd_student(args: argparse.Namespace) -> int:
    from imgcourse.course.student import write_student_versions

    reports = write_student_versions(course.notebooks_dir(), Path(args.out))
    for report in reports:
        print(report)
    print(f"student versions in {Path(args.out).resolve()}")
    return 0


def _cmd_grade(args: argparse.Namespace) -> int:
    from imgcourse.course.grade import grade_class, network_sandbox

    print(f"grading {Path(args.submissions).resolve()}: {network_sandbox()[1]}", flush=True)
    source = Path(args.source) if args.source else None
    results = grade_class(
        Path(args.submissions), Path(args.out), source=source, timeout=args.timeout, progress=True
    )
    out = Path(args.out).resolve()
    print(f"{len(results)} notebook(s) graded: {out / 'gradebook.csv'}; reports in feedback/")
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    from imgcourse.course.report import make_report

    def step(heading: str) -> None:
        print(f"  {heading}", flush=True)

    print(f"report on {Path(args.data_dir).resolve()} ...", flush=True)
    overrides = [tuple(p) for p in args.param or []]
    report = make_report(
        args.data_dir,
        overrides,
        args.out,
        profile=args.profile,
        kernel_name=args.kernel,
        on_section=step,
    )
    run = report.run
    if run.status != "ok":
        print(f"failed after {run.seconds:.1f} s: {run.error}", file=sys.stderr)
        print(f"the notebook, with the failing cell, is in {report.folder}", file=sys.stderr)
        return 1
    print(f"done in {run.seconds:.1f} s; in {report.folder}:")
    for name in report.files:
        size = (report.folder / name).stat().st_size
        print(f"  {name:<32} {size / 1024:>10,.1f} kB")
    accuracy = report.metrics.get("test_accuracy")
    if accuracy is not None:
        print(f"test accuracy {accuracy:.1%}")
    return 0


def _positive(kind: type) -> Callable[[str], Any]:
    """An argparse type: a number of ``kind`` above 0, or a message saying so."""

    def parse(text: str) -> Any:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a {kind.__name__}") from None
        if not (value > 0 and math.isfinite(value)):
            raise argparse.ArgumentTypeError(f"must be above 0, got {text!r}")
        return value

    parse.__name__ = f"positive {kind.__name__}"
    return parse


def _add_notebook_options(parser: argparse.ArgumentParser, whose: str) -> None:
    """``-p KEY VALUE`` (repeatable) and ``--profile``, for commands that run a notebook."""
    parser.add_argument(
        "-p",
        "--param",
        nargs=2,
        action="append",
        metavar=("KEY", "VALUE"),
        help=f"override a parameter of {whose}",
    )
    parser.add_argument("--profile", choices=course.PROFILES, help="default (CPU) or full (GPU)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="imgcourse", description="Run and manage the deep-learning-for-images course."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    sub.add_parser("list", help="list the notebooks with their default-profile run times")

    run = sub.add_parser("run", help="run notebooks with papermill and write HTML reports")
    run.add_argument("names", nargs="*", help="notebook numbers or names, e.g. 02 or cnn_basics")
    run.add_argument("--all", action="store_true", help="run every notebook")
    _add_notebook_options(run, "the notebook's parameters cell")
    run.add_argument("--out", default="reports", help="folder for executed notebooks and reports")
    run.add_argument("--kernel", default=None, help="Jupyter kernel name (default: the notebook's)")
    run.add_argument(
        "--record-time",
        action="store_true",
        help="run each notebook twice on an idle machine and store the median time, peak "
        "memory and slowest cells in its metadata (default profile only)",
    )
    run.add_argument(
        "--force",
        action="store_true",
        help="with --record-time: record even when the machine is busy (with a warning)",
    )
    run.add_argument(
        "--strict",
        action="store_true",
        help="a claim of the text that does not hold fails the run (default: only when CI or "
        "IMGCOURSE_STRICT=1 is set; otherwise it prints a note)",
    )
    run.add_argument(
        "--seeds",
        default=None,
        metavar="A-B",
        help="run each notebook once per seed (e.g. 42-46 or 1,5,9), strictly, into "
        "OUT/NN_topic/seed-N, and print a table of the runs and claims per seed",
    )

    refresh = sub.add_parser("refresh", help="(developers) execute notebooks in place")
    refresh.add_argument("names", nargs="*")
    refresh.add_argument("--all", action="store_true")

    sub.add_parser("doctor", help="versions, devices, precision, cache folder, cached datasets")

    bench = sub.add_parser("bench", help="tf.data vs a Python loop, and training images/s")
    bench.add_argument("--images", type=_positive(int), default=4096, help="images per measurement")
    bench.add_argument("--epochs", type=_positive(int), default=5, help="epochs per measurement")

    notebooks = sub.add_parser(
        "notebooks", help="copy the course's notebooks (they come with the package) into a folder"
    )
    notebooks.add_argument("--out", default="notebooks", help="folder for them (notebooks)")
    notebooks.add_argument(
        "--force", action="store_true", help="replace notebooks there that you have changed"
    )

    student = sub.add_parser("student", help="write student versions without solutions")
    student.add_argument("--out", default="student", help="output folder")

    report = sub.add_parser(
        "report", help="train on your folder of images (one sub-folder per class) and report"
    )
    report.add_argument("data_dir", help="folder with one sub-folder of images per class")
    _add_notebook_options(report, "the capstone notebook (see imgcourse run 19)")
    report.add_argument(
        "--out", default="report", help="folder for the report (replaced by a new report)"
    )
    report.add_argument("--kernel", default=None, help="Jupyter kernel name")

    grade = sub.add_parser("grade", help="grade submitted student notebooks into a gradebook")
    grade.add_argument(
        "submissions", help="folder of submissions: one folder per student, or files by student"
    )
    grade.add_argument("--out", default="grades", help="folder for the gradebook and reports")
    grade.add_argument(
        "--timeout",
        type=_positive(float),
        default=600,
        help="time limit per notebook in seconds (600)",
    )
    grade.add_argument(
        "--source", default=None, help="the instructor's notebook or folder (default: notebooks/)"
    )
    return parser


COMMANDS = {
    "list": _cmd_list,
    "run": _cmd_run,
    "refresh": _cmd_refresh,
    "doctor": _cmd_doctor,
    "bench": _cmd_bench,
    "student": _cmd_student,
    "notebooks": _cmd_notebooks,
    "grade": _cmd_grade,
    "report": _cmd_report,
}


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``imgcourse`` and ``python -m imgcourse``."""
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except course.CourseError as exc:
        print(f"imgcourse: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("imgcourse: interrupted", file=sys.stderr)
        return 130
