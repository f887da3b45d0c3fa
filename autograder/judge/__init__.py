"""The judge: grades decided outside the student's kernel (trusted).

nbgrader preprocessors (`preprocessors`) hand each notebook's artifacts to a comparison
worker process (`worker`), which compares them with references computed from the
instructor's source notebooks (`references`) and never runs student code.
"""
