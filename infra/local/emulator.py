"""The local AWS endpoint: moto's server with two changes that local development and the tests need.

1. DynamoDB requests are applied one at a time. Moto's threaded server evaluates a conditional write
   or a transaction in several steps without a lock, so two concurrent requests could both pass a
   condition that only one should; real DynamoDB never allows that, and the concurrency tests
   depend on it. SQS and other services stay concurrent, so long polls do not block DynamoDB.
2. The server exits when its standard input closes, i.e. when the process that started it (the
   local stack, a test run) exits for whatever reason, so no stale endpoint keeps the port.

It also counts requests per operation (GET /_local/stats, POST /_local/stats/reset) so that the
benchmarks can report how many DynamoDB and SQS calls an API request costs.
"""

import argparse
import collections
import json
import os
import sys
import threading

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import make_server


class LocalEndpoint:
    def __init__(self, app):
        self.app = app
        self.dynamodb_lock = threading.Lock()
        self.stats_lock = threading.Lock()
        self.stats = collections.Counter()

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path.startswith("/_local/stats"):
            return self.serve_stats(environ, start_response)
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        if target:
            with self.stats_lock:
                self.stats[target] += 1
        if target.startswith("DynamoDB_"):
            with self.dynamodb_lock:
                # Materialise the body inside the lock: WSGI apps may compute lazily.
                return [b"".join(self.app(environ, start_response))]
        return self.app(environ, start_response)

    def serve_stats(self, environ, start_response):
        with self.stats_lock:
            if environ.get("REQUEST_METHOD") == "POST":
                self.stats.clear()
            body = json.dumps(dict(self.stats)).encode()
        start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]


class QuietHandler(MotoRequestHandler):
    def log_request(self, *args, **kwargs):
        if os.environ.get("LOCAL_AWS_VERBOSE"):
            super().log_request(*args, **kwargs)


def exit_when_parent_goes():
    sys.stdin.buffer.read()
    os._exit(0)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=4566)
    args = parser.parse_args()

    app = LocalEndpoint(DomainDispatcherApplication(create_backend_app))
    server = make_server(args.host, args.port, app, threaded=True, request_handler=QuietHandler)
    threading.Thread(target=exit_when_parent_goes, daemon=True).start()
    print(f"local AWS endpoint listening on http://{args.host}:{args.port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
