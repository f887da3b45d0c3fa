"""Dask's TLS on the command line: the same three options for `grade` and `cluster`.

With a CA file, a certificate and its key, every connection (client, scheduler, workers) is
TLS with certificates checked on both sides: a client without a certificate signed by the
course's CA is refused by the scheduler. Without them, Dask's own configuration decides
(`distributed.comm.tls.*`, e.g. in ~/.config/dask/), so a site-wide set-up needs no flags.
"""

from resnet_course.utils.messages import CourseError, label, register

register({
    "cluster.arg.tls_ca_file": {
        "ko": "TLS: 클러스터의 인증 기관(CA) 인증서 파일(PEM)",
        "en": "TLS: the cluster's certificate authority (CA) file (PEM)",
    },
    "cluster.arg.tls_cert": {
        "ko": "TLS: 이쪽의 인증서 파일(PEM, CA가 서명한 것)",
        "en": "TLS: this side's certificate (PEM, signed by the CA)",
    },
    "cluster.arg.tls_key": {
        "ko": "TLS: 인증서의 개인 키 파일(PEM)",
        "en": "TLS: the certificate's private key (PEM)",
    },
    "cluster.tls_incomplete": {
        "ko": "TLS에는 세 가지가 모두 필요합니다: --tls-ca-file, --tls-cert, --tls-key.",
        "en": "TLS needs all three: --tls-ca-file, --tls-cert, --tls-key.",
    },
})


def add_tls_options(parser):
    parser.add_argument("--tls-ca-file", default=None, metavar="PEM", help=label("cluster.arg.tls_ca_file"))
    parser.add_argument("--tls-cert", default=None, metavar="PEM", help=label("cluster.arg.tls_cert"))
    parser.add_argument("--tls-key", default=None, metavar="PEM", help=label("cluster.arg.tls_key"))


def tls_files(args):
    """(ca, cert, key) when TLS was asked for, else None; all three or none."""
    given = (args.tls_ca_file, args.tls_cert, args.tls_key)
    if not any(given):
        return None
    if not all(given):
        raise CourseError("cluster.tls_incomplete")
    return given


def security_from(args):
    """A `distributed.Security` for these options, or None (Dask's configuration decides)."""
    files = tls_files(args)
    if files is None:
        return None
    from distributed import Security

    ca, cert, key = files
    return Security(tls_ca_file=ca, tls_client_cert=cert, tls_client_key=key, require_encryption=True)
