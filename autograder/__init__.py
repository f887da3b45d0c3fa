"""resnet_course.autograder: the course's tools, in four rooms and one shared corridor.

    authoring/   building the course from its sources (trusted, the author's side)
    checks/      what runs inside the student's kernel: public checks, artifact export
    diagnosis/   reading a Keras graph and naming the mistake: shared by checks and judge
    judge/       deciding grades outside the kernel (trusted): comparisons with references
    grading/     grading a class: submissions, sandbox, workers, gradebook, feedback
    cli.py       the `resnet-course` command line

Imports point one way (tests/test_layout.py holds them to it): checks and diagnosis never
import judge or grading; judge never imports grading; authoring imports neither.
See README.md in this folder.
"""
