#!/usr/bin/env python3
"""Real processes for tests/cli/spyware.sh.

  spyware_peer.py listen ADDR STOPFILE
      listen on ADDR (port 0: any), print {"pid", "port"}, accept connections
      until STOPFILE exists.
  spyware_peer.py user DEVICE ADDR PORT STOPFILE
      the accelerator user: open DEVICE, connect to ADDR:PORT, listen on
      0.0.0.0 (any port), print {"pid", "device_fd", "conn": {...}, "listener":
      {...}} with each socket's fd, inode and ports, then wait for STOPFILE.
Both exit after 300 s whatever happens, so a failed test leaves nothing behind."""
import json
import os
import socket
import sys
import time

DEADLINE = time.time() + 300


def wait_for(stopfile, server=None):
    conns = []
    if server is not None:
        server.settimeout(0.05)
    while not os.path.exists(stopfile) and time.time() < DEADLINE:
        if server is None:
            time.sleep(0.05)
            continue
        try:
            c, _ = server.accept()
            conns.append(c)
        except socket.timeout:
            pass


def describe(s):
    local = s.getsockname()
    d = {"fd": s.fileno(), "inode": os.fstat(s.fileno()).st_ino, "local_port": local[1]}
    try:
        d["remote_port"] = s.getpeername()[1]
    except OSError:
        pass
    return d


def family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def main():
    if sys.argv[1] == "listen":
        addr, stopfile = sys.argv[2], sys.argv[3]
        s = socket.socket(family(addr), socket.SOCK_STREAM)
        s.bind((addr, 0))
        s.listen(16)
        print(json.dumps({"pid": os.getpid(), "port": s.getsockname()[1]}), flush=True)
        wait_for(stopfile, s)
    elif sys.argv[1] == "user":
        device, addr, port, stopfile = sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
        dev = open(device, "rb")
        conn = socket.create_connection((addr, port), timeout=10)
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.bind(("0.0.0.0", 0))
        listener.listen(1)
        print(json.dumps({"pid": os.getpid(), "device_fd": dev.fileno(), "conn": describe(conn),
                          "listener": describe(listener)}), flush=True)
        wait_for(stopfile)
    else:
        sys.exit("usage: spyware_peer.py listen|user ...")


if __name__ == "__main__":
    main()
