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
2025-02-01).

RIMs, which NVIDIA signs only for its own releases: a test RIM root (pinned
as rim), its intermediate and a signer; in rims/, a driver RIM (550.90.07)
and a VBIOS RIM (96.00.9F.00.01) whose golden values are the sample
report's measurements, at the indices NVIDIA's sample RIMs make active, and
an older driver RIM (545.00) to be passed over; in rim-variants/, copies
that differ at index 7, offer a second alternative there, claim index 7 in
the VBIOS RIM too, or are signed by an unrelated CA. Signed by xmlsec1 as
NVIDIA's are (enveloped, C14N 1.1, ECDSA P-384 with SHA-384).
Usage: attest_pki.py DIR REPORT_HEX"""
import datetime
import hashlib
import json
import os
import subprocess
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


# The indices NVIDIA's sample RIMs for GH100 make active
# (Driver_RIM_test_no_gpu.swidtag, 1010_0200_882_96005E0001_PROD.swidtag).
DRIVER_INDICES = [7] + list(range(21, 41))
VBIOS_INDICES = list(range(0, 7)) + list(range(8, 13))

RIM_TEMPLATE = """<SoftwareIdentity xmlns="http://standards.iso.org/iso/19770/-2/2015/schema.xsd" \
xmlns:ns0="http://standards.iso.org/iso/19770/-2/2015/schema.xsd" xmlns:ns2="http://www.w3.org/2001/04/xmlenc#sha384" \
corpus="false" name="GH100" patch="false" supplemental="false" tagId="{tag}" version="1.0" tagVersion="0">
    <ns0:Entity name="chipaudit test" role="softwareCreator tagCreator"/>
    <ns0:Meta colloquialVersion="{version}" edition="GPU" product="GH100" revision="r1" PayloadType="direct"/>
    <ns0:Payload>
{resources}
    </ns0:Payload>
<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo>\
<ds:CanonicalizationMethod Algorithm="http://www.w3.org/2006/12/xml-c14n11"/>\
<ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384"/><ds:Reference URI="">\
<ds:Transforms><ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/>\
<ds:Transform Algorithm="http://www.w3.org/2006/12/xml-c14n11"/></ds:Transforms>\
<ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#sha384"/><ds:DigestValue/></ds:Reference>\
</ds:SignedInfo><ds:SignatureValue/><ds:KeyInfo><ds:X509Data/></ds:KeyInfo></ds:Signature></SoftwareIdentity>
"""


def measurements(report):
    """The report's measurement values by block index: the 37-byte request,
    then the response's 8-byte header and its DMTF blocks."""
    count, p, out = report[37 + 4], 37 + 8, {}
    for _ in range(count):
        index, size = report[p], int.from_bytes(report[p + 2:p + 4], "little")
        vsize = int.from_bytes(report[p + 5:p + 7], "little")
        out[index] = report[p + 7:p + 7 + vsize].hex()
        p += 4 + size
    return out


def rim(version, values, indices, alternatives=None):
    """A RIM template: each index active, its golden value the measurement of
    block index + 1 (alternatives: index -> values, replacing it)."""
    lines = []
    for i in indices:
        alts = (alternatives or {}).get(i, [values[i + 1]])
        hashes_ = " ".join('ns2:Hash%d="%s"' % (n, v) for n, v in enumerate(alts))
        lines.append('        <ns0:Resource type="Measurement" index="%d" active="True" alternatives="%d" %s '
                     'name="Measurement_%d" size="48"/>' % (i, len(alts), hashes_, i))
    return RIM_TEMPLATE.format(tag=hashlib.sha384(version.encode()).hexdigest(), version=version,
                               resources="\n".join(lines))


def sign_rim(out, name, template, key_files):
    path = os.path.join(out, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    open(path + ".template", "w").write(template)
    subprocess.run(["xmlsec1", "--sign", "--privkey-pem", ",".join(key_files), "--output", path, path + ".template"],
                   check=True)
    os.unlink(path + ".template")


def write_key(path, key):
    open(path, "wb").write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                             serialization.NoEncryption()))


def rims(out, report, keys):
    """The RIM PKI and the RIMs; returns the RIM root."""
    rim_keys = {k: ec.generate_private_key(ec.SECP384R1()) for k in ("root", "ica", "signer")}
    root = cert("Test RIM Root CA", rim_keys["root"], "Test RIM Root CA", rim_keys["root"], True, 11)
    ica = cert("Test Reference Value CA", rim_keys["ica"], "Test RIM Root CA", rim_keys["root"], True, 12)
    signer = cert("Test RIM Signer", rim_keys["signer"], "Test Reference Value CA", rim_keys["ica"], False, 13)
    other = cert("Unrelated CA", keys["other"], "Unrelated CA", keys["other"], True, 4)
    pki = os.path.join(out, "rim-pki")
    os.makedirs(pki, exist_ok=True)
    for n, c in (("root", root), ("ica", ica), ("signer", signer), ("other", other)):
        open(os.path.join(pki, n + ".pem"), "wb").write(c.public_bytes(serialization.Encoding.PEM))
    write_key(os.path.join(pki, "signer.key"), rim_keys["signer"])
    write_key(os.path.join(pki, "other.key"), keys["other"])
    nvidia = [os.path.join(pki, f) for f in ("signer.key", "signer.pem", "ica.pem", "root.pem")]
    unrelated = [os.path.join(pki, f) for f in ("other.key", "other.pem")]
    values = measurements(report)
    changed = {7: ["00" * 48]}
    sign_rim(out, "rims/driver-550.90.07.swidtag", rim("550.90.07", values, DRIVER_INDICES), nvidia)
    sign_rim(out, "rims/vbios-96.00.9F.00.01.swidtag", rim("96.00.9F.00.01", values, VBIOS_INDICES), nvidia)
    sign_rim(out, "rims/driver-545.00.swidtag", rim("545.00", values, DRIVER_INDICES, changed), nvidia)
    sign_rim(out, "rim-variants/driver-differs.swidtag", rim("550.90.07", values, DRIVER_INDICES, changed), nvidia)
    sign_rim(out, "rim-variants/driver-alternatives.swidtag",
             rim("550.90.07", values, DRIVER_INDICES, {7: ["11" * 48, values[8]]}), nvidia)
    sign_rim(out, "rim-variants/vbios-overlap.swidtag", rim("96.00.9F.00.01", values, VBIOS_INDICES + [7]), nvidia)
    sign_rim(out, "rim-variants/driver-other-ca.swidtag", rim("550.90.07", values, DRIVER_INDICES), unrelated)
    return root


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
    report = bytes.fromhex(open(report_hex).read().strip())
    rim_root = rims(out, report, keys)
    rim_der = rim_root.public_bytes(serialization.Encoding.DER)
    roots = {"about": "test roots", "roots": [
        {"name": "device_identity", "subject": "CN=Test Device Identity CA", "source": "tests/cli/attest_pki.py",
         "sha256": hashlib.sha256(der).hexdigest(), "pem": pem(root).decode()},
        {"name": "rim", "subject": "CN=Test RIM Root CA", "source": "tests/cli/attest_pki.py",
         "sha256": hashlib.sha256(rim_der).hexdigest(), "pem": pem(rim_root).decode()}]}
    json.dump(roots, open(os.path.join(out, "data", "attestation-roots.json"), "w"))
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
