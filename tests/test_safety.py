"""Nothing lost: concurrent coops wait for each other, and what an interrupted coop leaves is repaired."""

from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import cli_env
from helpers import entries_of, hledger_balances, nonzero
from coop_cli import reports
from coop_cli.errors import CoopError


def test_concurrent_records_are_all_committed(coop_repo):
    env = cli_env(COOP_AS="agnes", COOP_KEY=str(coop_repo.keys["agnes"]))
    script = (
        "import subprocess, sys\n"
        "for i in range(5):\n"
        "    done = subprocess.run([sys.executable, '-m', 'coop_cli', '-C', sys.argv[1], 'record', 'coop', sys.argv[2], '0.25', f'Réunion {i}-{sys.argv[3]}', '--date', '2026-03-10'], capture_output=True, text=True)\n"
        "    assert done.returncode == 0, done.stderr\n"
    )
    # Each worker its own descriptions: the same exchange twice would be refused as a duplicate.
    workers = [subprocess.Popen([sys.executable, "-c", script, str(coop_repo.root), member, str(n)], env=env)
               for n, member in enumerate(("agnes", "bernard", "claire", "agnes"))]
    assert [w.wait() for w in workers] == [0, 0, 0, 0]
    entries = entries_of(coop_repo.root)
    assert len(entries) == 20 and len({e.id for e in entries}) == 20
    assert coop_repo.git("status", "--porcelain") == ""
    assert int(coop_repo.git("rev-list", "--count", "HEAD")) == 4 + 20
    assert nonzero(reports.balances(entries)) == hledger_balances(coop_repo.root)


def test_a_file_left_behind_its_commit_is_restored_and_said(coop_repo):
    """A kill between the commit (update-ref) and the rewrite of the working file leaves the file short."""
    coop_repo.run("record", "bernard", "agnes", "1", "Jardinage", "--date", "2026-03-10")
    coop_repo.run("record", "bernard", "agnes", "1", "Couture", "--date", "2026-03-11")
    journal = coop_repo.root / "ledger" / "2026-03.journal"
    committed = journal.read_text()
    journal.write_text(committed.split("\n\n")[0] + "\n")
    done = coop_repo.run("record", "bernard", "agnes", "1", "Cuisine", "--date", "2026-03-12")
    assert done.returncode == 0, done.stderr
    assert "restored" in done.stderr
    assert journal.read_text().startswith(committed)
    assert [e.description for e in entries_of(coop_repo.root)] == ["Jardinage", "Couture", "Cuisine"]
    assert coop_repo.git("status", "--porcelain") == ""


def test_a_commit_that_changes_nothing_is_refused(coop_repo):
    """No coop command leaves an empty commit in the history, whatever path leads there."""
    head = coop_repo.git("rev-parse", "HEAD")
    charter = (coop_repo.root / "charter.md").read_text()
    with coop_repo.coop.writing(), pytest.raises(CoopError, match="nothing to change"):
        coop_repo.coop.commit({"charter.md": charter}, "charter: nothing\n", ("Agnès", "agnes@coop.invalid"))
    assert coop_repo.git("rev-parse", "HEAD") == head
