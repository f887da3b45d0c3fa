"""The class's grades as files and a table: the JSON document, the CSV, the printed table."""

import csv



def class_json(assignment, results):
    """The JSON document of issue 8: exactly these keys."""
    return {
        "assignment": assignment,
        "students": {
            result["student"]: {
                "status": result["status"],
                "reason": result["reason"],
                "score": result["score"],
                "max_score": result["max_score"],
                "notebooks": {
                    name: {
                        "score": outcome["score"],
                        "max_score": outcome["max_score"],
                        "grades": {gid: {"score": g["score"], "max_score": g["max_score"],
                                         "messages": list(g["messages"])}
                                   for gid, g in outcome["grades"].items()},
                    } for name, outcome in result["notebooks"].items()
                },
            } for result in sorted(results, key=lambda r: r["student"])
        },
    }


def write_csv(path, results, notebooks):
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student", "status", *notebooks, "total", "max_score", "reason"])
        for result in sorted(results, key=lambda r: r["student"]):
            writer.writerow([result["student"], result["status"],
                             *[_number(result["notebooks"][nb]["score"]) for nb in notebooks],
                             _number(result["score"]), _number(result["max_score"]),
                             (result["reason"] or "").replace("\n", " | ")])


def _number(value):
    return int(value) if float(value).is_integer() else round(value, 3)


def grade_table(results, notebooks):
    """A plain-text table: one row per student, per-notebook and total scores."""
    short = [nb.split("_")[0] if nb[:2].isdigit() else nb[:12] for nb in notebooks]
    rows = [["student", *short, "total", "status"]]
    for result in sorted(results, key=lambda r: r["student"]):
        rows.append([result["student"], *[f"{_number(result['notebooks'][nb]['score'])}/"
                                          f"{_number(result['notebooks'][nb]['max_score'])}" for nb in notebooks],
                     f"{_number(result['score'])}/{_number(result['max_score'])}", result["status"]])
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths)).rstrip()
                     for row in rows)
