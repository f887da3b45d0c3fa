"""resnet_course.autograder: public checks, artifacts, the judge, grading and the command line."""
