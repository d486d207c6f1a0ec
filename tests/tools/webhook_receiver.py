#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""webhook_receiver.py — a real HTTP endpoint for kakekomi's webhook tests.

Listens on 127.0.0.1:PORT and logs every request as one JSON line in LOG,
written and flushed when the answer has been sent (and, as it arrives, its
arrival time as one line in LOG.arrived, so that a test can wait for a
request that is still being answered):

  {"received": 1764300000.123, "answered": 1764300003.125, "method": "POST",
   "path": "/hook", "headers": {"X-Kakekomi-Signature": "...", ...},
   "body_b64": "...", "status": 200, "attempt": 1, "inflight": 1}

"body_b64" is the body exactly as it came (base64), so that a test can
check the signature over the very bytes that were signed. "attempt" counts
the requests seen with the same Idempotency-Key; "inflight" is how many
requests were being answered at once, this one included.

Options:
  --fail-first N   answer 500 to the first N requests of every
                   Idempotency-Key (then 200), to test retries
  --delay S        wait S seconds before answering each request
                   (a slow receiver)

Run it with Debian's /usr/bin/python3 (standard library only). SIGTERM
stops it.
"""

import argparse
import base64
import json
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

BODY_MAX = 1 << 20


class State:
    def __init__(self, log_path, fail_first, delay):
        self.lock = threading.Lock()
        self.log = open(log_path, "a", encoding="utf-8")
        self.arrived = open(log_path + ".arrived", "a", encoding="utf-8")
        self.fail_first = fail_first
        self.delay = delay
        self.attempts = {}
        self.inflight = 0


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "kk-webhook-receiver"

    def log_message(self, fmt, *args):
        pass

    def _answer(self):
        st = self.server.state
        received = time.time()
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(min(length, BODY_MAX)) if length > 0 else b""
        key = self.headers.get("Idempotency-Key", "")
        with st.lock:
            st.inflight += 1
            inflight = st.inflight
            st.attempts[key] = st.attempts.get(key, 0) + 1
            attempt = st.attempts[key]
            st.arrived.write("%.3f\n" % received)
            st.arrived.flush()
        try:
            if st.delay > 0:
                time.sleep(st.delay)
            status = 500 if attempt <= st.fail_first else 200
            reply = b'{"ok":true}' if status == 200 else b'{"error":"try again"}'
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)
            self.wfile.flush()
        finally:
            with st.lock:
                st.inflight -= 1
        line = {
            "received": received,
            "answered": time.time(),
            "method": self.command,
            "path": self.path,
            "headers": {k: v for k, v in self.headers.items()},
            "body_b64": base64.b64encode(body).decode("ascii"),
            "status": status,
            "attempt": attempt,
            "inflight": inflight,
        }
        with st.lock:
            st.log.write(json.dumps(line, ensure_ascii=False) + "\n")
            st.log.flush()

    def do_POST(self):
        self._answer()

    def do_PUT(self):
        self._answer()

    def do_GET(self):
        self._answer()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--fail-first", type=int, default=0)
    ap.add_argument("--delay", type=float, default=0.0)
    args = ap.parse_args()

    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    server.state = State(args.log, args.fail_first, args.delay)

    def stop(signum, frame):
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    print("webhook_receiver: listening on 127.0.0.1:%d" % args.port, file=sys.stderr, flush=True)
    server.serve_forever(poll_interval=0.05)
    server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
