"""timeline page and timeline serve: the interactive page of a log, written or served."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import urllib.request

from cli.clitools import EVENTS, jsonl


def test_page_writes_one_html_file(cli):
    assert cli.quick("append", "--stream", "record", input=jsonl(EVENTS)).returncode == 0
    done = cli("page", "record.html", "--title", "Istanbul", "--zone", "Europe/Kyiv")
    assert (done.returncode, done.stdout) == (0, "")
    assert done.stderr == f"wrote the page of {len(EVENTS)} records to record.html\n"
    html = (cli.folder / "record.html").read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") or html.lower().startswith("<!doctype html>")
    assert "Istanbul" in html
    bad = cli.quick("page", "x.html", "--zone", "Kyiv")
    assert bad.returncode == 2


def test_serve_answers_with_the_page_and_its_data_until_interrupted(cli):
    assert cli.quick("append", "--stream", "record", input=jsonl(EVENTS)).returncode == 0
    server = subprocess.Popen(  # our own interpreter and module
        [sys.executable, "-m", "timeline", "serve", "timeline.db", "--port", "0"],
        cwd=cli.folder,
        env=cli.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        first = server.stdout.readline()
        assert first.startswith("Serving the timeline page at http://127.0.0.1:"), first
        url = first.split(" at ", 1)[1].split()[0]
        with urllib.request.urlopen(url, timeout=10) as answer:  # noqa: S310  # our own server
            assert b"timeline" in answer.read().lower()
        with urllib.request.urlopen(url.rstrip("/") + "/data.json", timeout=10) as answer:  # noqa: S310
            assert json.loads(answer.read())["schema"] == 2
    finally:
        server.send_signal(signal.SIGINT)
        _out, err = server.communicate(timeout=20)
    assert server.returncode == 0, err
