"""How fast `resnet-course report` is for a large class, against just reading its stored files.

    .venv/bin/python benchmarks/report.py [--students 300] [--from COURSE] [--repeat 3]

The class is synthesised from real graded students: the stored results of `--from` (default:
the checkout's course/, e.g. after `make demo`; when it holds none, the demo class is graded
first into a temporary copy, about 90 s). Each synthetic student takes one real student's
notebook 1 and another's notebook 2 (result, judge verdicts, feedback page), so the class has
the real files' sizes and a spread of scores and mistakes.

Measured in the same run, median of `--repeat`:
  (a) `resnet-course report` as the instructor runs it (a new process, imports included),
      against a baseline process that only reads and parses every stored file the report reads;
  (b) the report inside one process (`write_report`), against reading the files in-process.
Goal: (a) under 5 s for 300 students. The machine is shared and has 2 cores: the script
prints the load average, and figures are noisy.
"""

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
GOAL_SECONDS = 5.0

# What the baseline process does: read and parse every file the report reads, nothing else.
READ_ONLY = """
import json, pathlib, sys
store = pathlib.Path(sys.argv[1])
for path in sorted(store.glob("*/result.json")) + sorted(store.glob("*/judge/*/verdicts.json")):
    json.loads(path.read_text(encoding="utf-8"))
"""


def real_results(course):
    """The course's stored results; if it has none, the demo class graded in a temporary copy."""
    store = Path(course) / ".grading" / "resnet"
    if list(store.glob("*/result.json")):
        return Path(course)
    work = Path(tempfile.mkdtemp(prefix="report-bench-demo-"))
    copy = work / "course"
    copy.mkdir()
    checkout = REPO / "course"
    if not (checkout / "source" / "resnet").is_dir():
        subprocess.run([str(BIN / "resnet-course"), "build"], check=True, capture_output=True)
    for name in ("source", "release"):
        shutil.copytree(checkout / name, copy / name)
    shutil.copy(checkout / "nbgrader_config.py", copy / "nbgrader_config.py")
    print(f"no stored results in {course}: grading the demo class into {copy} first …", flush=True)
    env = dict(os.environ, RESNET_COURSE_REFERENCE_CACHE=str(checkout / ".cache" / "references"))
    subprocess.run([str(BIN / "resnet-course"), "demo", "--course", str(copy), "--skip-build"],
                   check=True, capture_output=True, env=env)
    return copy


def synthesise(source_course, target_course, count, seed=17):
    """`count` students in target_course/.grading/resnet/, each mixed from two real ones."""
    source = Path(source_course) / ".grading" / "resnet"
    real = [(folder, json.loads((folder / "result.json").read_text())) for folder in sorted(source.iterdir())
            if (folder / "result.json").is_file() and not folder.name.startswith(".")]
    store = Path(target_course) / ".grading" / "resnet"
    store.mkdir(parents=True)
    rng = random.Random(seed)
    for k in range(count):
        name = f"s{k:03d}"
        folder = store / name
        picks = {}
        result = {"student": name, "notebooks": {}, "timestamp": None, "fingerprint": f"synthetic-{k}"}
        for notebook in real[0][1]["notebooks"]:
            base_folder, base = rng.choice(real)
            picks[notebook] = base_folder
            result["notebooks"][notebook] = base["notebooks"][notebook]
            verdicts = base_folder / "judge" / notebook / "verdicts.json"
            if verdicts.is_file():
                (folder / "judge" / notebook).mkdir(parents=True)
                shutil.copyfile(verdicts, folder / "judge" / notebook / "verdicts.json")
        first = real[0][1]
        reasons = [f"{nb}: {o['reason']}" for nb, o in result["notebooks"].items() if o.get("reason")]
        result.update(
            status="failed" if reasons else "graded", reason="\n".join(reasons) or None,
            score=sum(o["score"] for o in result["notebooks"].values()),
            max_score=sum(o["max_score"] for o in result["notebooks"].values()),
            course_digest=first.get("course_digest"),
            seconds=round(float(first.get("seconds") or 15.0) * rng.uniform(0.6, 1.6), 2),
            peak_kernel_memory=first.get("peak_kernel_memory"), worker_peak_memory=first.get("worker_peak_memory"))
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "result.json").write_text(json.dumps(result, ensure_ascii=False, indent=1))
        page = Path(source_course) / "feedback" / picks[next(iter(picks))].name / "resnet" / "feedback.html"
        if page.is_file():
            (target_course / "feedback" / name / "resnet").mkdir(parents=True)
            shutil.copyfile(page, target_course / "feedback" / name / "resnet" / "feedback.html")
    if (Path(source_course) / "source").is_dir():  # for the exercise each check belongs to
        shutil.copytree(Path(source_course) / "source", Path(target_course) / "source")
    return store


def timed(command):
    started = time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True)
    elapsed = time.monotonic() - started
    if done.returncode != 0:
        sys.exit(f"failed: {' '.join(map(str, command))}\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}")
    return elapsed


def read_in_process(store):
    started = time.monotonic()
    for path in sorted(store.glob("*/result.json")) + sorted(store.glob("*/judge/*/verdicts.json")):
        json.loads(path.read_text(encoding="utf-8"))
    return time.monotonic() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--students", type=int, default=300)
    parser.add_argument("--from", dest="source", default=str(REPO / "course"))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    source = real_results(args.source)
    work = Path(tempfile.mkdtemp(prefix="report-bench-"))
    try:
        course = work / "course"
        store = synthesise(source, course, args.students)
        files = len(list(store.glob("*/result.json"))) + len(list(store.glob("*/judge/*/verdicts.json")))
        size = sum(p.stat().st_size for p in store.rglob("*.json"))
        print(f"class: {args.students} students synthesised from {source}/.grading/resnet "
              f"({files} stored files, {size / 2**20:.1f} MB); load average {os.getloadavg()[0]:.2f}")

        report_cli = [str(BIN / "resnet-course"), "report", "--course", str(course), "--out", str(work / "out")]
        baseline_cli = [sys.executable, "-c", READ_ONLY, str(store)]
        cli, floor = [], []
        for _ in range(args.repeat):
            floor.append(timed(baseline_cli))
            cli.append(timed(report_cli))

        from resnet_course.autograder.grading.report import write_report

        write_report(course, out=work / "warm")  # imports and the catalog, once
        inner, reading = [], []
        for _ in range(args.repeat):
            reading.append(read_in_process(store))
            started = time.monotonic()
            write_report(course, out=work / "inner")
            inner.append(time.monotonic() - started)

        report, base = statistics.median(cli), statistics.median(floor)
        print(f"(a) resnet-course report, new process: {report:.2f} s   baseline (read every stored file, "
              f"new process): {base:.2f} s   ratio {report / base:.1f}x   "
              f"goal < {GOAL_SECONDS:.0f} s: {'met' if report < GOAL_SECONDS else 'NOT met'}")
        print(f"    runs: report {', '.join(f'{t:.2f}' for t in cli)}; baseline {', '.join(f'{t:.2f}' for t in floor)}")
        inside, read = statistics.median(inner), statistics.median(reading)
        print(f"(b) write_report in-process: {inside:.2f} s   baseline (read every stored file): {read:.3f} s   "
              f"ratio {inside / read:.0f}x")
        page_kb = (work / "inner" / "report.html").stat().st_size / 1024
        print(f"    load average now {os.getloadavg()[0]:.2f}; page {page_kb:.0f} kB")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
