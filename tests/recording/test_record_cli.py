"""The record and proxy commands as a user meets them: bad input, Ctrl-C, the admin token."""

from __future__ import annotations

import signal

import pytest
import requests

from cloudtwin.cli import main
from cloudtwin.harness.scenario import load

from .proxyprocess import ProxyProcess


@pytest.mark.parametrize("argv, flag", [
    (["record", "--target", "nope", "--out", "x"], "--target"),
    (["proxy", "--target", "https://api.example.com"], "--provider"),
    (["record", "--target", "http://127.0.0.1:1/genesis", "--out", "{file}"], "--out"),
    (["calibrate", "/does/not/exist", "--out", "o.yaml"], "/does/not/exist"),
])
def test_bad_input_is_one_line_naming_the_flag(argv, flag, tmp_path, capsys):
    (tmp_path / "file").write_text("")
    argv = [a.replace("{file}", str(tmp_path / "file")) for a in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and flag in err


def test_broken_recordings_are_refused_in_one_line(tmp_path, capsys):
    (tmp_path / "lifecycles.yaml").write_text("format: cloudtwin-observed-lifecycles\nprovider: genesis\nresources: 5\n")
    assert main(["calibrate", str(tmp_path), "--out", str(tmp_path / "o.yaml")]) == 2
    scenario = tmp_path / "s.yaml"
    scenario.write_text("name: s\nprovider: genesis\nsteps: [{request: {method: GET, path: /images}}]\n")
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "session.har").write_text('{"log": {}}')
    assert main(["drift", str(scenario), "--base-url", "http://127.0.0.1:1", "--volatile-from",
                 str(tmp_path / "a"), str(tmp_path / "b")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 2 and "RECORDING" in err and "--volatile-from" in err


@pytest.mark.parametrize("how", [signal.SIGINT, signal.SIGTERM])
def test_ctrl_c_or_kill_writes_the_recording_and_the_stop_call_needs_the_token(tmp_path, real, how):
    recorder = ProxyProcess("record", "--target", real.base + "/genesis/compute/v1", "--out", str(tmp_path / "rec"),
                            "--admin-token", "let-me-stop")
    try:
        headers = {"Authorization": "Bearer gc-default-0000000000000000000000"}
        assert requests.get(recorder.base + "/images", headers=headers, timeout=10).status_code == 200
        assert requests.post(recorder.base + "/_record/stop", timeout=10).status_code == 401
        assert requests.get(recorder.base + "/_twin/faults", timeout=10).status_code == 401
        assert "recorded 1 exchanges" in recorder.interrupt(how)
        scenario = load(tmp_path / "rec" / "scenario.yaml")
        assert scenario.steps[0].spec["request"]["path"] == "/images"
        assert "let-me-stop" not in (tmp_path / "rec" / "session.har").read_text()
    finally:
        recorder.stop()
