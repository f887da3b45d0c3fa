"""Authoring the course: bilingual sources → nbgrader source → student copies, the bundle.

Trusted, on the instructor's and author's side. Reads `course/notebooks/*.md` (solutions and
hidden tests included) and makes sure none of it reaches a student.
"""
