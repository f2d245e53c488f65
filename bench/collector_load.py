#!/usr/bin/env python3
"""The load of bench/collector_ingest.sh: POST each report of LIST (its
signature in REPORT.sig) to URL/v1/reports, over C kept-alive HTTPS
connections at once, as chipaudit push sends them (exact bytes,
X-Chipaudit-Signature: base64). A light client, so that the machine's
processors go to the collector and the database rather than to starting a
push process and a TLS handshake per report. Prints the statuses' counts."""
import base64, collections, http.client, queue, ssl, sys, threading, urllib.parse

url, cacert, conns, listing = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
u = urllib.parse.urlsplit(url)
ctx = ssl.create_default_context(cafile=cacert)
work = queue.Queue()
for line in open(listing):
    work.put(line.strip())
counts = collections.Counter()
lock = threading.Lock()


def worker():
    c = http.client.HTTPSConnection(u.hostname, u.port, context=ctx)
    while True:
        try:
            path = work.get_nowait()
        except queue.Empty:
            break
        body = open(path, "rb").read()
        sig = base64.b64encode(open(path + ".sig", "rb").read()).decode()
        c.request("POST", "/v1/reports", body, {"X-Chipaudit-Signature": sig, "Content-Type": "application/json"})
        r = c.getresponse()
        r.read()
        with lock:
            counts[r.status] += 1
    c.close()


threads = [threading.Thread(target=worker) for _ in range(conns)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(" ".join("%d:%d" % kv for kv in sorted(counts.items())))
