#!/usr/bin/env python3
"""A test PKI for chipaudit attest's revocation step, which NVIDIA's samples
cannot exercise (no CRL or OCSP response of theirs is published beside them,
and only NVIDIA's keys sign them).

Writes into DIR: a P-384 root, an intermediate and a leaf (chain.pem, leaf
first, root last); data/attestation-roots.json pinning that root as
device_identity (for --data-dir); report.bin, the nvtrust sample report
REPORT with its signature replaced by the leaf's (ECDSA P-384, SHA-384, over
every byte before the signature, r || s); CRLs of the intermediate (empty,
listing the leaf, out of date) and of an unrelated CA; OCSP responses for
the leaf signed by the intermediate (good, revoked) and by an unrelated key.
Dates: everything valid from 2025-01-01 to 2035-01-01; the CRLs and OCSP
responses cover 2025-06-01 to 2025-07-01 (the stale CRL 2025-01-01 to
2025-02-01). Usage: attest_pki.py DIR REPORT_HEX"""
import datetime
import hashlib
import json
import os
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.x509 import ocsp
from cryptography.x509.oid import NameOID

T0 = datetime.datetime(2025, 1, 1)
T1 = datetime.datetime(2035, 1, 1)
JUNE = datetime.datetime(2025, 6, 1)
JULY = datetime.datetime(2025, 7, 1)


def name(cn):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn), x509.NameAttribute(NameOID.ORGANIZATION_NAME, "chipaudit test")])


def cert(subject, key, issuer, issuer_key, ca, serial):
    b = (x509.CertificateBuilder().subject_name(name(subject)).issuer_name(name(issuer)).public_key(key.public_key())
         .serial_number(serial).not_valid_before(T0).not_valid_after(T1)
         .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if ca:
        b = b.add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
    return b.sign(issuer_key, hashes.SHA384())


def crl(issuer, key, revoked, this, nxt):
    b = x509.CertificateRevocationListBuilder().issuer_name(issuer.subject).last_update(this).next_update(nxt)
    for serial in revoked:
        b = b.add_revoked_certificate(x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(this).build())
    return b.sign(key, hashes.SHA384()).public_bytes(serialization.Encoding.PEM)


def ocsp_response(leaf, issuer, signer, signer_key, status):
    b = ocsp.OCSPResponseBuilder().add_response(
        cert=leaf, issuer=issuer, algorithm=hashes.SHA384(), cert_status=status, this_update=JUNE, next_update=JULY,
        revocation_time=JUNE if status == ocsp.OCSPCertStatus.REVOKED else None,
        revocation_reason=x509.ReasonFlags.key_compromise if status == ocsp.OCSPCertStatus.REVOKED else None)
    b = b.responder_id(ocsp.OCSPResponderEncoding.HASH, signer)
    return b.sign(signer_key, hashes.SHA384()).public_bytes(serialization.Encoding.DER)


def main():
    out, report_hex = sys.argv[1], sys.argv[2]
    keys = {k: ec.generate_private_key(ec.SECP384R1()) for k in ("root", "ica", "leaf", "other")}
    root = cert("Test Device Identity CA", keys["root"], "Test Device Identity CA", keys["root"], True, 1)
    ica = cert("Test Provisioner ICA", keys["ica"], "Test Device Identity CA", keys["root"], True, 2)
    leaf = cert("Test GSP FMC LF", keys["leaf"], "Test Provisioner ICA", keys["ica"], False, 3)
    other = cert("Unrelated CA", keys["other"], "Unrelated CA", keys["other"], True, 4)
    pem = lambda c: c.public_bytes(serialization.Encoding.PEM)
    os.makedirs(os.path.join(out, "data"), exist_ok=True)
    open(os.path.join(out, "chain.pem"), "wb").write(pem(leaf) + pem(ica) + pem(root))
    der = root.public_bytes(serialization.Encoding.DER)
    roots = {"about": "test root", "roots": [{"name": "device_identity", "subject": "CN=Test Device Identity CA",
             "source": "tests/cli/attest_pki.py", "sha256": hashlib.sha256(der).hexdigest(), "pem": pem(root).decode()}]}
    json.dump(roots, open(os.path.join(out, "data", "attestation-roots.json"), "w"))
    report = bytes.fromhex(open(report_hex).read().strip())
    signed = report[:-96]
    r, s = decode_dss_signature(keys["leaf"].sign(signed, ec.ECDSA(hashes.SHA384())))
    open(os.path.join(out, "report.bin"), "wb").write(signed + r.to_bytes(48, "big") + s.to_bytes(48, "big"))
    files = {
        "crl-empty.pem": crl(ica, keys["ica"], [], JUNE, JULY),
        "crl-revoked.pem": crl(ica, keys["ica"], [3], JUNE, JULY),
        "crl-stale.pem": crl(ica, keys["ica"], [], T0, datetime.datetime(2025, 2, 1)),
        "crl-other.pem": crl(other, keys["other"], [3], JUNE, JULY),
        "ocsp-good.der": ocsp_response(leaf, ica, ica, keys["ica"], ocsp.OCSPCertStatus.GOOD),
        "ocsp-revoked.der": ocsp_response(leaf, ica, ica, keys["ica"], ocsp.OCSPCertStatus.REVOKED),
        "ocsp-forged.der": ocsp_response(leaf, ica, other, keys["other"], ocsp.OCSPCertStatus.GOOD),
    }
    for f, data in files.items():
        open(os.path.join(out, f), "wb").write(data)


main()
