"""The local AWS endpoint: moto's server with the changes that local development and the tests need.

Written against moto 5.2.5 (pinned in requirements.txt). Changes 1, 3 and 5 below patch moto's
internals and the outbox reads them, which another version may move or rename: `check_moto_internals`
runs first at start-up and stops the endpoint with a message naming the installed and the expected
versions if any of them is missing, instead of letting the patches silently do nothing.

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
4. A `Query` of a table (not of an index) reads its partition only. Moto's `Table.query` finds a
   partition by listing and sorting every item of the table (`all_items()`), so a Query's time grew
   with the whole table: with a hundred thousand items, seconds per request, past the SDK's
   timeouts (the bench's analytics costs). What it then does (order, filters, pages, counts) is
   moto's own.
5. The server exits when its standard input closes, i.e. when the process that started it (the
   local stack, a test run) exits for whatever reason, so no stale endpoint keeps the port.
6. SES remembers when each email was sent (moto keeps no time), for the outbox below.
7. SNS `Publish` to a phone number (an SMS) is answered here, not by moto, and the SMS kept for the
   outbox; publishing to a topic goes to moto as before.

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
Faults name a table, so tests sharing an endpoint do not meet each other's. SMS fail the same way:
{"operation": "Publish", "phone_number", "count"} makes the next `count` SMS to that number fail as
an SNS outage does (500 InternalError); `GET /_local/stats` counts every SMS attempt as
`AmazonSNS.Publish`.

The outbox shows what the functions sent through SES (v1 or v2; moto delivers nothing) and the SMS
they sent through SNS:
- GET /_local/outbox: an HTML page with two tabs, emails (the default) and SMS (?tab=sms), newest
  first, each email rendered (its HTML part in a sandboxed iframe, else its text part) with from, to,
  subject, time and its raw MIME source, each SMS with its number, time and text;
- GET /_local/outbox.json: {"messages": [...]}, both kinds newest first: an email is {"id",
  "channel": "email", "from", "to": [every recipient's address: To, Cc, Bcc], "subject", "sent_at"
  (RFC 3339), "raw"}, an SMS {"id", "channel": "sms", "to": [the phone number], "body", "sent_at"}. `raw` is the MIME source as sent; for
  simple content (moto keeps one body: the HTML one when both were given) and for templated sends (moto
  keeps the template's name and data, not the rendered email) a source is built from what moto kept.
Sending needs a verified sender, as on SES: SES v1 VerifyEmailIdentity / VerifyDomainIdentity or SES v2
CreateEmailIdentity (moto verifies at once; a domain covers its addresses).

Sign-up codes: moto's Cognito confirms a sign-up with any code and sends nothing. Here, as in AWS,
SignUp and ResendConfirmationCode mail a six-digit code (it lands in the outbox, from
no-reply@verificationemail.com), ConfirmSignUp refuses another code (CodeMismatchException) and marks
the email verified, as Cognito does for a pool that verifies emails. Browsers call Cognito directly
(the console signs in that way), so the endpoint answers CORS preflights and allows any origin, as
Cognito's own endpoint does.

The local marketplace stands in for eBay's Browse API under /_marketplace, so an eBay client whose base
URL is http://<host>:<port>/_marketplace works unchanged:
- POST /_marketplace/identity/v1/oauth2/token (client credentials: Basic auth, form body
  grant_type=client_credentials, scope optional) -> {"access_token", "expires_in": 7200, "token_type"};
  401 invalid_client, 400 unsupported_grant_type or invalid_scope, as eBay answers them;
- GET /_marketplace/buy/browse/v1/item_summary/search?q=&limit=&offset=&sort=&filter= with
  `Authorization: Bearer <token>` (X-EBAY-C-MARKETPLACE-ID is accepted, not needed) -> eBay's search
  response (href, total, next/prev, limit, offset, itemSummaries when not empty). q is required; limit 1-200 (default 50); offset >= 0; sort `price`
  (lowest item price first) or `-price` (highest first), anything else the stable "best match" order;
  filter understands `price:[lo..hi]` (either end optional, inclusive) and `priceCurrency:XXX` (required
  with `price`, errorId 12012) and ignores other fields. Errors have eBay's {"errors": [{"errorId",
  "domain", "category", "message", "longMessage"}]} shape: 401 (errorId 1001) for a missing, unknown,
  expired or revoked token, 400 (API_BROWSE, 12000s) for bad parameters.
The listings are generated, the same for the same seed, normalised phrase (trimmed, lower case, single
spaces) and time: 40-120 candidates a phrase, each listed in a time bucket of MARKETPLACE_DRIFT_SECONDS
(default 300) with probability 0.85, its price drifting smoothly (a slow wave plus a little noise each
bucket), so prices visibly change within minutes. Prices carry the requested currency (priceCurrency, or
USD) without conversion. "Now" is the wall clock, or the request's `X-Local-Now: <RFC 3339>` header (tests;
tokens expire by the wall clock regardless). MARKETPLACE_SEED (default "1") picks another catalogue.
Test controls, JSON in and out, each keyed by the client id so tests sharing the endpoint stay apart:
- POST /_local/marketplace/clients {"client_id", "client_secret"} registers credentials the token
  endpoint accepts (MARKETPLACE_CLIENTS="id:secret,id2:secret2" registers some at start-up);
- GET /_local/marketplace/stats?client_id=X -> {"tokens" (token requests naming X), "tokens_issued",
  "searches" (searches with a token issued to X, including those answered with a fault or a 401 for an
  expired or revoked token), "rejected" (those 401s), "queries": [{"q", "filter", "limit", "sort",
  "status"}], the latest 1000 in arrival order}; without client_id {"clients": {id: stats}};
  POST /_local/marketplace/stats/reset?client_id=X zeroes X's (all without client_id);
- POST /_local/marketplace/faults {"client_id", "kind", "count"?} (count defaults to 1): the next
  `count` searches of that client (a search whose token is valid) answer "unavailable" (503),
  "rate_limited" (429, errorId 2001, Retry-After: 1) or "garbage" (200, a cut-off JSON body); the next
  `count` token requests answer "token_unavailable" (503); "expire_tokens" revokes at once every token
  issued to that client so far (count ignored). A new fault replaces the pending one of its kind's
  target (search or token).
"""

import argparse
import base64
import collections
import copy
import datetime
import email
import email.message
import email.policy
import email.utils
import functools
import hashlib
import html
import http
import inspect
import io
import itertools
import json
import math
import os
import re
import secrets
import sys
import threading
import time
import types
import urllib.parse
import uuid as uuid_module

import importlib

from werkzeug.serving import make_server

MOTO_VERSION = "5.2.5"

# (module, attributes) this file relies on; see the module docstring.
MOTO_INTERNALS = (
    ("moto.dynamodb.models", ("DynamoDBBackend", "copy")),
    ("moto.dynamodb.models.table", ("Table",)),
    ("moto.moto_server.werkzeug_app", ("DomainDispatcherApplication", "MotoRequestHandler", "create_backend_app")),
    ("moto.ses.models", ("SESBackend", "ses_backends", "Message", "RawMessage", "TemplateMessage")),
)
# SESBackend methods that append to `sent_messages` (SES v2 sends through them too): change 5 wraps them.
SES_SEND_METHODS = ("send_email", "send_raw_email", "send_templated_email", "send_bulk_templated_email")
# (class in moto.ses.models, constructor arguments, instance attributes the outbox reads). They are set in
# constructors, so the check builds one of each.
SES_RECORDS = (
    ("SESBackend", {"region_name": "us-east-1", "account_id": "000000000000"}, ("sent_messages",)),
    ("Message", {"message_id": "", "source": "", "subject": "", "body": "", "destinations": {}},
     ("id", "source", "subject", "body", "destinations")),
    ("RawMessage", {"message_id": "", "source": "", "destinations": [], "raw_data": ""},
     ("id", "source", "destinations", "raw_data")),
    ("TemplateMessage", {"message_id": "", "source": "", "template": "", "template_data": "", "destinations": {}},
     ("id", "source", "template", "template_data", "destinations")),
)


def missing_ses_records():
    """The SES constructors or attributes in SES_RECORDS that the installed moto lacks."""
    models = sys.modules.get("moto.ses.models")
    missing = []
    for name, arguments, attributes in SES_RECORDS:
        try:
            record = getattr(models, name)(**arguments)
        except (AttributeError, TypeError):
            missing.append(f"moto.ses.models.{name}({', '.join(arguments)})")
            continue
        missing += [f"moto.ses.models.{name}().{a}" for a in attributes if not hasattr(record, a)]
    return missing


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
    ses = getattr(sys.modules.get("moto.ses.models"), "SESBackend", None)
    if ses is not None:
        missing += [f"SESBackend.{m}" for m in SES_SEND_METHODS if not hasattr(ses, m)]
        missing += missing_ses_records()
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
import moto.cognitoidp.models as cognitoidp_models  # noqa: E402
import moto.ses.models as ses_models  # noqa: E402
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


def query_one_partition():
    """Hands moto's `Table.query` of a table (not of an index) the queried partition instead of
    every item of the table. Safe because DynamoDB requests run one at a time (and the partition is
    kept per thread all the same)."""
    all_items = Table.all_items
    query = Table.query
    parameters = inspect.signature(query)
    partition = threading.local()

    def partition_or_all_items(self):
        only = getattr(partition, "of", None)
        if only is not None and only[0] is self:
            return list(only[1])
        return all_items(self)

    def query_partition(self, *args, **kwargs):
        named = parameters.bind(self, *args, **kwargs).arguments
        hash_key = named.get("hash_key")
        if named.get("index_name") or not self.range_key_attr or hash_key is None:
            return query(self, *args, **kwargs)
        # moto keeps a table with a sort key as {hash: {range: item}}; `get` adds no partition.
        partition.of = (self, self.items.get(hash_key, {}).values())
        try:
            return query(self, *args, **kwargs)
        finally:
            partition.of = None

    Table.all_items = partition_or_all_items
    Table.query = query_partition


SENT_ORDER = itertools.count()  # breaks ties of the clock between emails sent in the same instant


def remember_send_times():
    """Wraps SESBackend's send methods so that each email they store gets `local_sent_at`
    (when, sequence number): moto records no time, and the outbox shows and sorts by it."""
    backend = ses_models.SESBackend

    def stamping(original):
        @functools.wraps(original)
        def send(self, *args, **kwargs):
            result = original(self, *args, **kwargs)
            now = datetime.datetime.now(datetime.timezone.utc)
            # The new email is last; bulk sends and failed attempts store at most one each.
            for message in reversed(self.sent_messages):
                if hasattr(message, "local_sent_at"):
                    break
                message.local_sent_at = (now, next(SENT_ORDER))
            return result

        return send

    for name in SES_SEND_METHODS:
        setattr(backend, name, stamping(getattr(backend, name)))


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


class SmsOutbox:
    """SMS published to phone numbers (moto's SNS keeps them where the outbox cannot tell when),
    and the failures injected for numbers."""

    def __init__(self):
        self.lock = threading.Lock()
        self.messages = []  # {"id", "channel", "to", "body", "sent_at"} with "order"
        self.faults = {}  # phone number -> failures left

    def add_fault(self, spec):
        number, count = spec["phone_number"], int(spec["count"])
        if not isinstance(number, str) or not number:
            raise ValueError("phone_number must be a non-empty string")
        with self.lock:
            self.faults[number] = count

    def publish(self, form):
        """(status, XML body) of a Publish to a phone number."""
        number = form.get("PhoneNumber", "")
        request_id = str(uuid_module.uuid4())
        with self.lock:
            if self.faults.get(number, 0) > 0:
                self.faults[number] -= 1
                return 500, (
                    '<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>Receiver</Type>'
                    "<Code>InternalError</Code><Message>The SMS service is failing (injected fault)</Message>"
                    f"</Error><RequestId>{request_id}</RequestId></ErrorResponse>"
                )
            if not re.fullmatch(r"\+[1-9][0-9]{6,14}", number):
                return 400, (
                    '<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>Sender</Type>'
                    "<Code>InvalidParameter</Code><Message>Invalid parameter: PhoneNumber Reason: not E.164"
                    f"</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>"
                )
            message_id = str(uuid_module.uuid4())
            now = datetime.datetime.now(datetime.timezone.utc)
            self.messages.append({
                "id": message_id,
                "channel": "sms",
                "to": [number],
                "body": form.get("Message", ""),
                "sent_at": now.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                "order": (now, next(SENT_ORDER)),
            })
        return 200, (
            '<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult>'
            f"<MessageId>{message_id}</MessageId></PublishResult><ResponseMetadata><RequestId>{request_id}"
            "</RequestId></ResponseMetadata></PublishResponse>"
        )

    def sent(self):
        with self.lock:
            return list(self.messages)


def sns_phone_publish(environ):
    """The form of an SNS Publish to a phone number, or None for any other request."""
    if environ.get("REQUEST_METHOD") != "POST" or environ.get("HTTP_X_AMZ_TARGET"):
        return None
    if "application/x-www-form-urlencoded" not in environ.get("CONTENT_TYPE", ""):
        return None
    form = dict(urllib.parse.parse_qsl(read_body(environ).decode("utf-8", "replace"), keep_blank_values=True))
    if form.get("Action") != "Publish" or not form.get("PhoneNumber"):
        return None
    return form


def read_body(environ):
    """The request body, leaving it readable for the next application."""
    length = int(environ.get("CONTENT_LENGTH") or 0)
    raw = environ["wsgi.input"].read(length)
    environ["wsgi.input"] = io.BytesIO(raw)
    return raw


def read_json_body(environ):
    """The request body as JSON (or {}), leaving it readable for the next application."""
    try:
        return json.loads(read_body(environ))
    except ValueError:
        return {}


def query_params(environ):
    """The query string's parameters, the first value of each."""
    parsed = urllib.parse.parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
    return {name: values[0] for name, values in parsed.items()}


def json_response(start_response, status, body):
    data = json.dumps(body).encode()
    start_response(status, [("Content-Type", "application/x-amz-json-1.0"), ("Content-Length", str(len(data)))])
    return [data]


def respond(start_response, status, body, headers=()):
    """Answers `body`: bytes as they are (their Content-Type among `headers`), anything else as JSON."""
    if not isinstance(body, bytes):
        body = json.dumps(body).encode()
        headers = [("Content-Type", "application/json"), *headers]
    start_response(f"{status} {http.HTTPStatus(status).phrase}", [*headers, ("Content-Length", str(len(body)))])
    return [body]


# The outbox: the emails moto's SES keeps, rendered for people and listed for tests.


def sent_emails():
    """Every email moto's SES kept, in every account and region (SES v2 keeps its own there too),
    newest first."""
    messages = [
        message
        for account in list(ses_models.ses_backends.values())
        for backend in list(account.values())
        for message in list(backend.sent_messages)
    ]
    never = (datetime.datetime.min.replace(tzinfo=datetime.timezone.utc), -1)
    return sorted(messages, key=lambda m: getattr(m, "local_sent_at", never), reverse=True)


def addresses(destinations):
    """The distinct addresses in moto's destinations: a list of addresses, a dict of lists by kind
    (To, Cc, Bcc), or a bulk send's list of {"Destination": dict}."""
    if isinstance(destinations, dict):
        flat = [a for value in destinations.values() for a in addresses(value)]
    else:
        flat = [a for item in destinations or [] for a in (addresses(item) if isinstance(item, dict) else [item])]
    seen = {}
    for _, address in email.utils.getaddresses(flat):
        if address:
            seen.setdefault(address.lower(), address)
    return list(seen.values())


def looks_like_html(body):
    return re.search(r"<(html|body|div|p|table|br|a|h[1-6]|span|img)\b", body, re.IGNORECASE) is not None


def built_source(message, sent_at):
    """A MIME source for an email moto kept as parts: simple content (one body) or a template send."""
    source = email.message.EmailMessage(policy=email.policy.default)
    source["From"] = message.source
    destinations = message.destinations
    if isinstance(destinations, dict):  # Bcc stays off the headers, as SES leaves it
        for header, kind in (("To", "ToAddresses"), ("Cc", "CcAddresses")):
            if destinations.get(kind):
                source[header] = ", ".join(destinations[kind])
    else:
        source["To"] = ", ".join(addresses(destinations))
    source["Date"] = email.utils.format_datetime(sent_at)
    source["Message-ID"] = f"<{message.id}@email.amazonses.com>"
    if hasattr(message, "template"):
        source["Subject"] = f"(SES template {message.template})"
        source.set_content(
            f"Sent with the SES template {message.template!r}; moto keeps its data, not the email:\n\n"
            f"{message.template_data}\n"
        )
    else:
        source["Subject"] = message.subject or ""
        source.set_content(message.body or "", subtype="html" if looks_like_html(message.body or "") else "plain")
    return source.as_string()


def part_text(part):
    """A MIME part's text, decoded (quoted-printable, base64, its charset)."""
    if part is None:
        return None
    try:
        return part.get_content()
    except (LookupError, UnicodeError, KeyError):
        payload = part.get_payload(decode=True) or b""
        return payload.decode("utf-8", "replace")


def outbox_entry(message):
    """One email as the outbox shows it: the JSON fields, and its HTML and text parts."""
    sent_at = getattr(message, "local_sent_at", (datetime.datetime.now(datetime.timezone.utc), 0))[0]
    raw = message.raw_data if hasattr(message, "raw_data") else built_source(message, sent_at)
    parsed = email.message_from_string(raw, policy=email.policy.default)
    entry = {
        "id": message.id,
        "from": str(parsed["From"] or message.source or ""),
        "channel": "email",
        "to": addresses(message.destinations),
        "subject": str(parsed["Subject"] or ""),
        "sent_at": sent_at.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "raw": raw,
    }
    parts = {
        "html": part_text(parsed.get_body(preferencelist=("html",))),
        "text": part_text(parsed.get_body(preferencelist=("plain",))),
    }
    return entry, parts


OUTBOX_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 60rem; color: #222; }
article { border: 1px solid #ccc; border-radius: 6px; padding: 1rem; margin-bottom: 1.5rem; }
h2 { margin: 0 0 .5rem; font-size: 1.2rem; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; margin: 0 0 1rem; }
dt { color: #666; }
dd { margin: 0; }
iframe { width: 100%; height: 32rem; border: 1px solid #ddd; resize: vertical; }
pre { white-space: pre-wrap; word-break: break-all; background: #f6f6f6; padding: .75rem; }
.tabs { display: flex; gap: 1rem; margin-bottom: 1rem; border-bottom: 1px solid #ccc; }
.tabs a { padding: .4rem .8rem; text-decoration: none; }
.tabs a[aria-current="page"] { border-bottom: 3px solid #225; font-weight: bold; }
"""


def outbox_tabs(current, emails, sms):
    """The page's two tabs, as links (the page works without scripts)."""
    tabs = []
    for tab, label, href in (("email", f"Emails ({emails})", "/_local/outbox"), ("sms", f"SMS ({sms})", "/_local/outbox?tab=sms")):
        current_attr = ' aria-current="page"' if tab == current else ""
        tabs.append(f'<a href="{href}"{current_attr}>{label}</a>')
    return f'<nav class="tabs">{"".join(tabs)}</nav>'


def sms_page(messages, emails):
    """The outbox's SMS tab."""
    esc = html.escape
    articles = [
        f"<article><h2>SMS to {esc(', '.join(m['to']))}</h2><dl>"
        f"<dt>To</dt><dd>{esc(', '.join(m['to']))}</dd>"
        f"<dt>Sent</dt><dd>{esc(m['sent_at'])}</dd>"
        f"<dt>Id</dt><dd>{esc(m['id'])}</dd></dl><pre>{esc(m['body'])}</pre></article>"
        for m in messages
    ]
    listing = "".join(articles) or "<p>No SMS sent yet.</p>"
    return (
        f'<!doctype html><html><head><meta charset="utf-8"><title>Local outbox: SMS ({len(messages)})</title>'
        f"<style>{OUTBOX_STYLE}</style></head><body><h1>Local outbox</h1>{outbox_tabs('sms', emails, len(messages))}"
        f"<p>{len(messages)} SMS sent through SNS on this endpoint, newest first "
        f'(<a href="/_local/outbox.json">JSON</a>).</p>{listing}</body></html>'
    ).encode()


def outbox_page(entries, sms_count=0):
    """The outbox as an HTML page (the emails tab)."""
    esc = html.escape
    articles = []
    for entry, parts in entries:
        if parts["html"] is not None:
            # srcdoc is an attribute: escaping quotes too keeps the email inside it; the sandbox
            # keeps its scripts and forms away from this page.
            sandbox = "allow-popups allow-popups-to-escape-sandbox"
            shown = f'<iframe sandbox="{sandbox}" srcdoc="{esc(parts["html"], quote=True)}"></iframe>'
        else:
            shown = f"<pre>{esc(parts['text'] or '')}</pre>"
        articles.append(
            f"<article><h2>{esc(entry['subject'] or '(no subject)')}</h2><dl>"
            f"<dt>From</dt><dd>{esc(entry['from'])}</dd>"
            f"<dt>To</dt><dd>{esc(', '.join(entry['to']))}</dd>"
            f"<dt>Sent</dt><dd>{esc(entry['sent_at'])}</dd>"
            f"<dt>Id</dt><dd>{esc(entry['id'])}</dd></dl>{shown}"
            f"<details><summary>MIME source</summary><pre>{esc(entry['raw'])}</pre></details></article>"
        )
    listing = "".join(articles) or "<p>No email sent yet.</p>"
    return (
        f'<!doctype html><html><head><meta charset="utf-8"><title>Local outbox ({len(entries)})</title>'
        f"<style>{OUTBOX_STYLE}</style></head><body><h1>Local outbox</h1>{outbox_tabs('email', len(entries), sms_count)}"
        f"<p>{len(entries)} email(s) sent through SES on this endpoint, newest first "
        f'(<a href="/_local/outbox.json">JSON</a>).</p>{listing}</body></html>'
    ).encode()


# The local marketplace: eBay's token endpoint and Browse search over a generated catalogue.

MARKETPLACE_PREFIX = "/_marketplace"
MARKETPLACE_CONTROLS = "/_local/marketplace"
TOKEN_PATH = "/identity/v1/oauth2/token"
SEARCH_PATH = "/buy/browse/v1/item_summary/search"
EBAY_SCOPE = "https://api.ebay.com/oauth/api_scope"
TOKEN_LIFETIME_SECONDS = 7200
LISTED_PROBABILITY = 0.85
MAX_QUERIES_KEPT = 1000  # per client, the latest
SEARCH_FAULT_KINDS = ("unavailable", "rate_limited", "garbage")
MARKETPLACE_FAULT_KINDS = SEARCH_FAULT_KINDS + ("token_unavailable", "expire_tokens")

# What the generated titles and sellers are made of.
BRANDS = ("Acme", "Nordvik", "Vertex", "Kestrel", "Orbit", "Summit", "Harbor", "Pioneer", "Lumen", "Atlas",
          "Zephyr", "Granite", "Maple & Co", "Redline")
ADJECTIVES = ("Classic", "Deluxe", "Compact", "Vintage", "Premium", "Portable", "Pro", "Mini", "Limited Edition",
              "Genuine", "Heavy Duty", "Lightweight", "Rare", "Original")
VARIANTS = ("Black", "Silver", "Blue", "Red", "2-Pack", "Bundle", "XL", "with Case", "Starter Kit", "Set of 3",
            "2024 Model", "Replacement", "Boxed", "Fast Shipping")
SELLER_WORDS = ("harbor", "attic", "corner", "bargain", "vintage", "depot", "market", "finds", "outlet", "treasure",
                "gadget", "trader", "shop", "deals")
# (condition, eBay conditionId, share of the listings, price relative to new)
CONDITIONS = (("New", "1000", 0.55, 1.0), ("Used", "3000", 0.25, 0.65), ("Refurbished", "2500", 0.12, 0.8),
              ("Open box", "1500", 0.08, 0.9))
SHIPPING_CENTS = (299, 399, 499, 599, 799, 999, 1250)
FREE_SHIPPING_SHARE = 0.3

Listing = collections.namedtuple(
    "Listing", "legacy_id title condition condition_id base_cents shipping_cents period phase seller"
)


def digest(*parts):
    """A 64-bit number for `parts`, the same in every process (Python's `hash` is salted per process)."""
    data = "\x1f".join(str(p) for p in parts).encode()
    return int.from_bytes(hashlib.sha256(data).digest()[:8], "big")


def unit(*parts):
    """A number in [0, 1) for `parts`, the same in every process."""
    return digest(*parts) / 2**64


def pick(choices, *parts):
    return choices[digest(*parts) % len(choices)]


def normalise_phrase(q):
    return " ".join(q.split()).lower()


@functools.lru_cache(maxsize=1024)
def catalogue(seed, phrase):
    """The candidate listings of a phrase in "best match" order: all that does not change with time."""
    typical_cents = 100 * 10 ** (0.8 + 1.9 * unit(seed, phrase, "typical"))  # $6 to $500
    count = 40 + digest(seed, phrase, "count") % 81
    listings = [candidate(seed, phrase, n, typical_cents) for n in range(count)]
    return tuple(sorted(listings, key=lambda listing: unit(seed, phrase, listing.legacy_id, "relevance")))


def candidate(seed, phrase, n, typical_cents):
    key = (seed, phrase, n)
    share = unit(*key, "condition")
    for condition, condition_id, condition_share, relative in CONDITIONS:
        if share < condition_share:
            break
        share -= condition_share
    free = unit(*key, "free shipping") < FREE_SHIPPING_SHARE
    return Listing(
        legacy_id=str(110_000_000_000 + digest(*key, "id") % 89_000_000_000),
        title=title(phrase, key),
        condition=condition,
        condition_id=condition_id,
        base_cents=typical_cents * relative * (0.55 + unit(*key, "price")),
        shipping_cents=0 if free else pick(SHIPPING_CENTS, *key, "shipping"),
        period=6 + digest(*key, "period") % 13,  # buckets per wave: a noticeable change every bucket
        phase=unit(*key, "phase"),
        seller={
            "username": f"{pick(SELLER_WORDS, *key, 'seller')}_{pick(SELLER_WORDS, *key, 'seller 2')}"
            f"{digest(*key, 'seller 3') % 100}",
            "feedbackPercentage": f"{95 + 5 * unit(*key, 'feedback'):.1f}",
            "feedbackScore": digest(*key, "score") % 25_000,
        },
    )


def title(phrase, key):
    """A listing title: the phrase, capitalised, with some of a brand, an adjective and a variant."""
    words = [pick(BRANDS, *key, "brand")] if unit(*key, "branded") < 0.7 else []
    words += [pick(ADJECTIVES, *key, "adjective")] if unit(*key, "described") < 0.6 else []
    words += [w[:1].upper() + w[1:] for w in phrase.split()]
    words += [pick(VARIANTS, *key, "variant")] if unit(*key, "variant") < 0.7 else []
    return " ".join(words)[:80]  # eBay's longest title


def listed(seed, phrase, listing, bucket):
    return unit(seed, phrase, listing.legacy_id, bucket, "listed") < LISTED_PROBABILITY


def price_cents(seed, phrase, listing, bucket):
    """A listing's price in a time bucket: its base price on a slow wave (±12%) plus a little noise."""
    wave = math.sin(2 * math.pi * (bucket / listing.period + listing.phase))
    noise = unit(seed, phrase, listing.legacy_id, bucket, "noise") - 0.5
    return max(99, round(listing.base_cents * (1 + 0.12 * wave + 0.06 * noise)))


def money(cents, currency):
    return {"value": f"{cents // 100}.{cents % 100:02d}", "currency": currency}


def item_summary(listing, cents, currency):
    """A listing as eBay's search returns it."""
    return {
        "itemId": f"v1|{listing.legacy_id}|0",
        "legacyItemId": listing.legacy_id,
        "title": listing.title,
        "price": money(cents, currency),
        "condition": listing.condition,
        "conditionId": listing.condition_id,
        "image": {"imageUrl": f"https://picsum.photos/seed/{listing.legacy_id}/200"},
        "itemWebUrl": f"https://www.ebay.com/itm/{listing.legacy_id}",
        "shippingOptions": [{"shippingCostType": "FIXED", "shippingCost": money(listing.shipping_cents, currency)}],
        "seller": listing.seller,
        "buyingOptions": ["FIXED_PRICE"],
        "itemLocation": {"country": "US"},
    }


class Refusal(Exception):
    """An eBay error answer: status, and the body eBay gives it."""

    def __init__(self, status, error_id, message, domain="API_BROWSE", category="REQUEST", headers=()):
        super().__init__(message)
        self.status, self.headers = status, list(headers)
        self.body = {"errors": [{"errorId": error_id, "domain": domain, "category": category,
                                 "message": message, "longMessage": message}]}


def invalid_token():
    refusal = Refusal(401, 1001, "Invalid access token", domain="OAuth")
    refusal.body["errors"][0]["longMessage"] = (
        "Invalid access token. Check the value of the Authorization HTTP request header."
    )
    return refusal


def oauth_error(status, error, description):
    return status, {"error": error, "error_description": description}, []


def filter_fields(text):
    """eBay's `filter` as {field: value}: fields are separated by commas outside [] and {}."""
    fields, depth, start = {}, 0, 0
    for i, char in enumerate(text + ","):
        depth += {"[": 1, "{": 1, "]": -1, "}": -1}.get(char, 0)
        if char == "," and depth == 0:
            name, colon, value = text[start:i].partition(":")
            if name.strip():
                if not colon:
                    raise Refusal(400, 12011, f"The filter '{text[start:i].strip()}' is not field:value.")
                fields[name.strip()] = value.strip()
            start = i + 1
    return fields


def price_range(value):
    """(lowest, highest) in cents, None for an open end, of a filter value `[lo..hi]`, `[..hi]` or `[lo..]`."""
    amount = r"\s*(\d+(?:\.\d{1,2})?)?\s*"
    match = re.fullmatch(rf"\[{amount}\.\.{amount}\]", value)
    if not match or match.groups() == (None, None):
        raise Refusal(400, 12011, f"The price filter '{value}' is not valid; use [10..50], [..50] or [10..].")
    return tuple(None if g is None else round(float(g) * 100) for g in match.groups())


def integer_param(params, name, default, low, high, error_id):
    raw = params.get(name, "")
    if raw == "":
        return default
    if not re.fullmatch(r"\d+", raw) or not low <= int(raw) <= high:
        raise Refusal(400, error_id, f"The '{name}' value must be an integer from {low} to {high}.")
    return int(raw)


def request_time(environ):
    """The request's "now" in seconds: its X-Local-Now header (RFC 3339; tests set it), else the clock."""
    given = environ.get("HTTP_X_LOCAL_NOW", "").strip()
    if not given:
        return time.time()
    try:
        moment = datetime.datetime.fromisoformat(given)
    except ValueError:
        raise Refusal(400, 12000, f"X-Local-Now '{given}' is not an RFC 3339 time.") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    return moment.timestamp()


def bearer_token(environ):
    scheme, _, token = environ.get("HTTP_AUTHORIZATION", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def basic_credentials(environ):
    """(client id, secret) of a Basic Authorization header, or None."""
    scheme, _, encoded = environ.get("HTTP_AUTHORIZATION", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        client_id, colon, secret = base64.b64decode(encoded.strip(), validate=True).decode().partition(":")
    except (ValueError, UnicodeError):
        return None
    return (client_id, secret) if colon and client_id else None


def fault_answer(kind):
    """(status, body, headers) of an injected search fault."""
    if kind == "rate_limited":
        refusal = Refusal(429, 2001, "Too many requests. The request limit has been reached for the resource.",
                          domain="ACCESS", headers=[("Retry-After", "1")])
    elif kind == "unavailable":
        refusal = Refusal(503, 12000, "There was a problem with an eBay internal system or process. "
                          "Contact eBay developer support for assistance.", category="APPLICATION")
    else:  # garbage: a response cut off mid-way, as a failing proxy sends it
        cut_off = b'{"href":"https://api.ebay.com/buy/browse/v1/item_summary/search?q=","total":57,"itemSummaries":[{"it'
        return 200, cut_off, [("Content-Type", "application/json")]
    return refusal.status, refusal.body, refusal.headers


def new_client_stats():
    return {"tokens": 0, "tokens_issued": 0, "searches": 0, "rejected": 0, "queries": []}


class Marketplace:
    """The local stand-in for eBay: its token endpoint and Browse search, and their test controls."""

    def __init__(self, seed, drift_seconds, clients):
        self.seed, self.drift_seconds = seed, drift_seconds
        self.lock = threading.Lock()
        self.clients = dict(clients)  # client id -> secret
        self.tokens = {}  # access token -> [client id, expiry (monotonic), revoked]
        self.stats = collections.defaultdict(new_client_stats)  # client id -> new_client_stats()
        self.faults = {}  # (client id, "search" or "token") -> [kind, count]

    @classmethod
    def from_environment(cls):
        clients = {}
        for entry in filter(None, (e.strip() for e in os.environ.get("MARKETPLACE_CLIENTS", "").split(","))):
            client_id, colon, secret = entry.partition(":")
            if not (colon and client_id and secret):
                sys.exit(f"emulator.py: MARKETPLACE_CLIENTS entry {entry!r} is not client_id:secret")
            clients[client_id] = secret
        try:
            drift_seconds = float(os.environ.get("MARKETPLACE_DRIFT_SECONDS", "300"))
        except ValueError:
            drift_seconds = 0
        if not drift_seconds > 0:
            sys.exit("emulator.py: MARKETPLACE_DRIFT_SECONDS must be a positive number of seconds")
        return cls(os.environ.get("MARKETPLACE_SEED", "1"), drift_seconds, clients)

    def serve(self, environ, path):
        """(status, body, headers) for a request to the marketplace's API."""
        method = environ.get("REQUEST_METHOD")
        route = path[len(MARKETPLACE_PREFIX):]
        if route == TOKEN_PATH and method == "POST":
            return self.token(environ)
        if route == SEARCH_PATH and method == "GET":
            return self.search(environ)
        status = 405 if route in (TOKEN_PATH, SEARCH_PATH) else 404
        refusal = Refusal(status, 2002, f"No resource at {method} {route} on the local marketplace.", domain="ACCESS")
        return refusal.status, refusal.body, []

    def take_fault(self, client_id, target):
        """The kind of the client's next injected fault for `target`, or None. Call with the lock."""
        fault = self.faults.get((client_id, target))
        if not fault or fault[1] <= 0:
            return None
        fault[1] -= 1
        return fault[0]

    def token(self, environ):
        form = urllib.parse.parse_qs(read_body(environ).decode("utf-8", "replace"))
        credentials = basic_credentials(environ)
        if credentials is None:
            return oauth_error(401, "invalid_client", "client authentication failed")
        client_id, secret = credentials
        with self.lock:
            self.stats[client_id]["tokens"] += 1
            if self.take_fault(client_id, "token"):
                return oauth_error(503, "temporarily_unavailable", "The server is temporarily unavailable.")
            if client_id not in self.clients or not secrets.compare_digest(self.clients[client_id], secret):
                return oauth_error(401, "invalid_client", "client authentication failed")
            if form.get("grant_type") != ["client_credentials"]:
                return oauth_error(
                    400, "unsupported_grant_type", "grant type in request is not supported by the authorization server"
                )
            scopes = " ".join(form.get("scope", [])).split()
            if any(not scope.startswith(EBAY_SCOPE) for scope in scopes):
                return oauth_error(400, "invalid_scope", "The requested scope is invalid, unknown, or malformed")
            token = f"v^1.1#i^1#local#{secrets.token_urlsafe(32)}"
            self.tokens[token] = [client_id, time.monotonic() + TOKEN_LIFETIME_SECONDS, False]
            self.stats[client_id]["tokens_issued"] += 1
        return 200, {"access_token": token, "expires_in": TOKEN_LIFETIME_SECONDS, "token_type": "Application Access Token"}, []

    def search(self, environ):
        params = query_params(environ)
        with self.lock:
            issued = self.tokens.get(bearer_token(environ))
            if issued is None:  # nobody to count it for
                refusal = invalid_token()
                return refusal.status, refusal.body, []
            client_id, expiry, revoked = issued
            stats = self.stats[client_id]
            stats["searches"] += 1
            limit = params.get("limit")
            limit = int(limit) if limit and limit.isdigit() else limit
            query = {"q": params.get("q"), "filter": params.get("filter"), "limit": limit, "sort": params.get("sort"),
                     "status": None}
            stats["queries"].append(query)
            del stats["queries"][:-MAX_QUERIES_KEPT]  # a local stack searches for hours
            if revoked or time.monotonic() >= expiry:
                stats["rejected"] += 1
                fault, refusal = None, invalid_token()
            else:
                fault, refusal = self.take_fault(client_id, "search"), None
        if fault:
            status, body, headers = fault_answer(fault)
        elif refusal:
            status, body, headers = refusal.status, refusal.body, []
        else:
            try:
                status, body, headers = 200, self.results(environ, params), []
            except Refusal as refused:
                status, body, headers = refused.status, refused.body, refused.headers
        query["status"] = status
        return status, body, headers

    def results(self, environ, params):
        """eBay's search response for these parameters, at the request's time."""
        phrase = normalise_phrase(params.get("q", ""))
        if not phrase:
            raise Refusal(400, 12001, "The 'q' query parameter is required (the local marketplace needs keywords).")
        limit = integer_param(params, "limit", 50, 1, 200, 12002)
        offset = integer_param(params, "offset", 0, 0, 9999, 12003)
        fields = filter_fields(params.get("filter", ""))
        currency = fields.get("priceCurrency", "USD")
        if not re.fullmatch(r"[A-Z]{3}", currency):
            raise Refusal(400, 12013, f"The priceCurrency '{currency}' is not a valid currency code.")
        if "price" in fields and "priceCurrency" not in fields:
            raise Refusal(400, 12012, "The 'priceCurrency' filter must be used together with the 'price' filter.")
        low, high = price_range(fields["price"]) if "price" in fields else (None, None)
        bucket = math.floor(request_time(environ) / self.drift_seconds)
        offers = []
        for listing in catalogue(self.seed, phrase):
            if listed(self.seed, phrase, listing, bucket):
                cents = price_cents(self.seed, phrase, listing, bucket)
                if (low is None or cents >= low) and (high is None or cents <= high):
                    offers.append((listing, cents))
        sort = params.get("sort", "")
        if sort in ("price", "-price"):  # stable: equal prices keep the best-match order
            offers.sort(key=lambda offer: offer[1], reverse=sort == "-price")
        return self.page(environ, params, offers, limit, offset, currency)

    def page(self, environ, params, offers, limit, offset, currency):
        def href(at):
            names = ("q", "limit", "offset", "sort", "filter")
            query = {**{n: params[n] for n in names if params.get(n)}, "limit": limit, "offset": at}
            encoded = urllib.parse.urlencode({n: query[n] for n in names if n in query}, quote_via=urllib.parse.quote)
            return f"http://{environ.get('HTTP_HOST', 'localhost')}{MARKETPLACE_PREFIX}{SEARCH_PATH}?{encoded}"

        body = {"href": href(offset), "total": len(offers)}
        if offset + limit < len(offers):
            body["next"] = href(offset + limit)
        if offset > 0:
            body["prev"] = href(max(0, offset - limit))
        body.update(limit=limit, offset=offset)
        summaries = [item_summary(listing, cents, currency) for listing, cents in offers[offset:offset + limit]]
        if summaries:  # eBay leaves the field out when nothing matched
            body["itemSummaries"] = summaries
        return body

    def serve_controls(self, environ, path):
        """(status, body, headers) for the test controls under /_local/marketplace."""
        method, route = environ.get("REQUEST_METHOD"), path[len(MARKETPLACE_CONTROLS):]
        client_id = query_params(environ).get("client_id")
        try:
            if route == "/clients" and method == "POST":
                spec = read_json_body(environ)
                self.register(str(spec["client_id"]), str(spec["client_secret"]))
                return 200, {}, []
            if route == "/faults" and method == "POST":
                self.add_fault(read_json_body(environ))
                return 200, {}, []
        except (KeyError, ValueError, TypeError, AttributeError) as err:
            return 400, {"message": f"{type(err).__name__}: {err}"}, []
        if route == "/stats" and method == "GET":
            with self.lock:
                # Copies, made inside the lock: searches keep appending to the originals.
                if client_id is None:
                    return 200, {"clients": copy.deepcopy(dict(self.stats))}, []
                return 200, copy.deepcopy(self.stats.get(client_id) or new_client_stats()), []
        if route == "/stats/reset" and method == "POST":
            with self.lock:
                if client_id is None:
                    self.stats.clear()
                else:
                    self.stats.pop(client_id, None)
            return 200, {}, []
        return 404, {"message": f"no {method} {path}; see the docstring of infra/local/emulator.py"}, []

    def register(self, client_id, secret):
        if not client_id or not secret:
            raise ValueError("client_id and client_secret must not be empty")
        with self.lock:
            self.clients[client_id] = secret

    def add_fault(self, spec):
        client_id, kind = spec["client_id"], spec["kind"]
        if not isinstance(client_id, str) or not client_id:
            raise ValueError("client_id must be a non-empty string")
        if kind not in MARKETPLACE_FAULT_KINDS:
            raise ValueError(f"kind must be one of {MARKETPLACE_FAULT_KINDS}")
        with self.lock:
            if kind == "expire_tokens":
                for issued in self.tokens.values():
                    if issued[0] == client_id:
                        issued[2] = True
                return
            count = int(spec.get("count", 1))
            if count < 0:
                raise ValueError("count must not be negative")
            target = "token" if kind == "token_unavailable" else "search"
            self.faults[(client_id, target)] = [kind, count]


class SignUpCodes:
    """Confirmation codes of sign-ups, mailed through the local SES so that the outbox shows them."""

    SENDER = "no-reply@verificationemail.com"

    def __init__(self):
        self.lock = threading.Lock()
        self.codes = {}

    def issue(self, client_id, username):
        code = f"{secrets.randbelow(1_000_000):06d}"
        with self.lock:
            self.codes[(client_id, username.lower())] = code
        self.mail(username, code)

    def check(self, client_id, username, code):
        with self.lock:
            expected = self.codes.get((client_id, username.lower()))
            if expected is None or not secrets.compare_digest(expected, str(code)):
                return False
            del self.codes[(client_id, username.lower())]
            return True

    def mail(self, to, code):
        message = email.message.EmailMessage(policy=email.policy.default)
        message["From"] = self.SENDER
        message["To"] = to
        message["Subject"] = "Your verification code"
        message["Date"] = email.utils.formatdate(usegmt=True)
        message.set_content(f"Your confirmation code is {code}\n\nEnter it in the console to confirm your email.\n")
        for account in list(ses_models.ses_backends.values()):
            backend = account["us-east-1"]
            backend.verify_email_identity(self.SENDER)
            backend.send_raw_email(self.SENDER, [to], message.as_string())
            return

    @staticmethod
    def verify_email(client_id, username):
        """ConfirmSignUp verifies the email, as Cognito does for a pool that verifies emails."""
        for account in list(cognitoidp_models.cognitoidp_backends.values()):
            for backend in list(account.values()):
                for pool in list(backend.user_pools.values()):
                    if client_id not in pool.clients:
                        continue
                    for user in list(pool.users.values()):
                        if username in (user.username, user.attribute_lookup.get("email")):
                            user.update_attributes([{"Name": "email_verified", "Value": "true"}])


CORS_HEADERS = [
    ("Access-Control-Allow-Origin", "*"),
    ("Access-Control-Allow-Methods", "GET, POST, PUT, PATCH, DELETE, OPTIONS"),
    ("Access-Control-Allow-Headers", "*"),
    ("Access-Control-Max-Age", "600"),
]


class LocalEndpoint:
    def __init__(self, app):
        self.app = app
        self.dynamodb_lock = threading.Lock()
        self.stats_lock = threading.Lock()
        self.stats = collections.Counter()
        self.tokens = TransactionTokens()
        self.faults = Faults()
        self.marketplace = Marketplace.from_environment()
        self.sign_up_codes = SignUpCodes()
        self.sms = SmsOutbox()

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if environ.get("REQUEST_METHOD") == "OPTIONS":
            return respond(start_response, 200, b"", CORS_HEADERS)
        if path.startswith(MARKETPLACE_PREFIX + "/"):
            return respond(start_response, *self.marketplace.serve(environ, path))
        if path.startswith(MARKETPLACE_CONTROLS + "/"):
            return respond(start_response, *self.marketplace.serve_controls(environ, path))
        if path in ("/_local/outbox", "/_local/outbox/", "/_local/outbox.json"):
            return self.serve_outbox(environ, path, start_response)
        if path.startswith("/_local/stats"):
            return self.serve_stats(environ, start_response)
        if path.startswith("/_local/faults"):
            return self.serve_faults(environ, start_response)
        sms = sns_phone_publish(environ)
        if sms is not None:
            with self.stats_lock:
                self.stats["AmazonSNS.Publish"] += 1
            status, body = self.sms.publish(sms)
            return respond(start_response, status, body.encode(), [("Content-Type", "text/xml")])
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        if target:
            with self.stats_lock:
                self.stats[target] += 1
        if target.startswith("AWSCognitoIdentityProviderService."):
            return self.cognito(environ, start_response, target.rsplit(".", 1)[-1])
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

    def cognito(self, environ, start_response, action):
        """Cognito as moto serves it, with sign-up codes that are mailed and checked, and CORS."""
        request = read_json_body(environ)
        client_id, username = request.get("ClientId", ""), request.get("Username", "")
        if action == "ConfirmSignUp" and not self.sign_up_codes.check(client_id, username, request.get("ConfirmationCode")):
            return respond(
                start_response,
                400,
                {"__type": "CodeMismatchException", "message": "Invalid verification code provided, please try again."},
                CORS_HEADERS,
            )
        status = []

        def with_cors(status_line, headers, *args):
            status.append(status_line)
            # moto's own CORS layer answers most requests already; one Allow-Origin only.
            if not any(name.lower() == "access-control-allow-origin" for name, _ in headers):
                headers = [*headers, *CORS_HEADERS]
            return start_response(status_line, headers, *args)

        body = b"".join(self.app(environ, with_cors))
        if status and status[0].startswith("200"):
            if action in ("SignUp", "ResendConfirmationCode"):
                self.sign_up_codes.issue(client_id, username)
            elif action == "ConfirmSignUp":
                self.sign_up_codes.verify_email(client_id, username)
        return [body]

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


    def serve_outbox(self, environ, path, start_response):
        emails = sent_emails()
        entries = [outbox_entry(message) for message in emails]
        sms = sorted(self.sms.sent(), key=lambda m: m["order"], reverse=True)
        if path.endswith(".json"):
            never = (datetime.datetime.min.replace(tzinfo=datetime.timezone.utc), -1)
            both = [(getattr(m, "local_sent_at", never), e) for m, (e, _) in zip(emails, entries)]
            both += [(m["order"], {k: v for k, v in m.items() if k != "order"}) for m in sms]
            both.sort(key=lambda pair: pair[0], reverse=True)
            return respond(start_response, 200, {"messages": [entry for _, entry in both]})
        html_type = [("Content-Type", "text/html; charset=utf-8")]
        if query_params(environ).get("tab") == "sms":
            return respond(start_response, 200, sms_page(sms, len(entries)), html_type)
        return respond(start_response, 200, outbox_page(entries, len(sms)), html_type)

    def serve_faults(self, environ, start_response):
        try:
            spec = read_json_body(environ)
            if spec.get("operation") == "Publish":
                self.sms.add_fault(spec)
            else:
                self.faults.add(spec)
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
    query_one_partition()
    remember_send_times()
    # Authenticator-app codes are checked (TOTP, RFC 6238) as Cognito checks them.
    os.environ.setdefault("MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP", "true")
    app = LocalEndpoint(DomainDispatcherApplication(create_backend_app))
    server = make_server(args.host, args.port, app, threaded=True, request_handler=QuietHandler)
    threading.Thread(target=exit_when_parent_goes, daemon=True).start()
    print(f"local AWS endpoint listening on http://{args.host}:{args.port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
