"""Wall time of the course notebooks, run top to bottom from their sources, per run mode.

    python benchmarks/notebooks.py                              # every notebook, full and quick
    python benchmarks/notebooks.py 01_vanishing_gradients --modes quick
    python benchmarks/notebooks.py 02_residual_networks --modes full quick autograde

Each run executes the source notebook (solutions and hidden tests included) in a fresh
kernel in a temporary folder, with the mode's environment: `full` (nothing set), `quick`
(RESNET_COURSE_QUICK=1) or `autograde` (NBGRADER_EXECUTION=autograde). It prints the wall
time, the number of cells that raised, and the slowest cells. The machine may be shared:
the load average printed first says how much to trust the times.
"""

import argparse
import os
import sys
import tempfile
import time
from datetime import datetime

import resnet_course.utils  # noqa: F401  (quiet TensorFlow in this process too)
from resnet_course.autograder.authoring import sources

MODES = {
    "full": {},
    "quick": {"RESNET_COURSE_QUICK": "1"},
    "autograde": {"NBGRADER_EXECUTION": "autograde"},
}
_MODE_VARIABLES = ("RESNET_COURSE_QUICK", "NBGRADER_EXECUTION", "RESNET_COURSE_ARTIFACTS")


def _cell_seconds(cell):
    timing = cell.get("metadata", {}).get("execution", {})
    start, end = timing.get("iopub.execute_input"), timing.get("shell.execute_reply")
    if not (start and end):
        return 0.0
    parse = lambda stamp: datetime.fromisoformat(stamp.replace("Z", "+00:00"))  # noqa: E731
    return (parse(end) - parse(start)).total_seconds()


def run_notebook(stem, mode, timeout):
    """Execute one source notebook in `mode`; return (seconds, error cells, slowest cells)."""
    from nbclient import NotebookClient

    from resnet_course.autograder.judge.private_kernel import PrivateSocketKernelManager

    nb = sources.read_source(stem)
    saved = {name: os.environ.pop(name, None) for name in _MODE_VARIABLES}
    os.environ.update(MODES[mode])
    try:
        with tempfile.TemporaryDirectory(prefix=f"bench-{stem}-") as folder:
            client = NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=True,
                                    kernel_manager_class=PrivateSocketKernelManager,
                                    resources={"metadata": {"path": folder}})
            start = time.perf_counter()
            client.execute()
            seconds = time.perf_counter() - start
    finally:
        for name in MODES[mode]:
            os.environ.pop(name, None)
        for name, value in saved.items():
            if value is not None:
                os.environ[name] = value
    code = [(index, cell) for index, cell in enumerate(nb.cells) if cell.cell_type == "code"]
    errors = [(index, out.get("ename", "?")) for index, cell in code
              for out in cell.outputs if out.get("output_type") == "error"]
    slowest = sorted(((_cell_seconds(cell), index, cell.source.strip().splitlines()[0][:60])
                      for index, cell in code if cell.source.strip()), reverse=True)[:3]
    return seconds, errors, slowest


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("notebooks", nargs="*", help=f"notebook names (default: {' '.join(sources.NOTEBOOKS)})")
    parser.add_argument("--modes", nargs="+", choices=sorted(MODES), default=["full", "quick"],
                        help="run modes to time (default: full quick)")
    parser.add_argument("--timeout", type=int, default=900, help="seconds allowed per cell (default 900)")
    parser.add_argument("--budget", type=float, default=180.0,
                        help="seconds a full run may take on 2 cores (default 180); runs above it are flagged")
    args = parser.parse_args(argv)

    stems = args.notebooks or [stem for stem in sources.NOTEBOOKS if sources.source_path(stem).is_file()]
    print(f"cpus {os.cpu_count()}, load average {' '.join(f'{x:.1f}' for x in os.getloadavg())} "
          f"(shared machine: noisy)")
    failed = False
    for stem in stems:
        for mode in args.modes:
            seconds, errors, slowest = run_notebook(stem, mode, args.timeout)
            flag = "  OVER BUDGET" if mode == "full" and seconds > args.budget else ""
            print(f"{stem}  {mode:9s}  {seconds:7.1f} s  errors {len(errors)}{flag}", flush=True)
            for cell_seconds, index, first_line in slowest:
                print(f"    cell {index:3d}  {cell_seconds:6.1f} s  {first_line}")
            for index, name in errors:
                print(f"    cell {index:3d} raised {name}")
            failed = failed or bool(errors)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
