"""A Dask cluster with TLS: certificates made here with openssl, checked on both sides.

The scheduler and its worker hold certificates signed by the course's CA; a grading process
with a certificate of that CA grades, one without a certificate or with another CA's is
refused, with the bilingual message.
"""

import json
import os
import subprocess

import pytest

import cluster_helpers as ch
import grading_helpers as gh

pytestmark = pytest.mark.slow
CLI = str(ch.BIN / "resnet-course")


def _grade(*args):
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("NBGRADER_", "RESNET_COURSE_", "DASK_"))}
    environment["PATH"] = f"{ch.BIN}{os.pathsep}{environment.get('PATH', '')}"
    # A refused handshake is retried until the connect timeout: keep it short here.
    environment["DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT"] = "5s"
    return subprocess.run([CLI, "grade", *map(str, args), "--no-progress"], capture_output=True, text=True,
                          env=environment, timeout=900)


@pytest.fixture(scope="module")
def tls_cluster(tmp_path_factory):
    root = tmp_path_factory.mktemp("tls")
    tls = ch.make_certificates(root / "certificates")
    processes = ch.Processes(root / "cluster")
    try:
        _, address = processes.scheduler(tls=tls)
        processes.worker(address, "w1", tls=tls)
        from distributed import Security

        security = Security(tls_ca_file=str(tls["ca"]), tls_client_cert=str(tls["client"]["cert"]),
                            tls_client_key=str(tls["client"]["key"]), require_encryption=True)
        ch.wait_for_workers(address, 1, security=security)
        yield {"address": address, "tls": tls}
    finally:
        processes.stop_all()


def test_a_class_is_graded_over_tls(tls_cluster, tmp_path):
    assert tls_cluster["address"].startswith("tls://")
    course = gh.make_course(tmp_path / "course")
    gh.write_submission(tmp_path / "submitted", "alice", gh.solved(course))
    gh.write_submission(tmp_path / "submitted", "bob", gh.solved(course, {"mean": "    return 0.0"}))
    done = _grade(tmp_path / "submitted", "--course", course, "--assignment", "tiny", "--scheduler",
                  tls_cluster["address"], *ch.tls_args(tls_cluster["tls"], "client"), "--json", tmp_path / "g.json")
    assert done.returncode == 0, done.stdout + done.stderr
    students = json.loads((tmp_path / "g.json").read_text())["students"]
    assert {name: s["score"] for name, s in students.items()} == {"alice": 10, "bob": 5}


@pytest.mark.parametrize("certificate", ["none", "signed by another CA"])
def test_a_client_without_the_right_certificate_is_refused(tls_cluster, tmp_path, certificate):
    course = gh.make_course(tmp_path / "course")
    gh.write_submission(tmp_path / "submitted", "mallory", gh.solved(course))
    tls = tls_cluster["tls"]
    # The stranger trusts the cluster's CA (it can check the scheduler), but its own
    # certificate is signed by another CA: the scheduler is the one that refuses it.
    options = [] if certificate == "none" else [
        "--tls-ca-file", tls["ca"], "--tls-cert", tls["stranger"]["cert"], "--tls-key", tls["stranger"]["key"]]
    done = _grade(tmp_path / "submitted", "--course", course, "--assignment", "tiny", "--scheduler",
                  tls_cluster["address"], *options)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Could not connect to the Dask scheduler" in done.stderr and "연결하지 못했습니다" in done.stderr
    assert not (course / ".grading" / "tiny" / "mallory").exists()
