"""A local Sheets-compatible HTTP server for the tests and the benchmark: the v4 calls gspread makes
(spreadsheets.get, values get/batchGet/update/batchUpdate/append/clear, spreadsheets batchUpdate), an
OAuth token endpoint that checks the service account's signed JWT, injected 429/5xx answers, a log of
every request (with its valueInputOption), and helpers that edit cells as a person in the Sheets UI."""

from __future__ import annotations

import base64
import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from fake_grid import ApiError, FakeSpreadsheet, FakeTab, entered, parse_cells

STATUS = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    502: "BAD_GATEWAY",
    503: "UNAVAILABLE",
}


@dataclass
class Logged:
    method: str
    path: str
    query: dict[str, list[str]]
    body: Any

    @property
    def value_input_option(self) -> str | None:
        if isinstance(self.body, dict) and "valueInputOption" in self.body:
            return self.body["valueInputOption"]
        return (self.query.get("valueInputOption") or [None])[0]


@dataclass
class Fault:
    status: int
    times: int
    method: str | None = None
    path_contains: str | None = None
    retry_after: float | None = None


@dataclass
class FakeSheets:
    """The server's state; `url` is set once it listens."""

    spreadsheets: dict[str, FakeSpreadsheet] = field(default_factory=dict)
    log: list[Logged] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    tokens: set[str] = field(default_factory=set)
    public_keys: dict[str, Any] = field(default_factory=dict)  # client_email -> RSA public key
    forbidden: set[str] = field(default_factory=set)
    latency: float = 0.0
    # Like some Sheets-compatible servers: a new tab gets an id of the server's choosing, whatever the
    # request asked for (the reply says which).
    assigns_ids: bool = False
    url: str = ""
    lock: threading.RLock = field(default_factory=threading.RLock)
    _ids: Any = field(default_factory=lambda: itertools.count(1000))

    # --- what tests set up and look at ------------------------------------------------------------

    def create(
        self, key: str, title: str = "Planning", tabs: tuple[str, ...] = ("Sheet1",)
    ) -> FakeSpreadsheet:
        with self.lock:
            book = FakeSpreadsheet(key, title, [FakeTab(next(self._ids), t, i) for i, t in enumerate(tabs)])
            self.spreadsheets[key] = book
            return book

    def fail(
        self,
        status: int,
        times: int = 1,
        *,
        method: str | None = None,
        path_contains: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        with self.lock:
            self.faults.append(Fault(status, times, method, path_contains, retry_after))

    def api_calls(self) -> list[Logged]:
        with self.lock:
            return [r for r in self.log if r.path.startswith("/v4/")]

    def reset_log(self) -> None:
        with self.lock:
            self.log.clear()

    def tab(self, key: str, title: str) -> FakeTab:
        return self.spreadsheets[key].tab(title)

    def grid(self, key: str, title: str, render: str = "FORMATTED_VALUE") -> list[list[Any]]:
        with self.lock:
            return self.tab(key, title).read(0, 0, None, None, render)

    def records(self, key: str, title: str) -> list[dict[str, Any]]:
        """Data rows as header -> shown text, with the sheet row number under "_row"."""
        rows = self.grid(key, title)
        if not rows:
            return []
        header = rows[0]
        out = []
        for n, row in enumerate(rows[1:], start=2):
            if any(v != "" for v in row):
                out.append(
                    {"_row": n, **{h: (row[i] if i < len(row) else "") for i, h in enumerate(header) if h}}
                )
        return out

    def row_of(self, key: str, title: str, header: str, value: Any) -> int:
        for rec in self.records(key, title):
            if str(rec.get(header)) == str(value):
                return rec["_row"]
        raise KeyError(f"no row with {header}={value!r}")

    def column(self, key: str, title: str, header: str) -> int:
        head = self.grid(key, title)[0]
        for i, h in enumerate(head):
            if h == header or str(h).split(" (")[0] == header:
                return i
        raise KeyError(header)

    def type(self, key: str, title: str, row: int, header: str, text: Any) -> None:
        """A person types into a cell in the Sheets UI (so "=…" becomes a formula, "'=…" stays text)."""
        with self.lock:
            self.tab(key, title).cells[(row - 1, self.column(key, title, header))] = entered(text)

    def add_row(self, key: str, title: str, values: dict[str, Any]) -> int:
        with self.lock:
            tab = self.tab(key, title)
            row = tab.used()[0] + 1
            for header, text in values.items():
                tab.cells[(row - 1, self.column(key, title, header))] = entered(text)
            return row

    def delete_row(self, key: str, title: str, row: int) -> None:
        with self.lock:
            self.tab(key, title).delete_rows(row - 1, row)

    def rename(self, key: str, title: str, new: str) -> None:
        with self.lock:
            self.tab(key, title).title = new

    def remove_tab(self, key: str, title: str) -> None:
        with self.lock:
            book = self.spreadsheets[key]
            book.tabs = [t for t in book.tabs if t.title != title]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; without TCP_NODELAY the client's delayed ACK adds
    # ~40 ms to every answer on a kept-alive connection, which would swamp what the benchmark measures.
    disable_nagle_algorithm = True
    server: Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _body(self) -> bytes:
        # Read exactly Content-Length bytes, once: reading more blocks the handler.
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _send(self, code: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(payload).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def _error(
        self, code: int, message: str, status: str | None = None, headers: dict[str, str] | None = None
    ) -> None:
        self._send(
            code,
            {"error": {"code": code, "message": message, "status": status or STATUS.get(code, "UNKNOWN")}},
            headers,
        )

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_PUT(self) -> None:
        self._handle("PUT")

    def _handle(self, method: str) -> None:
        state = self.server.state
        parts = urlsplit(self.path)
        raw = self._body()
        query = parse_qs(parts.query)
        if parts.path == "/token":
            self._token(raw)
            return
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            self._error(400, "Invalid JSON payload received.")
            return
        with state.lock:
            state.log.append(Logged(method, unquote(parts.path), query, body))
        if state.latency:
            time.sleep(state.latency)
        auth = self.headers.get("Authorization", "")
        if not auth.startswith("Bearer ") or auth[7:] not in state.tokens:
            self._error(401, "Request is missing required authentication credential.")
            return
        with state.lock:
            for fault in state.faults:
                if (
                    fault.times > 0
                    and (fault.method in (None, method))
                    and (fault.path_contains is None or fault.path_contains in parts.path)
                ):
                    fault.times -= 1
                    extra = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else None
                    self._error(
                        fault.status,
                        "Quota exceeded for quota metric 'Write requests'"
                        if fault.status == 429
                        else "Internal error encountered.",
                        headers=extra,
                    )
                    return
            try:
                code, payload = route(state, method, parts.path, query, body)
            except ApiError as exc:
                self._error(exc.code, exc.message, exc.status)
                return
        self._send(code, payload)

    def _token(self, raw: bytes) -> None:
        """The OAuth token endpoint a service account's token_uri points at: checks the signed JWT."""
        form = parse_qs(raw.decode())
        try:
            head, claims, sig = form["assertion"][0].split(".")
            payload = json.loads(_b64(claims))
            key = self.server.state.public_keys[payload["iss"]]
            key.verify(_b64(sig), f"{head}.{claims}".encode(), padding.PKCS1v15(), hashes.SHA256())
        except Exception:
            self._send(400, {"error": "invalid_grant", "error_description": "Invalid JWT Signature."})
            return
        token = f"fake-token-{len(self.server.state.tokens) + 1}"
        self.server.state.tokens.add(token)
        self._send(200, {"access_token": token, "expires_in": 3600, "token_type": "Bearer"})


def _b64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def route(
    state: FakeSheets, method: str, path: str, query: dict[str, list[str]], body: Any
) -> tuple[int, Any]:
    if not path.startswith("/v4/spreadsheets/"):
        raise ApiError(404, "Not found", "NOT_FOUND")
    rest = path[len("/v4/spreadsheets/") :]
    key, sep, tail = rest.partition("/")
    key, _, action = key.partition(":")
    if key in state.forbidden:
        raise ApiError(403, "The caller does not have permission", "PERMISSION_DENIED")
    book = state.spreadsheets.get(key)
    if book is None:
        raise ApiError(404, "Requested entity was not found.", "NOT_FOUND")
    if not sep:
        if method == "GET" and not action:
            return 200, book.metadata()
        if method == "POST" and action == "batchUpdate":
            return 200, {
                "spreadsheetId": key,
                "replies": [structural(book, r, state.assigns_ids) for r in (body or {}).get("requests", [])],
            }
        raise ApiError(404, "Not found", "NOT_FOUND")
    render = (query.get("valueRenderOption") or ["FORMATTED_VALUE"])[0]
    if tail == "values:batchGet" and method == "GET":
        out = []
        for text in query.get("ranges", []):
            tab, r0, c0, r1, c1 = book.locate(text)  # parse_qs decoded it already
            values = tab.read(r0, c0, r1, c1, render)
            out.append({"range": text, "majorDimension": "ROWS", **({"values": values} if values else {})})
        return 200, {"spreadsheetId": key, "valueRanges": out}
    if tail == "values:batchUpdate" and method == "POST":
        option, total = body.get("valueInputOption", ""), 0
        for item in body.get("data", []):
            tab, r0, c0, r1, c1 = book.locate(item["range"])
            total += tab.write(r0, c0, r1, c1, item.get("values", []), option, item["range"])
        return 200, {"spreadsheetId": key, "totalUpdatedCells": total, "responses": []}
    if tail == "values:batchClear" and method == "POST":
        for text in body.get("ranges", []):
            tab, *bounds = book.locate(text)
            tab.clear(*bounds)
        return 200, {"spreadsheetId": key, "clearedRanges": body.get("ranges", [])}
    if tail.startswith("values/"):
        target, _, verb = (
            unquote(tail[len("values/") :]).rpartition(":")
            if tail.endswith((":append", ":clear"))
            else (unquote(tail[len("values/") :]), "", "")
        )
        tab, r0, c0, r1, c1 = book.locate(target)
        option = (query.get("valueInputOption") or [""])[0]
        if method == "GET":
            values = tab.read(r0, c0, r1, c1, render)
            return 200, {"range": target, "majorDimension": "ROWS", **({"values": values} if values else {})}
        if method == "PUT":
            n = tab.write(r0, c0, r1, c1, (body or {}).get("values", []), option, target)
            return 200, {"spreadsheetId": key, "updatedRange": target, "updatedCells": n}
        if verb == "append":
            start = max(tab.used()[0], r0)
            values = (body or {}).get("values", [])
            # Google adds rows to the grid when an append runs past its end.
            tab.rows = max(tab.rows, start + len(values))
            n = tab.write(start, c0, None, None, values, option, target)
            return 200, {"spreadsheetId": key, "updates": {"updatedCells": n}}
        if verb == "clear":
            tab.clear(r0, c0, r1, c1)
            return 200, {"spreadsheetId": key, "clearedRange": target}
    raise ApiError(404, "Not found", "NOT_FOUND")


def structural(book: FakeSpreadsheet, request: dict[str, Any], assigns_ids: bool = False) -> dict[str, Any]:
    ((kind, spec),) = request.items()
    if kind == "addSheet":
        p = spec.get("properties", {})
        title = p.get("title") or f"Sheet{len(book.tabs) + 1}"
        if any(t.title == title for t in book.tabs):
            raise ApiError(400, f'A sheet with the name "{title}" already exists. Please enter another name.')
        grid = p.get("gridProperties", {})
        own_id = max((t.sheet_id for t in book.tabs), default=0) + 1
        sheet_id = own_id if assigns_ids else (p.get("sheetId") or own_id)
        if any(t.sheet_id == sheet_id for t in book.tabs):
            raise ApiError(400, f"A sheet with id {sheet_id} already exists.")
        tab = FakeTab(
            sheet_id,
            title,
            len(book.tabs),
            grid.get("rowCount", 1000),
            grid.get("columnCount", 26),
            grid.get("frozenRowCount", 0),
        )
        book.tabs.append(tab)
        return {"addSheet": {"properties": tab.properties()}}
    tab = _tab_by_id(book, (spec.get("properties") or spec.get("range") or spec).get("sheetId"))
    if kind == "updateSheetProperties":
        props, fields = spec["properties"], spec.get("fields", "")
        if "title" in fields:
            tab.title = props["title"]
        grid = props.get("gridProperties", {})
        if "gridProperties.rowCount" in fields:
            tab.rows = grid["rowCount"]
        if "gridProperties.columnCount" in fields:
            tab.cols = grid["columnCount"]
        return {}
    if kind == "setDataValidation":
        tab.validations.append(spec)
        return {}
    if kind == "deleteSheet":
        book.tabs.remove(tab)
        return {}
    if kind in ("deleteDimension", "insertDimension"):
        rng = spec["range"]
        (tab.delete_rows if kind == "deleteDimension" else tab.insert_rows)(
            rng["startIndex"], rng["endIndex"]
        )
        return {}
    raise ApiError(400, f"Unsupported request {kind!r} in the local server")


def _tab_by_id(book: FakeSpreadsheet, sheet_id: Any) -> FakeTab:
    for t in book.tabs:
        if t.sheet_id == sheet_id:
            return t
    raise ApiError(400, f"No grid with id: {sheet_id}")


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, state: FakeSheets) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.state = state


def start() -> tuple[Server, threading.Thread]:
    """Listen on a free port of 127.0.0.1; stop with `stop`."""
    server = Server(FakeSheets())
    server.state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    return server, thread


def stop(server: Server, thread: threading.Thread) -> None:
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def register_key(state: FakeSheets, client_email: str, private_pem: str) -> None:
    key = serialization.load_pem_private_key(private_pem.encode(), password=None)
    state.public_keys[client_email] = key.public_key()


def service_account_info(base_url: str, client_email: str, private_pem: str) -> dict[str, str]:
    """A service account key as Google issues it, whose token_uri is this server's (at `base_url`)."""
    return {
        "type": "service_account",
        "project_id": "test-project",
        "private_key_id": "0123456789abcdef",
        "private_key": private_pem,
        "client_email": client_email,
        "client_id": "1234567890",
        "token_uri": f"{base_url}/token",
    }


__all__ = ["FakeSheets", "parse_cells", "register_key", "service_account_info", "start", "stop"]
