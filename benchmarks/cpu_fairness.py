"""How much of a core a student's kernel keeps while the kernel graded beside it floods the CPU.

    .venv/bin/python benchmarks/cpu_fairness.py [--forks 12] [--seconds 4]

Two sandboxed kernels, as `resnet-course grade --jobs 2` runs them. The "victim" spins for a
few seconds and reports the CPU time it got per second of wall time:

  baseline   the victim alone, in the same run
  flooded    the victim beside a kernel that forks `--forks` busy processes

Printed: both shares and their ratio. Each kernel's equal-weight cpu cgroup (grading/limits.py)
makes the flood count as one claimant, so on 2 cores the ratio stays near 1; without the
groups, CFS shares per process and the victim got 0.14 of a core here. The scheduler's
autogroups (one per session, and bwrap starts a session) give the same fairness on their own:
`--no-autogroup` switches them off for the run (root only), to show the cgroups' effect.
Goal: ratio at least 0.6. Figures depend on the machine's load; the script prints it.
"""

import argparse
import os
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from nbformat.v4 import new_code_cell, new_notebook
from traitlets.config import Config

import resnet_course.utils  # noqa: F401  (quiet TensorFlow)
from resnet_course.autograder.grading.guarded_execute import GuardedExecute

FLOOD = """
import os, time
children = []
for _ in range({forks}):
    pid = os.fork()
    if pid == 0:
        end = time.time() + {seconds} + 10
        while time.time() < end:
            pass
        os._exit(0)
    children.append(pid)
for pid in children:
    os.waitpid(pid, 0)
print("flood-done")
"""

VICTIM = """
import time
time.sleep({delay})
start_wall, start_cpu = time.time(), time.process_time()
while time.time() - start_wall < {seconds}:
    pass
print(round((time.process_time() - start_cpu) / (time.time() - start_wall), 3))
"""


def run_cell(folder, code, uid):
    """One cell in a sandboxed kernel; its printed output."""
    student = folder / "student"  # the kernel's working folder; its own folders sit beside it
    student.mkdir(parents=True, exist_ok=True)
    nb = new_notebook(cells=[new_code_cell(code)])
    nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    config = Config()
    config.SandboxedKernelManager.work_root = str(folder / "work")
    config.SandboxedKernelManager.sandbox_uid = uid
    config.GuardedExecute.timeout = 300
    done, _ = GuardedExecute(config=config).preprocess(nb, {"metadata": {"path": str(student)}})
    outputs = done.cells[0].outputs
    text = "".join(output.get("text", "") for output in outputs).strip()
    if not text:
        raise RuntimeError(f"the kernel printed nothing: {outputs}")
    return text


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--forks", type=int, default=12)
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--no-autogroup", action="store_true")
    args = parser.parse_args(argv)
    uid = 3_900_000 + os.getpid() % 900 if os.geteuid() == 0 else None
    autogroup = Path("/proc/sys/kernel/sched_autogroup_enabled")
    saved = autogroup.read_text() if args.no_autogroup and autogroup.exists() else None
    print(f"load average before: {os.getloadavg()[0]:.2f}, cores: {os.cpu_count()}")
    with tempfile.TemporaryDirectory(prefix="resnet-fairness-") as tmp:
        tmp = Path(tmp)
        try:
            if saved is not None:
                autogroup.write_text("0")
            alone = float(run_cell(tmp / "alone", VICTIM.format(delay=0, seconds=args.seconds), uid))
            with ThreadPoolExecutor(2) as pool:
                flood = pool.submit(run_cell, tmp / "flood", FLOOD.format(forks=args.forks, seconds=args.seconds),
                                    uid + 1 if uid else None)
                # the victim starts measuring once the flood has had time to start its kernel
                beside = pool.submit(run_cell, tmp / "victim", VICTIM.format(delay=4, seconds=args.seconds),
                                     uid + 2 if uid else None)
                flooded = float(beside.result())
                flood.result()
        finally:
            if saved is not None:
                autogroup.write_text(saved)
    ratio = flooded / alone if alone else float("nan")
    print(f"victim alone:       {alone:.3f} of a core")
    print(f"victim beside flood ({args.forks} busy processes): {flooded:.3f} of a core")
    print(f"ratio: {ratio:.2f} (goal >= 0.6){'' if ratio >= 0.6 else '  BELOW GOAL'}")
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    started = time.monotonic()
    code = main()
    print(f"({time.monotonic() - started:.0f} s)", file=sys.stderr)
    sys.exit(code)
