# nbgrader configuration for resnet-course (nbgrader 0.9.6).
#
# `resnet-course build`, `resnet-course grade` and plain `nbgrader ...` commands run from
# this folder all read this file. Keep it sectioned: each section belongs to one part of
# the course (build, execution, judge, grading), and each setting says why it is here.

c = get_config()  # noqa: F821  (provided by nbgrader when it loads this file)

# ---------------------------------------------------------------------------------------
# Course
# ---------------------------------------------------------------------------------------
c.CourseDirectory.course_id = "resnet-course"
# One assignment holds both notebooks (01_vanishing_gradients, 02_residual_networks).
# course/source/resnet/ is written by `resnet-course build`; never edit it by hand.
c.CourseDirectory.source_directory = "source"
c.CourseDirectory.release_directory = "release"

# ---------------------------------------------------------------------------------------
# Build: generate_assignment (the student copies)
# ---------------------------------------------------------------------------------------
# The stub a student finds in place of a solution. Korean first, as everywhere else.
c.ClearSolutions.code_stub = {
    "python": "# 여기에 코드를 작성하세요 / YOUR CODE HERE\nraise NotImplementedError()",
}
c.ClearSolutions.text_stub = "여기에 답을 작성하세요 / YOUR ANSWER HERE"

# ---------------------------------------------------------------------------------------
# Execution: validate and autograde
# ---------------------------------------------------------------------------------------
# A ResNet50 build or a short training smoke run takes tens of seconds on a laptop CPU;
# nbgrader's default of 30 s per cell would time out. Importing TensorFlow in a fresh
# kernel is slow on a loaded machine, hence the generous start-up allowance.
c.Execute.timeout = 300
c.Execute.startup_timeout = 180
c.Execute.interrupt_on_timeout = True

# Any stderr output in a test cell scores 0 even when every assert passes. The package
# silences TensorFlow before it is imported (resnet_course.utils.quiet); this catches what
# still leaks: absl's pre-init notice, TensorFlow's C++ log lines, CUDA/oneDNN start-up
# notes, and Keras/absl Python warnings about style rather than correctness.
c.IgnorePattern.enabled = True
c.IgnorePattern.pattern = (
    r"(?m)("
    r"^WARNING: All log messages before absl::InitializeLog\(\) are written to STDERR"
    r"|^[IWE]\d{4} \d\d:\d\d:\d\d\.\d+\s+\d+ \S+\.(cc|h):\d+\]"  # absl/TF C++ log line
    r"|^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+: [IWE] (tensorflow|external|xla)/"
    r"|oneDNN custom operations are on"
    r"|This TensorFlow binary is optimized to use available CPU instructions"
    r"|Unable to register cu(DNN|FFT|BLAS) factory"
    r"|computation placer already registered"
    r"|Could not find cuda drivers|failed call to cuInit"
    r"|^WARNING:absl:"
    r"|/keras/src/.*(UserWarning|DeprecationWarning)"
    r")"
)

# A deleted graded test cell comes back from the source during autograde (nbgrader leaves
# it missing otherwise, and the student silently loses nothing but the test).
c.OverwriteCells.add_missing_cells = True

# ---------------------------------------------------------------------------------------
# Judge (resnet_course.autograder.judge.preprocessors): autograde preprocessors
# ---------------------------------------------------------------------------------------
# nbgrader's default list with two additions. PrepareArtifacts (first, before Execute) makes
# the artifacts folder outside the autograded folder and names it to the kernel through
# RESNET_COURSE_ARTIFACTS; Judge (after Execute and IgnorePattern, before SaveAutoGrades)
# compares the artifacts with references from the source notebook in a trusted worker and
# rewrites each graded test cell's outputs to its verdict, so scores, gradebook and feedback
# follow the judge, not whatever the student's kernel printed or suppressed.
# Grading may swap "nbgrader.preprocessors.Execute" for its sandboxed Execute; keep the order.
c.Autograde.autograde_preprocessors = [
    "resnet_course.autograder.judge.preprocessors.PrepareArtifacts",
    "nbgrader.preprocessors.Execute",
    "nbgrader.preprocessors.IgnorePattern",
    "resnet_course.autograder.judge.preprocessors.Judge",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
]

# ---------------------------------------------------------------------------------------
# Grading: sandbox, parallelism, feedback
# ---------------------------------------------------------------------------------------
