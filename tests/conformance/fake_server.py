"""A language server that breaks the LSP on purpose, one way per scenario (its argument): the
harness's own test (test_harness.py) shows that each way fails a test."""

from __future__ import annotations

import json
import sys

SCENARIO = sys.argv[1] if len(sys.argv) > 1 else "good"
RANGE = {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 1}}
HOVER = {
    "good": {"contents": {"kind": "markdown", "value": "fine"}, "range": RANGE},
    # A misspelt field: cattrs alone would drop it without a word.
    "unknown-field": {"contents": {"kind": "markdown", "value": "x"}, "rnage": RANGE},
    # A field of the wrong type: lsprotocol cannot structure it.
    "wrong-type": {"contents": 42},
    # null for `range?: Range`, which is optional but not nullable.
    "explicit-null": {"contents": {"kind": "markdown", "value": "x"}, "range": None},
    # A required field left out.
    "missing-field": {"range": RANGE},
}


def read():
    length = None
    while True:
        line = sys.stdin.buffer.readline()
        if not line:
            return None
        if line in (b"\r\n", b"\n"):
            break
        name, _, value = line.decode().partition(":")
        if name.lower() == "content-length":
            length = int(value)
    return json.loads(sys.stdin.buffer.read(length))


def send(message):
    body = json.dumps(message).encode()
    sys.stdout.buffer.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    sys.stdout.buffer.flush()


def main():
    while (message := read()) is not None:
        method, id_ = message.get("method"), message.get("id")
        if method == "initialize":
            send({"jsonrpc": "2.0", "id": id_, "result": {
                "capabilities": {"hoverProvider": True, "positionEncoding": "utf-16"},
                "serverInfo": {"name": "fake"}}})
        elif method == "initialized":
            if SCENARIO == "bad-notification":
                send({"jsonrpc": "2.0", "method": "textDocument/publishDiagnostics", "params": {
                    "uri": "file:///x.txt",
                    "diagnostics": [{"range": RANGE, "message": "m", "severity": "high"}]}})
            elif SCENARIO == "undeclared-request":
                send({"jsonrpc": "2.0", "id": 1, "method": "workspace/diagnostic/refresh"})
            elif SCENARIO == "bad-apply-edit":
                send({"jsonrpc": "2.0", "id": 2, "method": "workspace/applyEdit", "params": {
                    "edit": {"changes": {"file:///x.txt": [{"range": RANGE, "text": "y"}]}}}})
        elif method == "textDocument/hover":
            send({"jsonrpc": "2.0", "id": id_, "result": HOVER.get(SCENARIO, HOVER["good"])})
        elif method == "shutdown":
            send({"jsonrpc": "2.0", "id": id_, "result": None})
        elif method == "exit":
            return
        elif id_ is not None and method is not None:
            send({"jsonrpc": "2.0", "id": id_,
                  "error": {"code": -32601, "message": f"no {method}"}})


if __name__ == "__main__":
    main()
