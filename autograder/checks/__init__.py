"""What runs inside the student's kernel: public checks, hints, and the export of artifacts.

Nothing here decides a grade, and nothing here may hold a solution or a hidden-test
reference: this package ships to students. The hidden test cells only export what the
student's functions produced (`artifacts`); the judge decides outside the kernel.
"""
