"""`cloudtwin verdict` from a saved journal and from a served twin; what the journal records of a
lost answer (the handler's status and what it created, priced by the provider)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import requests

from cloudtwin.cli import main
from cloudtwin.harness.handle import ServedTwin, TwinHandle
from resilient_clients import BLIND_CREATE_RETRIES, Client, InProcess

from workload import prepare, run


def blind_journal() -> list[dict]:
    handle = TwinHandle(["barrack"], seed=26)
    key = prepare(handle)
    run(Client(InProcess(handle), BLIND_CREATE_RETRIES, sleep=handle.advance, seed=7), key)
    return handle.journal(limit=10000)


def test_verdict_reads_a_saved_journal_and_exits_1_on_a_failing_verdict(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    saved = tmp_path / "journal.json"
    saved.write_text(json.dumps({"entries": blind_journal()}))
    assert main(["verdict", "--journal", str(saved), "--json"]) == 1
    document = json.loads(capsys.readouterr().out)
    assert document["outcome"] == "fail"
    assert {v["rule"] for v in document["verdicts"] if v["outcome"] == "fail"} == {"duplicates", "orphans", "cost"}
    assert main(["verdict", "--journal", str(saved)]) == 1
    assert "FAIL  duplicates  barrack/default/createInstance" in capsys.readouterr().out


def test_a_broken_journal_file_is_one_line_and_status_2(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    wrong_types = [{"seq": 1, "provider": "p", "method": "GET", "status": 503, "epoch": "noon", "wall": 0},
                   {"seq": 2, "provider": "p", "method": "GET", "status": 200, "epoch": 1, "wall": 0}]
    for content in ("{not json", json.dumps({"entries": [{"no": "seq"}]}), json.dumps(wrong_types)):
        bad = tmp_path / "bad.json"
        bad.write_text(content)
        assert main(["verdict", "--journal", str(bad)]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and str(bad) in err and "Traceback" not in err


def test_a_socket_reset_after_the_handler_is_journaled_with_what_the_handler_made() -> None:
    served = ServedTwin(["barrack", "genesis"], seed=3)
    try:
        served.add_fault(match={"provider": "barrack", "operation": "createSshKey"}, schedule={"mode": "first", "n": 1},
                         action={"type": "reset", "after_handler": True})
        url = served.base_url("barrack") + "/ssh-keys/"
        try:
            requests.post(url, json={"name": "k"}, headers=served.headers("barrack"), timeout=5)
            raise AssertionError("the connection should have been reset")
        except requests.ConnectionError:
            pass
        [entry] = journaled(served, "createSshKey")
        assert entry["fault"]["kind"] == "reset" and entry["handler_status"] == 201
        assert entry["created"] == [{"kind": "ssh_key", "id": "1"}]  # an SSH key costs nothing: no price
        exit_status = main(["verdict", "--url", served.url, "--json"])
        assert exit_status == 1  # the key was never named again: an orphan
    finally:
        served.close()


def journaled(served: ServedTwin, operation: str) -> list[dict]:
    """The server thread journals a severed request just after the client saw the reset."""
    for _ in range(200):
        found = served.journal(operation=operation)
        if found:
            return found
        time.sleep(0.01)
    return []


def test_the_url_source_says_so_in_one_line_when_no_twin_answers(capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["verdict", "--url", "http://127.0.0.1:9"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: --url http://127.0.0.1:9") and err.count("\n") == 1
