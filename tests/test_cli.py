"""End-to-end tests of the command line: real files, real subprocesses, no mocks."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from frontwatch.export import CSV_COLUMNS
from frontwatch.store import Store

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SEEDS = SHARED / "corpus" / "seeds"

ARTICLE = """Government forces retake river town after two-day battle

Support Example Wire

On March 3, soldiers of the national army recaptured the town of Kessara from rebel fighters after two days of fighting, a military spokesman said. At least 14 rebels were killed in the clashes, according to the spokesman.

Residents said that the rebels had withdrawn towards the hills north of the town before dawn.

Share this:
Facebook
Twitter

Notify of
View all comments

Jon Smith

they will be back next week, mark my words!!
"""


def fw(*args: str, cwd: Path | None = None, stdin: bytes | None = None, timeout: int = 300):
    """Run the real console script in a subprocess."""
    exe = Path(sys.executable).with_name("frontwatch")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "frontwatch.cli"]
    return subprocess.run(cmd + list(args), cwd=cwd, input=stdin, capture_output=True, timeout=timeout)


def make_pages(folder: Path, n: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        p = folder / f"page_{i:03d}.txt"
        # Distinct content per page, so that each has its own content hash.
        p.write_text(ARTICLE.replace("Kessara", f"Kessara-{i}").replace("14", str(10 + i)), encoding="utf-8")
        paths.append(p)
    return paths


def test_run_writes_database_documents_and_events(tmp_path: Path) -> None:
    make_pages(tmp_path / "in", 2)
    out = tmp_path / "out"
    r = fw("run", str(tmp_path / "in"), "--out", str(out), "--no-report")
    assert r.returncode == 0, r.stderr.decode()
    assert (out / "frontwatch.db").exists()
    docs = [json.loads(x) for x in (out / "documents.jsonl").read_text().splitlines()]
    assert [d["id"] for d in docs] == ["page_000", "page_001"]
    body = docs[0]["body"]
    assert "recaptured the town" in body
    assert "Share this" not in body and "mark my words" not in body
    with open(out / "events.csv", newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        assert tuple(reader.fieldnames or ()) == CSV_COLUMNS
    assert b"Traceback" not in r.stderr


def test_rerun_adds_nothing(tmp_path: Path) -> None:
    make_pages(tmp_path / "in", 3)
    out = tmp_path / "out"
    assert fw("run", str(tmp_path / "in"), "--out", str(out), "--no-report").returncode == 0
    r = fw("run", str(tmp_path / "in"), "--out", str(out), "--no-report")
    assert r.returncode == 0
    assert b"already in the database: 3" in r.stderr
    with Store(out / "frontwatch.db") as store:
        assert store.count_documents() == 3


def test_run_killed_halfway_then_rerun_completes(tmp_path: Path) -> None:
    pages = make_pages(tmp_path / "in", 96)  # six page batches: time to kill it between two commits
    out = tmp_path / "out"
    exe = Path(sys.executable).with_name("frontwatch")
    proc = subprocess.Popen([str(exe), "run", str(tmp_path / "in"), "--out", str(out), "--no-report", "-q"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    db = out / "frontwatch.db"
    deadline = time.monotonic() + 120
    stored = 0
    while time.monotonic() < deadline and proc.poll() is None:
        if db.exists():
            try:
                with Store(db) as store:
                    stored = store.count_documents()
            except Exception:  # noqa: BLE001 — the file may be mid-creation
                stored = 0
            if stored >= 1:
                break
        time.sleep(0.05)
    if proc.poll() is not None:
        pytest.skip("the run finished before it could be interrupted (machine too fast)")
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    with Store(db) as store:
        kept = store.count_documents()
    assert 1 <= kept < len(pages)
    r = fw("run", str(tmp_path / "in"), "--out", str(out), "--no-report")
    assert r.returncode == 0, r.stderr.decode()
    with Store(db) as store:
        assert store.count_documents() == len(pages)
        ids = [d.id for d in store.iter_documents()]
    assert len(ids) == len(set(ids))


def test_bad_inputs_get_one_line_messages_and_the_rest_goes_on(tmp_path: Path) -> None:
    make_pages(tmp_path / "in", 1)
    (tmp_path / "in" / "empty.txt").write_bytes(b"")
    (tmp_path / "in" / "blob.txt").write_bytes(bytes(range(256)) * 40)
    (tmp_path / "in" / "broken.jsonl").write_text('{"id": "a", "text": "' + "x " * 10 + '"}\n{not json\n')
    out = tmp_path / "out"
    r = fw("run", str(tmp_path / "in"), str(tmp_path / "missing.txt"), "--out", str(out), "--no-report")
    err = r.stderr.decode()
    assert r.returncode == 0, err
    assert "Traceback" not in err
    assert "missing.txt" in err and "empty.txt" in err and "blob.txt" in err and "broken.jsonl" in err
    docs = [json.loads(x)["id"] for x in (out / "documents.jsonl").read_text().splitlines()]
    assert "page_000" in docs


def test_nothing_processed_exits_1_and_usage_error_exits_2(tmp_path: Path) -> None:
    r = fw("run", str(tmp_path / "nope.txt"), "--out", str(tmp_path / "out"))
    assert r.returncode == 1
    assert b"Traceback" not in r.stderr and b"nope.txt" in r.stderr
    r = fw("run", "--out")
    assert r.returncode == 2
    r = fw("frobnicate")
    assert r.returncode == 2


def test_stdin_input(tmp_path: Path) -> None:
    out = tmp_path / "out"
    r = fw("run", "-", "--out", str(out), "--no-report", stdin=ARTICLE.encode())
    assert r.returncode == 0, r.stderr.decode()
    docs = [json.loads(x) for x in (out / "documents.jsonl").read_text().splitlines()]
    assert len(docs) == 1 and "recaptured" in docs[0]["body"]


def test_export_and_events_commands(tmp_path: Path) -> None:
    make_pages(tmp_path / "in", 1)
    out = tmp_path / "out"
    assert fw("run", str(tmp_path / "in"), "--out", str(out), "--no-report").returncode == 0
    db = str(out / "frontwatch.db")
    r = fw("export", "--db", db, "--format", "documents-jsonl", "-o", str(tmp_path / "d.jsonl"))
    assert r.returncode == 0, r.stderr.decode()
    assert json.loads((tmp_path / "d.jsonl").read_text().splitlines()[0])["id"] == "page_000"
    r = fw("export", "--db", db, "--format", "acled-csv", "-o", str(tmp_path / "e.csv"))
    assert r.returncode == 0
    r = fw("events", "--db", db, "--explain")
    assert r.returncode == 0, r.stderr.decode()


def test_not_a_database_is_a_clean_error(tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.db"
    bogus.write_text("this is not sqlite")
    r = fw("events", "--db", str(bogus))
    assert r.returncode == 1
    assert b"Traceback" not in r.stderr and b"error" in r.stderr


@pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/corpus/seeds not present beside the checkout")
def test_seeds_document_scores(tmp_path: Path) -> None:
    out = tmp_path / "out"
    r = fw("run", str(SEEDS), "--out", str(out), "--no-report", "--no-geocode")
    assert r.returncode == 0, r.stderr.decode()
    score = subprocess.run([sys.executable, str(SHARED / "tools" / "score.py"), "docs", str(out / "documents.jsonl"),
                            str(SHARED / "gold" / "seeds_documents.json"), str(SEEDS), "--json"],
                           capture_output=True, check=True)
    res = json.loads(score.stdout)
    assert res["line_recall"] == 1.0
    assert res["line_precision"] >= 0.97
    docs = {json.loads(x)["id"]: json.loads(x) for x in (out / "documents.jsonl").read_text().splitlines()}
    assert docs["004_a38320b059132565"]["published"] == "2017-10-26"
    assert docs["000_eeae2be72c4638ab"]["outlet"] and docs["004_a38320b059132565"]["outlet"]
