"""The class's figures: score distributions, checks from hardest, mistakes by frequency, time.

`class_figures(stored)` turns what `report_store.read_class` read into one plain dictionary:
the report's JSON, from which the page, the plots and the CSV files are all drawn, so the three
always agree. Every grade id and every maximum comes from the stored results.
"""

import math
import statistics
from collections import Counter, defaultdict

from .report_texts import languages_of, reason_entries, render_problem

# The judge's keys for "nothing reached the judge" (judge/preprocessors.py `_NOTHING_ARRIVED`;
# importing that module would import nbgrader, 3 s; tests/grading/test_report.py holds the
# two lists equal). These say a function did not run, not what a student misunderstood.
NO_RESULT_KEYS = ("judge.missing", "model.case_missing", "arrays.case_missing", "plots.case_missing")
TOTAL = "total"
SLOWEST = 10
_EPSILON = 1e-9


def _full(score, max_score):
    return max_score > 0 and score >= max_score - _EPSILON


def histogram(scores, max_score, target_bins=20):
    """Bins [low, high) of a whole number of points each below full marks, then full marks alone."""
    width = max(1, math.ceil(max_score / target_bins)) if max_score > 0 else 1
    count = math.ceil(max_score / width)
    bins = [{"low": index * width, "high": min((index + 1) * width, max_score), "count": 0, "full": False}
            for index in range(count)]
    bins.append({"low": max_score, "high": max_score, "count": 0, "full": True})
    for score in scores:
        index = count if _full(score, max_score) or max_score <= 0 else min(count - 1, max(0, int(score // width)))
        bins[index]["count"] += 1
    return {"width": width, "bins": bins}


def distribution(pairs):
    """Mean, median, full and zero counts and the histogram of [(score, max_score)]."""
    scores = [score for score, _ in pairs]
    max_score = max((m for _, m in pairs), default=0.0)
    return {
        "students": len(pairs),
        "max_score": max_score,
        "mean": round(statistics.fmean(scores), 3) if scores else None,
        "median": statistics.median(scores) if scores else None,
        "min": min(scores, default=None),
        "max": max(scores, default=None),
        "full": sum(_full(score, m) for score, m in pairs),
        "zero": sum(abs(score) < _EPSILON for score in scores),
        "histogram": histogram(scores, max_score),
    }


def distributions(stored):
    parts = []
    for notebook in stored.structure:
        pairs = [(float(s.result["notebooks"][notebook].get("score") or 0.0),
                  float(s.result["notebooks"][notebook].get("max_score") or 0.0))
                 for s in stored.students if notebook in s.result["notebooks"]]
        parts.append(dict(part=notebook, **distribution(pairs)))
    totals = [(float(s.result.get("score") or 0.0), float(s.result.get("max_score") or 0.0))
              for s in stored.students]
    parts.append(dict(part=TOTAL, **distribution(totals)))
    return parts


# A values check that fails says how the output differs (the symptom) and, when reading the
# graph names the cause, that cause under `model.look_at` with its own key. The class report
# counts causes: the symptom is counted only when no cause was named beside it.
CAUSE_KEY = "model.look_at"
SYMPTOM_KEYS = frozenset({"model.values_differ", "model.output_shape"})


def _problems(stored):
    """Every problem the judge named in a failed check: (student, notebook, grade id, key, values, text).

    `text` is the stored text to fall back on when the catalog cannot render the problem again.
    """
    for student in stored.students:
        for notebook, verdicts in student.verdicts.items():
            for grade_id, verdict in verdicts.items():
                if verdict.get("passed"):
                    continue
                problems = [(p[0], p[1] if isinstance(p[1], dict) else {}) for p in verdict.get("problems") or []
                            if isinstance(p, (list, tuple)) and len(p) == 2 and isinstance(p[0], str)]
                named_cause = any(key == CAUSE_KEY and values.get("cause") for key, values in problems)
                for key, values in problems:
                    if key == CAUSE_KEY and values.get("cause"):
                        yield student.name, notebook, grade_id, values["cause"], None, values.get("problem")
                    elif not (named_cause and key in SYMPTOM_KEYS):
                        yield student.name, notebook, grade_id, key, values, verdict.get("message")


def mistakes(stored):
    """(named mistakes, checks nothing reached): each key with its students, checks and texts."""
    found = {}
    for student, notebook, grade_id, key, values, stored_text in _problems(stored):
        entry = found.setdefault(key, {"key": key, "students": set(), "checks": defaultdict(set),
                                       "notebooks": set(), "texts": {}})
        entry["students"].add(student)
        entry["checks"][grade_id].add(student)
        entry["notebooks"].add(notebook)
        texts = (values is not None and render_problem(key, values)) or languages_of(str(stored_text or key))
        entry["texts"].setdefault(texts, set()).add(student)
    order = {gid: index for index, gid in enumerate(gid for cells in stored.structure.values() for gid in cells)}
    listed = []
    for entry in found.values():
        texts = sorted(entry["texts"].items(), key=lambda item: (-len(item[1]), item[0]))
        listed.append({
            "key": entry["key"],
            "count": len(entry["students"]),
            "students": sorted(entry["students"]),
            "notebooks": sorted(entry["notebooks"]),
            "checks": [{"grade_id": gid, "count": len(names), "students": sorted(names)}
                       for gid, names in sorted(entry["checks"].items(),
                                                key=lambda item: (-len(item[1]), order.get(item[0], 1e9)))],
            "texts": [{"ko": ko, "en": en, "count": len(names), "students": sorted(names)}
                      for (ko, en), names in texts],
        })
    listed.sort(key=lambda entry: (-entry["count"], entry["key"]))
    named = [entry for entry in listed if entry["key"] not in NO_RESULT_KEYS]
    return named, [entry for entry in listed if entry["key"] in NO_RESULT_KEYS]


def checks(stored, named):
    """The checks grouped by exercise; inside a group, and the groups too, the hardest first."""
    top = defaultdict(list)
    for entry in named:
        for check in entry["checks"]:
            top[check["grade_id"]].append({"key": entry["key"], "count": check["count"]})
    groups = {}
    position = 0
    for notebook, cells in stored.structure.items():
        for grade_id, max_score in cells.items():
            position += 1
            scores = [float(s.result["notebooks"][notebook]["grades"][grade_id].get("score") or 0.0)
                      for s in stored.students
                      if grade_id in s.result["notebooks"].get(notebook, {}).get("grades", {})]
            passed = sum(_full(score, max_score) for score in scores)
            exercise = stored.exercises.get(grade_id, grade_id)
            group = groups.setdefault((notebook, exercise), {"exercise": exercise, "notebook": notebook,
                                                              "position": position, "checks": []})
            group["checks"].append({
                "grade_id": grade_id, "notebook": notebook, "exercise": exercise, "max_score": max_score,
                "students": len(scores), "passed": passed,
                "pass_rate": round(passed / len(scores), 4) if scores else None,
                "mean_points": round(statistics.fmean(scores), 3) if scores else None,
                "top_mistakes": sorted(top[grade_id], key=lambda m: (-m["count"], m["key"]))[:3],
                "position": position,
            })

    def hardness(check):
        rate = 2.0 if check["pass_rate"] is None else check["pass_rate"]
        fraction = (check["mean_points"] or 0.0) / check["max_score"] if check["max_score"] else 1.0
        return rate, fraction, check["position"]

    listed = []
    for group in groups.values():
        group["checks"].sort(key=hardness)
        group["pass_rate"] = group["checks"][0]["pass_rate"]
        listed.append(group)
    listed.sort(key=lambda group: (hardness(group["checks"][0]), group["position"]))
    for group in listed:
        del group["position"]
        for check in group["checks"]:
            del check["position"]
    return listed


def irregular(stored):
    """Students not graded as normal, each reason with its kind and its text in both languages."""
    found = []
    for student in stored.students:
        result = student.result
        if result.get("status") in (None, "graded") and not result.get("reason") and \
                not any(o.get("reason") for o in result["notebooks"].values()):
            continue
        found.append({"student": student.name, "status": result.get("status"),
                      "score": result.get("score"), "max_score": result.get("max_score"),
                      "reasons": reason_entries(result)})
    return found


def timing(stored):
    """Grading time per student (the worker's seconds, kernels included), the total, the slowest."""
    timed = [(s.name, float(s.result["seconds"]), s.result.get("peak_kernel_memory"))
             for s in stored.students if isinstance(s.result.get("seconds"), (int, float))]
    seconds = [value for _, value, _ in timed]
    per_student = [{"student": name, "seconds": value, "peak_kernel_memory": memory}
                   for name, value, memory in sorted(timed, key=lambda item: (-item[1], item[0]))]
    return {
        "students_timed": len(timed),
        "untimed": sorted(s.name for s in stored.students if not isinstance(s.result.get("seconds"), (int, float))),
        "total_seconds": round(sum(seconds), 2),
        "mean_seconds": round(statistics.fmean(seconds), 2) if seconds else None,
        "median_seconds": statistics.median(seconds) if seconds else None,
        "slowest": per_student[:SLOWEST],
        "per_student": per_student,
    }


def course_versions(stored):
    """How many course versions the class was graded against; who was graded against a minority one."""
    digests = Counter(s.result.get("course_digest") for s in stored.students)
    if len(digests) <= 1:
        return {"versions": len(digests), "other_version": []}
    common = digests.most_common(1)[0][0]
    return {"versions": len(digests),
            "other_version": sorted(s.name for s in stored.students if s.result.get("course_digest") != common)}


def student_rows(stored):
    rows = []
    for student in sorted(stored.students, key=lambda s: s.name):
        result = student.result
        rows.append({"student": student.name, "status": result.get("status"),
                     "scores": {nb: result["notebooks"][nb].get("score") for nb in stored.structure
                                if nb in result["notebooks"]},
                     "score": result.get("score"), "max_score": result.get("max_score"),
                     "seconds": result.get("seconds")})
    return rows


def class_figures(stored):
    """The whole report as one dictionary (what report.json holds)."""
    named, no_result = mistakes(stored)
    return {
        "assignment": stored.assignment,
        "students": len(stored.students),
        "structure": stored.structure,
        "distributions": distributions(stored),
        "checks": checks(stored, named),
        "mistakes": named,
        "no_result": no_result,
        "irregular": irregular(stored),
        "timing": timing(stored),
        "course_versions": course_versions(stored),
        "student_rows": student_rows(stored),
    }
