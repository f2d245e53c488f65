#!/usr/bin/env python3
"""Simulated hosts for bench/collector_ingest.sh: N copies of one real
signed eight-GPU report (TEMPLATE, from `chipaudit audit --sign`), each
made another host's: its own Ed25519 key, host_id, key fingerprint and GPU
UUIDs, signed with that key as `audit --sign` signs (pure Ed25519 over the
exact bytes). Writes OUT/hosts/NNNNN.json and .sig, OUT/enroll.sql (the
hosts and keys, as `chipaudit-collector enroll` stores them), OUT/copy.tsv
(the same bytes for PostgreSQL's COPY into reports) and OUT/verify/ (the
same reports signed by one key, for `chipaudit verify --files-from`, which
takes one key). OUT/hosts2/ holds each host's next report (sequence 2,
chained to the first, the same findings: a daily report that changes
nothing), signed by the host's key."""
import hashlib, json, os, sys

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

template_path, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
template = open(template_path, "rb").read()
doc = json.loads(template)
old_host = doc["host_id"].encode()
old_fp = doc["public_key_fingerprint"].encode()
for d in ("hosts", "hosts2", "verify"):
    os.makedirs(os.path.join(out, d), exist_ok=True)


def next_report(body):
    """The report that follows BODY: sequence 2, previous_sha256 its hash."""
    for old in (b'"sequence":1,', b'"previous_sha256":null,'):
        if body.count(old) != 1:
            sys.exit("collector_fleet.py: the template has %d %s, expected one" % (body.count(old), old.decode()))
    prev = b'"previous_sha256":"%s",' % hashlib.sha256(body).hexdigest().encode()
    return body.replace(b'"sequence":1,', b'"sequence":2,').replace(b'"previous_sha256":null,', prev)


def spki(key):
    return key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def host_bytes(i, fp):
    host = b"%032x" % (0xc0113c7 << 100 | i)
    body = template.replace(old_host, host).replace(old_fp, fp)
    # each host its own GPUs: NVML UUIDs GPU-xxxxxxxx-0000-4000-8000-... -> -IIII-
    return host, body.replace(b"-0000-4000-8000-", b"-%04x-4000-8000-" % (i % 65536))


one = Ed25519PrivateKey.generate()
one_fp = b"sha256:" + hashlib.sha256(spki(one)).hexdigest().encode()
with open(os.path.join(out, "one.pub.pem"), "wb") as f:
    f.write(one.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
with open(os.path.join(out, "enroll.sql"), "w") as sql, open(os.path.join(out, "copy.tsv"), "w") as copy:
    sql.write("BEGIN;\n")
    for i in range(n):
        key = Ed25519PrivateKey.generate()
        fp = b"sha256:" + hashlib.sha256(spki(key)).hexdigest().encode()
        host, body = host_bytes(i, fp)
        sig = key.sign(body)
        path = os.path.join(out, "hosts", "%05d.json" % i)
        open(path, "wb").write(body)
        open(path + ".sig", "wb").write(sig)
        body2 = next_report(body)
        path2 = os.path.join(out, "hosts2", "%05d.json" % i)
        open(path2, "wb").write(body2)
        open(path2 + ".sig", "wb").write(key.sign(body2))
        pem = key.public_key().public_bytes(serialization.Encoding.PEM,
                                            serialization.PublicFormat.SubjectPublicKeyInfo).decode()
        sql.write("INSERT INTO hosts (host_id, enrolment) VALUES ('%s', 'operator');\n" % host.decode())
        sql.write("INSERT INTO keys (fingerprint, host_id, public_key_pem, enrolment) VALUES ('%s', '%s', '%s', 'operator');\n"
                  % (fp.decode(), host.decode(), pem))
        copy.write("copy-%s\t%s\t1\t%s\t\\\\x%s\t\\\\x%s\n" % (host.decode(), fp.decode(), hashlib.sha256(body).hexdigest(),
                                                           body.hex(), sig.hex()))
        _, vbody = host_bytes(i, one_fp)
        vpath = os.path.join(out, "verify", "%05d.json" % i)
        open(vpath, "wb").write(vbody)
        open(vpath + ".sig", "wb").write(one.sign(vbody))
    sql.write("COMMIT;\n")
