"""What a volunteer meets around the books: statements that say what a reversal undoes, books that are missing or
unreadable, the log's ids, a meeting's minutes for scripts, and a copy with no remote to sync with.

Every test runs the installed command on a real coop (tests/conftest.py); hledger checks the figures on the same files.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import CoopFixture, cli_env, run_coop
from helpers import hledger_balances, journal_args

WIDE = "220"  # wide enough that no description wraps in a table


def ok(coop_repo: CoopFixture, *args: str) -> str:
    done = coop_repo.run(*args, COLUMNS=WIDE)
    assert done.returncode == 0, done.stderr
    return done.stdout


def refused(done: subprocess.CompletedProcess, *words: str) -> None:
    """Refused in one sentence on stderr, with nothing on stdout, as every refusal is."""
    assert done.returncode == 1, (done.stdout, done.stderr)
    assert done.stdout == "" and len(done.stderr.splitlines()) == 1 and done.stderr.startswith("error: "), done.stderr
    assert all(word in done.stderr for word in words), done.stderr


# ---------------------------------------------------------------- 12. a reversal says what it undoes

@pytest.fixture
def reversed_books(coop_repo: CoopFixture) -> CoopFixture:
    """bernard pays agnes 2 h (entered by mistake), claire pays bernard 1 h, then the mistake is reversed."""
    mistake = ok(coop_repo, "record", "bernard", "agnes", "2", "Jardinage chez Bernard", "--date", "2026-03-10").split()[0]
    ok(coop_repo, "record", "claire", "bernard", "1", "Réparation du vélo", "--date", "2026-03-12")
    ok(coop_repo, "revert", mistake, "--reason", "Saisi par erreur", "--date", "2026-03-20")
    coop_repo.mistake = mistake
    return coop_repo


def test_a_reversal_names_the_entry_it_undoes_in_the_terminal(reversed_books):
    shown = ok(reversed_books, "statement", "bernard")
    line = next(line for line in shown.splitlines() if "2026-03-20" in line)
    assert "Reversal of 2026-03-10 “Jardinage chez Bernard”: Saisi par erreur" in line and line.split("│")[-3].strip() == "2.00"


class Page(HTMLParser):
    """Each element's text by id, and the cells of every table row."""

    VOID = ("meta", "link", "br", "img", "input")

    def __init__(self, text: str):
        super().__init__()
        self.by_id: dict[str, str] = {}
        self.rows: list[list[str]] = []
        self._open: list[str | None] = []
        self._in_cell = False
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        elif tag == "td":
            self.rows[-1].append("")
            self._in_cell = True
        if tag not in self.VOID:
            self._open.append(dict(attrs).get("id"))
            if self._open[-1]:
                self.by_id[self._open[-1]] = ""

    def handle_endtag(self, tag):
        self._in_cell = self._in_cell and tag != "td"
        if tag not in self.VOID:
            self._open.pop()

    def handle_data(self, data):
        for key in filter(None, self._open):
            self.by_id[key] += data
        if self._in_cell:
            self.rows[-1][-1] += data


def test_the_printed_statement_counts_reversals_apart_from_exchanges(reversed_books, tmp_path):
    page = tmp_path / "bernard.html"
    ok(reversed_books, "statement", "bernard", "--html", str(page))
    dom = Page(page.read_text(encoding="utf-8"))
    figure = {key: Decimal(re.search(r"-?[0-9]+\.[0-9]{2}$", dom.by_id[f"figure-{key}"])[0]) for key in ("opening", "earned", "paid", "reversed", "closing")}
    # The 2 h that came back to bernard undo his payment: they were never earned.
    assert figure == {"opening": 0, "earned": Decimal("1.00"), "paid": Decimal("2.00"), "reversed": Decimal("2.00"), "closing": Decimal("1.00")}
    assert figure["opening"] + figure["earned"] - figure["paid"] + figure["reversed"] == figure["closing"]
    assert figure["closing"] == hledger_balances(reversed_books.root)["members:bernard"]
    reversal = next(row for row in dom.rows if row and row[0] == "2026-03-20")
    assert reversal[1] == "Reversal of 2026-03-10 “Jardinage chez Bernard”: Saisi par erreur"
    assert "the reversal, which undoes an exchange, is counted apart" in dom.by_id["totals"]


def test_a_statement_without_reversals_shows_no_reversal_figure(coop_repo, tmp_path):
    ok(coop_repo, "record", "bernard", "agnes", "2", "Jardinage", "--date", "2026-03-10")
    page = tmp_path / "agnes.html"
    ok(coop_repo, "statement", "agnes", "--html", str(page))
    dom = Page(page.read_text(encoding="utf-8"))
    assert "figure-reversed" not in dom.by_id and dom.by_id["figure-earned"].endswith("2.00")


def test_statement_csv_and_json_carry_the_opening_balance_and_what_a_reversal_undoes(reversed_books):
    rows = list(csv.DictReader(io.StringIO(ok(reversed_books, "statement", "agnes", "--from", "2026-03-11", "--format", "csv"))))
    opening = hledger_balances(reversed_books.root, "-e", "2026-03-11")["members:agnes"]
    assert opening == Decimal("2.00")
    assert rows[0] == {"date": "2026-03-11", "id": "", "description": "Opening balance", "counterparty": "", "amount": "",
                       "balance": "2.00", "kind": "opening", "reverses": "", "reverses_date": "", "reverses_description": ""}
    assert [(row["date"], row["kind"], row["amount"], row["balance"]) for row in rows[1:]] == [("2026-03-20", "reversal", "-2.00", "0.00")]
    document = json.loads(ok(reversed_books, "statement", "bernard", "--format", "json"))
    assert document[0]["kind"] == "opening" and document[0]["balance"] == "0.00" and document[0]["date"] is None
    reversal = document[-1]
    assert reversal["reverses"] == reversed_books.mistake
    assert (reversal["reverses_date"], reversal["reverses_description"], reversal["description"]) == ("2026-03-10", "Jardinage chez Bernard", "Saisi par erreur")
    assert [row["balance"] for row in document] == ["0.00", "-2.00", "-1.00", "1.00"]


# ---------------------------------------------------------------- 13. no books is not "no exchange"

def without_read_rights(command: list[str]) -> list[str]:
    """Root reads every file whatever its mode: run the command without the two capabilities that let it."""
    if os.geteuid() != 0:
        return command
    setpriv = shutil.which("setpriv")
    assert setpriv, "setpriv (util-linux) is needed to take read rights from root"
    return [setpriv, "--bounding-set=-dac_override,-dac_read_search", *command]


def delete_ledger(root: Path) -> None:
    shutil.rmtree(root / "ledger")


def folder_named_like_a_journal(root: Path) -> None:
    (root / "ledger" / "2026-04.journal").mkdir()


def journal_deleted(root: Path) -> None:
    (root / "ledger" / "2026-03.journal").unlink()


def journal_unreadable(root: Path) -> None:
    (root / "ledger" / "2026-03.journal").chmod(0)


def ledger_unreadable(root: Path) -> None:
    (root / "ledger").chmod(0)


@pytest.mark.parametrize("damage, words", [
    (delete_ledger, ("the books are missing", "no ledger folder", "git checkout HEAD -- ledger")),
    (folder_named_like_a_journal, ("ledger/2026-04.journal is not a regular file",)),
    (journal_deleted, ("ledger/2026-03.journal is missing", "git checkout HEAD -- ledger/2026-03.journal")),
    (journal_unreadable, ("cannot read ledger/2026-03.journal: Permission denied",)),
    (ledger_unreadable, ("cannot read ledger/: Permission denied",)),
])
@pytest.mark.parametrize("command", [("balance",), ("statement", "agnes"), ("report",), ("log",)])
def test_missing_or_unreadable_books_are_refused(coop_repo, damage, words, command):
    ok(coop_repo, "record", "bernard", "agnes", "2", "Jardinage", "--date", "2026-03-10")
    damage(coop_repo.root)
    try:
        done = subprocess.run(without_read_rights([sys.executable, "-m", "coop_cli", "-C", str(coop_repo.root), *command]),
                              env=cli_env(), capture_output=True, text=True)
    finally:
        (coop_repo.root / "ledger").exists() and (coop_repo.root / "ledger").chmod(0o755)
    refused(done, *words)


def test_a_new_coop_shows_an_empty_balance(tmp_path):
    """`coop init` makes ledger/ (with ledger/meetings/) and no journal: no exchange yet, which is not missing books."""
    assert run_coop("init", str(tmp_path / "coop"), "--name", "Nouvelle").returncode == 0
    assert not list((tmp_path / "coop" / "ledger").glob("*.journal"))
    for command in (("balance", "--format", "json"), ("statement", "coop", "--format", "json"), ("report", "--format", "json"), ("log", "--format", "json")):
        done = run_coop("-C", str(tmp_path / "coop"), *command)
        assert done.returncode == 0 and done.stderr == "", (command, done.stderr)
    balance = json.loads(run_coop("-C", str(tmp_path / "coop"), "balance", "--format", "json").stdout)
    assert balance == [{"account": "coop", "member": None, "name": "", "status": "", "balance": "0.00"}]


# ---------------------------------------------------------------- 14. the log's ids, a meeting for scripts, sync

def test_the_log_table_shows_each_entry_id(coop_repo):
    entry = ok(coop_repo, "record", "bernard", "agnes", "2", "Jardinage", "--date", "2026-03-10").split()[0]
    table = ok(coop_repo, "log")
    assert "Id" in table.splitlines()[1] and entry in table
    assert coop_repo.run("revert", entry, "--reason", "Copié depuis coop log").returncode == 0


def test_meeting_show_takes_every_format(coop_repo):
    slug = "2026-03-10-assemblee-pleniere"
    ok(coop_repo, "meeting", "new", "Assemblée plénière", "--date", "2026-03-10", "--duration", "1h30")
    ok(coop_repo, "meeting", "attend", slug, "agnes", "bernard")
    ok(coop_repo, "meeting", "note", slug, "Tour de table")
    ok(coop_repo, "meeting", "decide", slug, "Créer le jardin partagé", "--for", "2")
    document = json.loads(ok(coop_repo, "meeting", "show", slug, "--format", "json"))
    assert document == {
        "meeting": slug, "title": "Assemblée plénière", "date": "2026-03-10", "duration": "1.50", "place": "", "status": "open",
        "attendees": ["agnes", "bernard"], "notes": ["Tour de table"],
        "decisions": [{"decision": "D-2026-001", "text": "Créer le jardin partagé", "for": 2, "against": 0, "abstain": 0,
                       "consensus": False, "outcome": "adopted"}],
        "language": "en", "closing": None,  # the minutes' language, and what a closing wrote (none while open)
    }
    rows = list(csv.DictReader(io.StringIO(ok(coop_repo, "meeting", "show", slug, "--format", "csv"))))
    assert {row["field"]: row["value"] for row in rows} == {
        "meeting": slug, "title": "Assemblée plénière", "date": "2026-03-10", "duration": "1.50", "place": "", "status": "open",
        "attendees": "agnes bernard", "note": "Tour de table", "D-2026-001": "Créer le jardin partagé (adopted: 2 for, 0 against, 0 abstaining)",
    }
    table = ok(coop_repo, "meeting", "show", slug, "--format", "table")
    assert "│ D-2026-001 │ Créer le jardin partagé (adopted: 2 for, 0 against, 0 abstaining)" in table
    assert ok(coop_repo, "meeting", "show", slug) == (coop_repo.root / "ledger" / "meetings" / f"{slug}.md").read_text(encoding="utf-8")
    assert coop_repo.run("meeting", "show", slug, "--format", "yaml").returncode == 2


def test_sync_without_a_remote_says_how_to_add_one(coop_repo):
    before = coop_repo.snapshot()
    refused(coop_repo.run("sync"), "no remote named origin", "git remote add origin URL")
    refused(coop_repo.run("sync", "upstream"), "no remote named upstream", "git remote add upstream URL")
    assert coop_repo.snapshot() == before


def test_statement_and_hledger_agree_after_a_reversal(reversed_books):
    """The running balance is hledger's register total, reversal included."""
    rows = json.loads(ok(reversed_books, "statement", "bernard", "--format", "json"))[1:]
    register = subprocess.run(["hledger", *journal_args(reversed_books.root), "reg", "^members:bernard$", "-O", "csv"],
                              capture_output=True, text=True, check=True).stdout
    totals = [line[-1] for line in csv.reader(io.StringIO(register))][1:]
    assert [row["balance"] + " H" for row in rows] == totals
