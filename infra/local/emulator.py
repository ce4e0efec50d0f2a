"""The local AWS endpoint: moto's server with the changes that local development and the tests need.

Written against moto 5.2.5 (pinned in requirements.txt). Changes 1 and 3 below patch moto's
internals, which another version may move or rename: `check_moto_internals` runs first at start-up
and stops the endpoint with a message naming the installed and the expected versions if any of
them is missing, instead of letting the patches silently do nothing.

1. DynamoDB requests are applied one at a time. Moto's threaded server evaluates a conditional write
   or a transaction in several steps without a lock, so two concurrent requests could both pass a
   condition that only one should; real DynamoDB never allows that, and the concurrency tests
   depend on it. SQS and other services stay concurrent, so long polls do not block DynamoDB.
2. TransactWriteItems honours `ClientRequestToken` as DynamoDB does: a repeat of a successful
   transaction with the same token (within 10 minutes) succeeds without applying it again. The
   AWS SDKs send a token with every transaction and reuse it when they retry one whose response
   was lost or timed out; without this, such a retry fails its own conditions (a reservation that
   was made would be answered "slot unavailable").
3. A transaction rolls back the items it touched, not whole tables: moto deep-copies every table a
   transaction names, once per item, which makes a transaction's cost grow with the table until
   requests time out.
4. The server exits when its standard input closes, i.e. when the process that started it (the
   local stack, a test run) exits for whatever reason, so no stale endpoint keeps the port.

It also counts requests per operation (GET /_local/stats, POST /_local/stats/reset) so that the
benchmarks can report how many DynamoDB and SQS calls an API request costs (and, as
`ItemsRead.Query` and `ItemsRead.Scan`, how many items those read), and injects the DynamoDB
failures that a single local process cannot produce by itself (POST /_local/faults
{"table", "operation", "count", "kind"?, "delay_ms"?}): the next `count` requests of that operation
on that table
- kind "conflict" (the default; TransactWriteItems, PutItem, UpdateItem, DeleteItem): fail as a
  concurrent transaction makes them fail, TransactWriteItems with TransactionCanceledException (every
  reason TransactionConflict), single-item writes with TransactionConflictException;
- kind "throttle" (any operation): fail as DynamoDB does when a partition or the table is over its
  capacity, TransactWriteItems with TransactionCanceledException (every reason ThrottlingError),
  anything else with ProvisionedThroughputExceededException;
- kind "delay" (any operation): are answered `delay_ms` milliseconds late, as a slow database.
Faults name a table, so tests sharing an endpoint do not meet each other's.
"""

import argparse
import collections
import copy
import hashlib
import io
import json
import os
import sys
import threading
import time
import types

import importlib

from werkzeug.serving import make_server

MOTO_VERSION = "5.2.5"

# (module, attributes) this file relies on; see the module docstring.
MOTO_INTERNALS = (
    ("moto.dynamodb.models", ("DynamoDBBackend", "copy")),
    ("moto.dynamodb.models.table", ("Table",)),
    ("moto.moto_server.werkzeug_app", ("DomainDispatcherApplication", "MotoRequestHandler", "create_backend_app")),
)


def check_moto_internals():
    """Exits with a clear message unless every moto internal that the patches need is there."""
    try:
        import moto

        installed = getattr(moto, "__version__", "unknown")
    except ImportError:
        sys.exit(f"emulator.py: moto is not installed (expected moto {MOTO_VERSION}; run `make venv`)")
    missing = []
    for module_name, attributes in MOTO_INTERNALS:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            missing.append(module_name)
            continue
        missing += [f"{module_name}.{a}" for a in attributes if not hasattr(module, a)]
    backend = getattr(sys.modules.get("moto.dynamodb.models"), "DynamoDBBackend", None)
    if backend is not None:
        missing += [f"DynamoDBBackend.{m}" for m in ("transact_write_items", "get_table", "get_item", "put_item", "delete_item") if not hasattr(backend, m)]
    if missing:
        sys.exit(
            f"emulator.py was written against moto {MOTO_VERSION}, but the installed moto {installed} "
            f"lacks {', '.join(missing)}; install the version pinned in requirements.txt (`make venv`) "
            "or port the patches in infra/local/emulator.py"
        )
    if installed != MOTO_VERSION:
        print(f"emulator.py: moto {installed} installed, written against {MOTO_VERSION}; its internals are present", file=sys.stderr)


check_moto_internals()

import moto.dynamodb.models as dynamodb_models  # noqa: E402
from moto.dynamodb.models.table import Table  # noqa: E402
from moto.moto_server.werkzeug_app import (  # noqa: E402
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)


IDEMPOTENCY_WINDOW_SECONDS = 600


def rollback_touched_items_only():
    """Replaces moto's whole-table snapshot in TransactWriteItems by a snapshot of the items the
    transaction names, restored if it fails. Safe because DynamoDB requests run one at a time."""
    backend = dynamodb_models.DynamoDBBackend
    original = backend.transact_write_items

    def deepcopy_except_tables(value, *args, **kwargs):
        return value if isinstance(value, Table) else copy.deepcopy(value, *args, **kwargs)

    # moto's models module reaches deepcopy through its `copy` name; only its table snapshot
    # changes (the rollback then reassigns the same table object, and we restore its items).
    dynamodb_models.copy = types.SimpleNamespace(deepcopy=deepcopy_except_tables, copy=copy.copy)

    def touched(self, transact_items):
        saved = []
        for entry in transact_items:
            try:
                _, op = next(iter(entry.items()))
                name = op["TableName"]
                table = self.get_table(name)
                if "Key" in op:
                    key = op["Key"]
                else:
                    names = [table.hash_key_attr] + ([table.range_key_attr] if table.range_key_attr else [])
                    key = {attr: op["Item"][attr] for attr in names}
                current = self.get_item(name, key)
            except Exception:
                continue  # moto reports the malformed item itself
            saved.append((name, key, copy.deepcopy(current.to_json()["Attributes"]) if current else None))
        return saved

    def transact_write_items(self, transact_items):
        saved = touched(self, transact_items)
        try:
            return original(self, transact_items)
        except Exception:
            for name, key, attributes in reversed(saved):
                if attributes is None:
                    if self.get_item(name, key) is not None:
                        self.delete_item(name, key)
                else:
                    self.put_item(name, attributes)
            raise

    backend.transact_write_items = transact_write_items


class TransactionTokens:
    """Successful TransactWriteItems by ClientRequestToken, for DynamoDB's idempotent repeats."""

    def __init__(self):
        self.seen = {}  # token -> (fingerprint of the request, when)

    @staticmethod
    def fingerprint(request):
        rest = {k: v for k, v in request.items() if k != "ClientRequestToken"}
        return hashlib.sha256(json.dumps(rest, sort_keys=True).encode()).hexdigest()

    def lookup(self, token, fingerprint):
        """None for a new token, True for a repeat of the same request, False for a mismatch."""
        now = time.monotonic()
        self.seen = {t: v for t, v in self.seen.items() if now - v[1] < IDEMPOTENCY_WINDOW_SECONDS}
        if token not in self.seen:
            return None
        return self.seen[token][0] == fingerprint

    def remember(self, token, fingerprint):
        self.seen[token] = (fingerprint, time.monotonic())


CONFLICT_OPERATIONS = ("TransactWriteItems", "PutItem", "UpdateItem", "DeleteItem")
FAULT_KINDS = ("conflict", "throttle", "delay")


def tables_of(operation, request):
    """The tables a DynamoDB request names."""
    if operation in ("TransactWriteItems", "TransactGetItems"):
        return {next(iter(item.values())).get("TableName") for item in request.get("TransactItems", []) if item}
    if operation in ("BatchGetItem", "BatchWriteItem"):
        return set(request.get("RequestItems", {}))
    return {request.get("TableName")}


class Faults:
    """Injected failures, by (operation, table)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.pending = {}  # (operation, table) -> [kind, count, delay_ms]

    def add(self, spec):
        operation, table, count = spec["operation"], spec["table"], int(spec["count"])
        kind = spec.get("kind", "conflict")
        if kind not in FAULT_KINDS:
            raise ValueError(f"kind must be one of {FAULT_KINDS}")
        if kind == "conflict" and operation not in CONFLICT_OPERATIONS:
            raise ValueError(f"conflicts happen to {CONFLICT_OPERATIONS} only")
        delay_ms = int(spec.get("delay_ms", 0))
        if kind == "delay" and not 0 < delay_ms <= 60_000:
            raise ValueError("delay_ms must be between 1 and 60000")
        with self.lock:
            self.pending[(operation, table)] = [kind, count, delay_ms]

    def take(self, operation, request):
        """(error response body or None, delay in seconds) for this request."""
        if not self.pending:
            return None, 0
        tables = tables_of(operation, request)
        with self.lock:
            hit = next((t for t in tables if self.pending.get((operation, t), [None, 0])[1] > 0), None)
            if hit is None:
                return None, 0
            fault = self.pending[(operation, hit)]
            fault[1] -= 1
            kind, delay_ms = fault[0], fault[2]
        if kind == "delay":
            return None, delay_ms / 1000
        items = request.get("TransactItems", [])
        if operation == "TransactWriteItems":
            code, message = {
                "conflict": ("TransactionConflict", "Transaction is ongoing for the item"),
                "throttle": ("ThrottlingError", "Throughput exceeds the current capacity for one or more items"),
            }[kind]
            return {
                "__type": "com.amazonaws.dynamodb.v20120810#TransactionCanceledException",
                "Message": "Transaction cancelled, please refer cancellation reasons for specific reasons "
                + "[" + ", ".join(code for _ in items) + "]",
                "CancellationReasons": [{"Code": code, "Message": message} for _ in items],
            }, 0
        if kind == "throttle":
            return {
                "__type": "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",
                "message": "The level of configured provisioned throughput for the table was exceeded",
            }, 0
        return {
            "__type": "com.amazonaws.dynamodb.v20120810#TransactionConflictException",
            "message": "Transaction is ongoing for the item",
        }, 0


def read_json_body(environ):
    """The request body as JSON (or {}), leaving it readable for the next application."""
    length = int(environ.get("CONTENT_LENGTH") or 0)
    raw = environ["wsgi.input"].read(length)
    environ["wsgi.input"] = io.BytesIO(raw)
    try:
        return json.loads(raw)
    except ValueError:
        return {}


def json_response(start_response, status, body):
    data = json.dumps(body).encode()
    start_response(status, [("Content-Type", "application/x-amz-json-1.0"), ("Content-Length", str(len(data)))])
    return [data]


class LocalEndpoint:
    def __init__(self, app):
        self.app = app
        self.dynamodb_lock = threading.Lock()
        self.stats_lock = threading.Lock()
        self.stats = collections.Counter()
        self.tokens = TransactionTokens()
        self.faults = Faults()

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path.startswith("/_local/stats"):
            return self.serve_stats(environ, start_response)
        if path.startswith("/_local/faults"):
            return self.serve_faults(environ, start_response)
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        if target:
            with self.stats_lock:
                self.stats[target] += 1
        if target.startswith("DynamoDB_"):
            operation = target.rsplit(".", 1)[-1]
            if self.faults.pending:
                fault, delay = self.faults.take(operation, read_json_body(environ))
                if delay:
                    time.sleep(delay)  # outside the lock: a slow request does not stall the others
                if fault is not None:
                    return json_response(start_response, "400 Bad Request", fault)
            with self.dynamodb_lock:
                if target.endswith(".TransactWriteItems"):
                    return self.transact_write_items(environ, start_response)
                # Materialise the body inside the lock: WSGI apps may compute lazily.
                body = b"".join(self.app(environ, start_response))
            if operation in ("Query", "Scan"):
                self.count_items_read(operation, body)
            return [body]
        return self.app(environ, start_response)

    def transact_write_items(self, environ, start_response):
        request = read_json_body(environ)
        token = request.get("ClientRequestToken")
        if not token:
            return [b"".join(self.app(environ, start_response))]
        fingerprint = self.tokens.fingerprint(request)
        repeat = self.tokens.lookup(token, fingerprint)
        if repeat is True:
            return json_response(start_response, "200 OK", {})
        if repeat is False:
            return json_response(
                start_response,
                "400 Bad Request",
                {
                    "__type": "com.amazonaws.dynamodb.v20120810#IdempotentParameterMismatchException",
                    "message": "ClientRequestToken was used with different parameters",
                },
            )
        status = []

        def recording_start_response(status_line, headers, *args):
            status.append(status_line)
            return start_response(status_line, headers, *args)

        body = b"".join(self.app(environ, recording_start_response))
        if status and status[0].startswith("200"):
            self.tokens.remember(token, fingerprint)
        return [body]

    def count_items_read(self, operation, body):
        """Adds the items a Query or Scan read (before any filter) as `ItemsRead.<operation>`."""
        try:
            scanned = int(json.loads(body).get("ScannedCount", 0))
        except (ValueError, AttributeError):
            return
        with self.stats_lock:
            self.stats[f"ItemsRead.{operation}"] += scanned

    def serve_stats(self, environ, start_response):
        with self.stats_lock:
            if environ.get("REQUEST_METHOD") == "POST":
                self.stats.clear()
            body = json.dumps(dict(self.stats)).encode()
        start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]


    def serve_faults(self, environ, start_response):
        try:
            self.faults.add(read_json_body(environ))
        except (KeyError, ValueError, TypeError) as err:
            return json_response(start_response, "400 Bad Request", {"message": str(err)})
        return json_response(start_response, "200 OK", {})


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

    rollback_touched_items_only()
    app = LocalEndpoint(DomainDispatcherApplication(create_backend_app))
    server = make_server(args.host, args.port, app, threaded=True, request_handler=QuietHandler)
    threading.Thread(target=exit_when_parent_goes, daemon=True).start()
    print(f"local AWS endpoint listening on http://{args.host}:{args.port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
