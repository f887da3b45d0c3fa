"""Grading a class: submissions in, the sandbox around each kernel, workers, gradebook, feedback.

`command.grade_class` is `resnet-course grade`: it takes in the submissions
(`submissions`), grades each student in a worker (`pool`, `student`) whose kernels run in the
sandbox (`sandbox`, `limits`, `guarded_execute`), stores each result (`store`) and merges it
into the gradebook (`gradebook`). `feedback` and `demo` are the commands built on it.
"""

import sys

# nbformat imports jsonschema, which compiles an IRI grammar (rfc3987_syntax) at import time
# when that package is installed: 0.75 s in the grading process and again in every worker,
# about half of importing nbgrader. Only a schema with `"format": "iri"` would use it, and the
# notebook schemas nbgrader validates against have none, so grading hides the package from
# jsonschema. Nothing changes if jsonschema was already imported.
if "jsonschema" not in sys.modules:
    sys.modules.setdefault("rfc3987_syntax", None)
