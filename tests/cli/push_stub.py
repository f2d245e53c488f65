#!/usr/bin/env python3
"""A stand-in collector for tests/cli/push.sh: HTTPS on loopback, POST
/v1/reports. Stores each body and signature header under DIR, answers 201
the first time a body is seen and 409 "replayed" after, 422 "fork" for a
body holding the word FORK, and 503 for the first FAIL_FIRST posts.
Prints its port on stdout once listening."""
import hashlib, http.server, json, os, ssl, sys

cert, key, outdir, fail_first = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
seen = set()
posts = [0]


class Handler(http.server.BaseHTTPRequestHandler):
    def answer(self, code, status, reason):
        body = json.dumps({"status": status, "reason": reason}).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        posts[0] += 1
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        with open(os.path.join(outdir, "log"), "a") as log:
            log.write("%d %s %s\n" % (posts[0], self.path, hashlib.sha256(body).hexdigest()))
        if posts[0] <= fail_first:
            return self.answer(503, "error", "database unavailable")
        if self.path != "/v1/reports":
            return self.answer(404, "error", "no such endpoint")
        digest = hashlib.sha256(body).hexdigest()
        if b"FORK" in body:
            return self.answer(422, "refused", "fork: sequence 1 already stored with other bytes")
        if digest in seen:
            return self.answer(409, "refused", "replayed")
        seen.add(digest)
        with open(os.path.join(outdir, digest), "wb") as f:
            f.write(body)
        with open(os.path.join(outdir, digest + ".sig"), "w") as f:
            f.write(self.headers.get("X-Chipaudit-Signature", ""))
        return self.answer(201, "stored", "")

    def log_message(self, *args):
        pass


server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
server.socket = ctx.wrap_socket(server.socket, server_side=True)
print(server.server_address[1], flush=True)
server.serve_forever()
