"""Grading a class: submissions in, the sandbox around each kernel, workers, gradebook, feedback.

`command.grade_class` is `resnet-course grade`: it takes in the submissions
(`submissions`), packs the course into a bundle named by its digest (`course_bundle`), and
grades each student with one function (`student`, `student_outputs`) on a grader: a worker
of the embedded pool (`pool`) or of a Dask cluster (`cluster_client` here, `cluster_worker`
there; `cluster_command` starts one locally), whose kernels run in the sandbox (`sandbox`,
`limits`, `guarded_execute`). A grader that dies costs nothing (`retries`). The grading
process stores each result (`store`) and merges it into the gradebook (`gradebook`).
`feedback` and `demo` are the commands built on it.
"""

import sys

# nbformat imports jsonschema, which compiles an IRI grammar (rfc3987_syntax) at import time
# when that package is installed: 0.75 s in the grading process and again in every worker,
# about half of importing nbgrader. Only a schema with `"format": "iri"` would use it, and the
# notebook schemas nbgrader validates against have none, so grading hides the package from
# jsonschema. Nothing changes if jsonschema was already imported.
if "jsonschema" not in sys.modules:
    sys.modules.setdefault("rfc3987_syntax", None)
