"""`cloudtwin serve`'s request log: one line per request, from the journal, in a fixed format."""

from __future__ import annotations

import io
import os
import pty
import queue
import select
import subprocess
import sys
import threading
import time
from typing import Any

import pytest
import requests
from served_process import TwinProcess, free_port

from cloudtwin.console.request_log import RequestLog, format_line

TOKEN = "gc-default-0000000000000000000000"
AUTH = {"Authorization": f"Bearer {TOKEN}"}

ENTRY: dict[str, Any] = {
    "provider": "genesis", "operation": "listVolumes", "method": "GET", "path": "/genesis/compute/v1/volumes",
    "account": "default", "status": 429, "at": "2026-12-05T15:51:43.442Z", "duration_ms": 0.4321,
    "fault": {"rule": "fault-1", "kind": "rate_limit", "draw": None},
}


def test_the_line_says_virtual_time_provider_operation_status_account_fault_and_duration() -> None:
    assert format_line(ENTRY) == ("2026-12-05 15:51:43  genesis    listVolumes                  429  default     "
                                  "fault-1 rate_limit          0.4 ms")


def test_a_request_no_operation_matched_shows_method_and_path_and_no_fault_is_a_dash() -> None:
    line = format_line({**ENTRY, "operation": None, "method": "DELETE", "status": 405, "fault": None})
    assert "DELETE /genesis/compute/v1/…" in line and " 405 " in line and " - " in line


def test_colour_only_on_the_status_and_only_when_asked() -> None:
    assert "\033[33m429\033[0m" in format_line(ENTRY, colour=True)
    assert "\033" not in format_line(ENTRY)


def test_the_control_plane_s_reads_are_left_out_its_moves_are_not() -> None:
    stream = io.StringIO()
    log = RequestLog(stream)
    log({**ENTRY, "provider": "_twin", "operation": "getJournal", "method": "GET", "account": "_twin", "fault": None})
    log({**ENTRY, "provider": "_twin", "operation": "advanceClock", "method": "POST", "account": "_twin",
         "status": 200, "fault": None})
    lines = stream.getvalue().splitlines()
    assert len(lines) == 1 and "advanceClock" in lines[0] and "_twin" in lines[0] and " - " in lines[0]


def _lines(served: TwinProcess) -> "queue.Queue[str]":
    found: "queue.Queue[str]" = queue.Queue()

    def read() -> None:
        assert served.process.stdout is not None
        for line in served.process.stdout:
            found.put(line)

    threading.Thread(target=read, daemon=True).start()
    return found


def _next_with(found: "queue.Queue[str]", text: str) -> str:
    while True:
        line = found.get(timeout=10)
        if text in line:
            return line


@pytest.mark.served
def test_serve_log_prints_one_line_per_request_with_the_fault_that_fired() -> None:
    served = TwinProcess("--log")
    try:
        found = _lines(served)
        requests.post(served.base + "/_twin/faults", timeout=5, json={
            "id": "busy", "match": {"operation": "listVolumes"}, "schedule": {"mode": "first", "n": 1},
            "action": {"type": "rate_limit", "retry_after": 3}})
        created = requests.post(served.base + "/genesis/compute/v1/volumes", headers=AUTH, timeout=5,
                                json={"name": "logged", "size": 10, "region": "NORD-NO-KRS-1"})
        assert created.status_code == 201
        assert requests.get(served.base + "/genesis/compute/v1/volumes", headers=AUTH, timeout=5).status_code == 429
        requests.get(served.base + "/_twin/journal", timeout=5)  # a read of the control plane: not logged

        fault_line = _next_with(found, "addFault")
        create_line = _next_with(found, "createVolume")
        throttled = _next_with(found, "listVolumes")
        assert "_twin" in fault_line and " 201 " in fault_line
        at, rest = create_line[:19], create_line[19:].split()
        assert at[4] == "-" and at[10] == " " and at[13] == ":"  # the virtual instant, to the second
        assert rest[:4] == ["genesis", "createVolume", "201", "default"] and rest[-1] == "ms"
        assert throttled.split()[2:7] == ["genesis", "listVolumes", "429", "default", "busy"]
        assert "rate_limit" in throttled
    finally:
        code, output = served.interrupt()
    assert "getJournal" not in output and "Traceback" not in output
    assert '"GET /genesis' not in output  # no gunicorn access line beside ours


@pytest.mark.served
def test_serve_logs_nothing_when_stdout_is_not_a_terminal_unless_asked() -> None:
    served = TwinProcess()
    try:
        requests.get(served.base + "/genesis/compute/v1/volumes", headers=AUTH, timeout=5)
    finally:
        code, output = served.interrupt()
    assert code == 0 and "listVolumes" not in output


@pytest.mark.served
def test_serve_in_a_terminal_logs_by_default() -> None:
    """stdout a terminal (a pseudo-terminal here): one line per request with no flag, status coloured."""
    port = free_port()
    leader, follower = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "cloudtwin", "serve", "--port", str(port),
                                "--provider", "genesis"], stdout=follower, stderr=follower,
                               env={k: v for k, v in os.environ.items() if k != "NO_COLOR"})
    os.close(follower)
    seen = b""
    try:
        deadline = time.monotonic() + 30
        while b"Ctrl-C stops" not in seen and time.monotonic() < deadline:
            if select.select([leader], [], [], 0.5)[0]:
                seen += os.read(leader, 65536)
        requests.get(f"http://127.0.0.1:{port}/genesis/compute/v1/volumes", headers=AUTH, timeout=5)
        while b"listVolumes" not in seen and time.monotonic() < deadline:
            if select.select([leader], [], [], 0.5)[0]:
                seen += os.read(leader, 65536)
    finally:
        process.terminate()
        process.wait(timeout=20)
        os.close(leader)
    line = next(text for text in seen.decode(errors="replace").splitlines() if "listVolumes" in text)
    assert "genesis" in line and "default" in line and "\033[32m200\033[0m" in line


def test_the_log_keeps_listening_after_a_reset_and_an_import() -> None:
    """A reset or an import starts a new journal; the twin's listeners carry over to it."""
    from cloudtwin.harness.handle import TwinHandle

    handle = TwinHandle(["genesis"])
    stream = io.StringIO()
    handle.twin.journal_listeners.append(RequestLog(stream))
    auth = {"Authorization": "Bearer gc-default-0000000000000000000000"}
    handle.client.get("/genesis/compute/v1/instances", headers=auth)
    state = handle.export_state()
    handle.client.post("/_twin/reset")
    handle.client.get("/genesis/compute/v1/volumes", headers=auth)
    handle.client.put("/_twin/state", json=state)
    handle.client.get("/genesis/compute/v1/ssh-keys", headers=auth)
    lines = stream.getvalue()
    assert "listInstances" in lines and "listVolumes" in lines and "listSSHKeys" in lines, lines
