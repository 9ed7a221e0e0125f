"""A light HTTP/1.1 load generator: N keep-alive clients in one thread, one ``selectors`` loop.

The clients run on the same cores as the server, so they cost as little as a remote browser's
requests would: each keeps one persistent connection, sends its cookies back (the CSRF cookie,
a session if one is set), reads every response to its last byte (``Content-Length`` or chunked)
and never sends a conditional header (every page is a full 200 with its body, as on a first
visit). No thread per client: the interpreter does not switch between 16 threads for the GIL,
and a response's time is taken when its last byte is read.

A client's loop is a list of :class:`Step` objects; a step may build its request from the
previous response (the receipt form's CSRF token for the POST that follows it).
"""

from __future__ import annotations

import json
import selectors
import socket
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field


@dataclass
class Response:
    status: int
    headers: dict[str, str]  # lower-case names; Set-Cookie values joined by "\n"
    body: bytes


@dataclass
class Step:
    """One request. ``name`` groups timings (a step named like the one before it adds to its time:
    a form's GET and POST are timed as one check); ``body`` builds the form body from the previous
    response; ``check`` says whether the response is right."""

    name: str
    method: str
    path: str
    body: Callable[[Response | None], str] | None = None
    check: Callable[[Response], bool] = lambda response: response.status == 200


@dataclass
class _Client:
    sock: socket.socket
    cookies: dict[str, str] = field(default_factory=dict)
    index: int = 0
    began: float = 0.0
    group_began: float = 0.0
    buffer: bytearray = field(default_factory=bytearray)
    previous: Response | None = None


def _request(host: str, method: str, path: str, cookies: dict[str, str], payload: bytes = b"",
             content_type: str = "application/x-www-form-urlencoded", headers: dict[str, str] | None = None) -> bytes:
    fields = {"Host": host, "Accept": "text/html,*/*", "Accept-Encoding": "identity", "Connection": "keep-alive",
              **(headers or {})}
    lines = [f"{method} {path} HTTP/1.1", *(f"{name}: {value}" for name, value in fields.items())]
    if cookies:
        lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in cookies.items()))
    if payload or method == "POST":
        lines += [f"Content-Type: {content_type}", f"Content-Length: {len(payload)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + payload


def _parse(buffer: bytearray) -> tuple[Response, int] | None:
    """A whole response at the start of ``buffer`` and its length, or None if more bytes are needed."""
    end = buffer.find(b"\r\n\r\n")
    if end < 0:
        return None
    head = bytes(buffer[:end]).decode("latin-1").split("\r\n")
    status = int(head[0].split(" ", 2)[1])
    headers: dict[str, str] = {}
    for line in head[1:]:
        name, _, value = line.partition(":")
        name, value = name.strip().lower(), value.strip()
        headers[name] = f"{headers[name]}\n{value}" if name in headers else value
    start = end + 4
    if "content-length" in headers:
        stop = start + int(headers["content-length"])
        return (Response(status, headers, bytes(buffer[start:stop])), stop) if len(buffer) >= stop else None
    if headers.get("transfer-encoding", "").lower() == "chunked":
        body, at = bytearray(), start
        while True:
            line_end = buffer.find(b"\r\n", at)
            if line_end < 0:
                return None
            size = int(bytes(buffer[at:line_end]).split(b";")[0], 16)
            if len(buffer) < line_end + 2 + size + 2:
                return None
            if size == 0:
                return Response(status, headers, bytes(body)), line_end + 4
            body += buffer[line_end + 2:line_end + 2 + size]
            at = line_end + 2 + size + 2
    return Response(status, headers, b""), start  # 204/304: no body


def _keep_cookies(cookies: dict[str, str], response: Response) -> None:
    for cookie in filter(None, response.headers.get("set-cookie", "").split("\n")):
        name, _, value = cookie.split(";", 1)[0].partition("=")
        if value and "max-age=0" not in cookie.lower():
            cookies[name.strip()] = value
        else:
            cookies.pop(name.strip(), None)


def _drive(port: int, clients: int, first: Callable[[_Client], bytes | None],
           answered: Callable[[_Client, Response, float], bytes | None]) -> None:
    """The selectors loop: ``clients`` keep-alive connections, each sending ``first(client)``, then
    for every whole response ``answered(client, response, seconds since it was sent)``: the next
    request's bytes, or None when that client is done."""
    selector = selectors.DefaultSelector()
    active = 0

    def send(client: _Client, request: bytes | None) -> None:
        nonlocal active
        if request is None:
            selector.unregister(client.sock)
            client.sock.close()
            active -= 1
            return
        client.began = time.perf_counter()
        client.sock.sendall(request)

    for _ in range(clients):
        sock = socket.create_connection(("127.0.0.1", port))
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        selector.register(sock, selectors.EVENT_READ, _Client(sock))
        active += 1
    for key in list(selector.get_map().values()):
        send(key.data, first(key.data))
    while active:
        for key, _events in selector.select():
            client: _Client = key.data
            chunk = client.sock.recv(262144)
            if not chunk:
                raise ConnectionError("the server closed a keep-alive connection")
            client.buffer += chunk
            parsed = _parse(client.buffer)
            if parsed is None:
                continue
            response, used = parsed
            del client.buffer[:used]
            send(client, answered(client, response, time.perf_counter() - client.began))
    selector.close()


def run(port: int, clients: int, loops: int, steps: list[Step]) -> tuple[dict[str, list[float]], list[str]]:
    """``clients`` connections each run ``steps`` ``loops`` times, all at once; seconds per step
    name (consecutive steps of one name add up), and the failures."""
    host = f"127.0.0.1:{port}"
    times: dict[str, list[float]] = {step.name: [] for step in steps}
    errors: list[str] = []

    def next_step(client: _Client) -> bytes | None:
        if client.index == loops * len(steps):
            return None
        step = steps[client.index % len(steps)]
        now = time.perf_counter()
        if client.index % len(steps) == 0 or steps[(client.index - 1) % len(steps)].name != step.name:
            client.group_began = now
        payload = step.body(client.previous).encode() if step.body is not None else b""
        return _request(host, step.method, step.path, client.cookies, payload)

    def answered(client: _Client, response: Response, _seconds: float) -> bytes | None:
        position = client.index % len(steps)
        step, following = steps[position], steps[(position + 1) % len(steps)]
        if position == len(steps) - 1 or following.name != step.name:
            times[step.name].append(time.perf_counter() - client.group_began)
        if not step.check(response):
            errors.append(f"{step.method} {step.path}: {response.status}")
        _keep_cookies(client.cookies, response)
        client.previous = response
        client.index += 1
        return next_step(client)

    _drive(port, clients, next_step, answered)
    return times, errors


@dataclass
class Request:
    """One request of :func:`run_each` (a JSON body when ``json`` is given)."""

    method: str
    path: str
    json: object = None
    headers: dict[str, str] = field(default_factory=dict)


def run_each(port: int, clients: int, requests: Iterable[Request]) -> list[tuple[float, Response]]:
    """``requests``, each sent once, by ``clients`` connections at once (each takes the next one
    when its answer is read): the seconds and the response of each, in the order they were answered."""
    host = f"127.0.0.1:{port}"
    pending = iter(requests)
    answers: list[tuple[float, Response]] = []

    def next_request(_client: _Client) -> bytes | None:
        request = next(pending, None)
        if request is None:
            return None
        payload = b"" if request.json is None else json.dumps(request.json).encode()
        return _request(host, request.method, request.path, {}, payload, "application/json", request.headers)

    def answered(client: _Client, response: Response, seconds: float) -> bytes | None:
        answers.append((seconds, response))
        return next_request(client)

    _drive(port, clients, next_request, answered)
    return answers


def once(port: int, steps: list[Step]) -> dict[str, float]:
    """Each step once, one client: seconds per step name."""
    times, _errors = run(port, 1, 1, steps)
    return {name: values[0] for name, values in times.items() if values}
