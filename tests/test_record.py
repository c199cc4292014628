"""`coop record`, `--batch` and `revert` on real repositories: the journal text, the signatures, the commits."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest

from helpers import entries_of, hledger_balances, ledger_balances, nonzero, ssh_keygen_verifies


def test_record_appends_the_spec_format_and_commits_once(coop_repo):
    before = coop_repo.git("rev-list", "--count", "HEAD")
    done = coop_repo.run("record", "bernard", "agnes", "2", "Jardinage chez Bernard", "--date", "2026-03-10", "--cat", "jardinage")
    assert done.returncode == 0, done.stderr
    text = (coop_repo.root / "ledger" / "2026-03.journal").read_text()
    lines = text.splitlines()
    assert lines[0] == "2026-03-10 * Jardinage chez Bernard"
    assert re.fullmatch(r"    ; id: [0-9A-HJKMNP-TV-Z]{26}", lines[1])
    assert lines[2:5] == ["    ; by: agnes", "    ; kind: exchange", "    ; cat: jardinage"]
    assert lines[5].startswith("    ; sig: U1NIU0lH")
    assert lines[6:] == ["    members:agnes                 2.00 H", "    members:bernard              -2.00 H"]
    assert int(coop_repo.git("rev-list", "--count", "HEAD")) == int(before) + 1
    entry_id = lines[1].split(": ")[1]
    subject = coop_repo.git("log", "-1", "--format=%s")
    assert "bernard" in subject and "agnes" in subject and "2.00" in subject and entry_id in subject
    assert coop_repo.git("status", "--porcelain") == ""


def test_entry_signature_verifies_with_ssh_keygen(coop_repo, tmp_path):
    coop_repo.run("record", "bernard", "agnes", "1h30", "Réparation du vélo d'Évê", "--date", "2026-03-10")
    [entry] = entries_of(coop_repo.root)
    public = coop_repo.keys["agnes"].with_suffix(".pub").read_text()
    assert ssh_keygen_verifies(entry, public, tmp_path)
    other = coop_repo.keys["bernard"].with_suffix(".pub").read_text()
    assert not ssh_keygen_verifies(entry, other, tmp_path)


def test_commit_is_ssh_signed_in_gits_own_format(coop_repo):
    coop_repo.run("record", "bernard", "agnes", "2", "Jardinage", "--date", "2026-03-10")
    shown = coop_repo.git("log", "-1", "--show-signature", "--format=%G? %GS")
    assert 'Good "git" signature for agnes' in shown
    assert shown.strip().splitlines()[-1].startswith("G agnes")


@pytest.mark.parametrize("typed, hours", [("2", "2.00"), ("1.5", "1.50"), ("2,5", "2.50"), ("1h30", "1.50"), ("90m", "1.50"), ("0:45", "0.75"), ("1.5h", "1.50"), ("1h15", "1.25"), ("45m", "0.75")])
def test_hours_are_read_as_people_write_them(coop_repo, typed, hours):
    done = coop_repo.run("record", "bernard", "agnes", typed, "Couture", "--date", "2026-03-10")
    assert done.returncode == 0, done.stderr
    [entry] = entries_of(coop_repo.root)
    assert entry.hours == Decimal(hours)


def test_any_member_may_record_what_they_pay_themselves(coop_repo):
    done = coop_repo.run("record", "bernard", "claire", "1", "Cours de couture", "--date", "2026-03-10", as_="bernard")
    assert done.returncode == 0, done.stderr
    [entry] = entries_of(coop_repo.root)
    assert entry.recorder == "bernard"


def test_the_coop_account_pays_meeting_time_without_limits(coop_repo):
    done = coop_repo.run("record", "coop", "claire", "3", "Temps de réunion", "--date", "2026-03-10", "--cat", "réunion")
    assert done.returncode == 0, done.stderr
    balances = hledger_balances(coop_repo.root)
    assert balances == {"coop": Decimal("-3"), "members:claire": Decimal("3")}


def test_balances_equal_hledger_and_ledger_and_sum_to_zero(coop_repo):
    coop_repo.run("record", "bernard", "agnes", "2", "Jardinage", "--date", "2026-02-10")
    coop_repo.run("record", "claire", "bernard", "1.25", "Soutien scolaire", "--date", "2026-03-01")
    coop_repo.run("record", "coop", "claire", "2", "Réunion", "--date", "2026-03-10")
    done = coop_repo.run("balance", "--format", "json")
    import json

    rows = json.loads(done.stdout)
    ours = {row["account"]: Decimal(row["balance"]) for row in rows}
    assert sum(ours.values()) == 0
    assert all(isinstance(row["balance"], str) for row in rows)
    assert {row["member"] for row in rows} == {"agnes", "bernard", "claire", None}
    assert nonzero(ours) == hledger_balances(coop_repo.root) == ledger_balances(coop_repo.root)


def test_balance_at_a_date_and_for_one_member(coop_repo):
    coop_repo.run("record", "bernard", "agnes", "2", "Jardinage", "--date", "2026-02-10")
    coop_repo.run("record", "bernard", "agnes", "1", "Jardinage", "--date", "2026-03-10")
    done = coop_repo.run("balance", "--date", "2026-02-28", "--member", "agnes", "--format", "csv")
    assert done.stdout.splitlines() == ["account,member,name,status,balance", "members:agnes,agnes,Agnès,active,2.00"]
    assert hledger_balances(coop_repo.root, "-e", "2026-03-01")["members:agnes"] == Decimal(2)


def test_statement_has_a_running_balance(coop_repo):
    coop_repo.run("record", "bernard", "agnes", "2", "Jardinage", "--date", "2026-01-10")
    coop_repo.run("record", "agnes", "claire", "0.5", "Couture", "--date", "2026-02-10")
    coop_repo.run("record", "bernard", "agnes", "1", "Jardinage", "--date", "2026-03-10")
    done = coop_repo.run("statement", "agnes", "--from", "2026-02-01", "--format", "csv")
    rows = [line.split(",") for line in done.stdout.splitlines()]
    assert rows[0][:6] == ["date", "id", "description", "counterparty", "amount", "balance"]
    assert [(r[0], r[4], r[5]) for r in rows[1:]] == [("2026-02-01", "", "2.00"), ("2026-02-10", "-0.50", "1.50"), ("2026-03-10", "1.00", "2.50")]


def test_batch_writes_every_row_in_one_signed_commit(coop_repo, tmp_path):
    batch = tmp_path / "slips.csv"
    batch.write_text(
        "date,payer,earner,hours,description,cat\n"
        "2026-03-10,bernard,agnes,2,Jardinage chez Bernard,jardinage\n"
        "2026-03-10,claire,bernard,1h30,Réparation vélo,réparation\n"
        "2026-02-03,coop,claire,2,\"Réunion, préparation\",réunion\n"
    )
    before = int(coop_repo.git("rev-list", "--count", "HEAD"))
    done = coop_repo.run("record", "--batch", str(batch))
    assert done.returncode == 0, done.stderr
    assert int(coop_repo.git("rev-list", "--count", "HEAD")) == before + 1
    entries = entries_of(coop_repo.root)
    assert [e.description for e in entries] == ["Réunion, préparation", "Jardinage chez Bernard", "Réparation vélo"]
    public = coop_repo.keys["agnes"].with_suffix(".pub").read_text()
    assert all(ssh_keygen_verifies(e, public, tmp_path) for e in entries)
    assert 'Good "git" signature' in coop_repo.git("log", "-1", "--show-signature")


def test_batch_with_bad_rows_writes_nothing_and_names_every_line(coop_repo, tmp_path):
    batch = tmp_path / "slips.csv"
    batch.write_text(
        "date,payer,earner,hours,description\n"
        "2026-03-10,bernard,agnes,2,Jardinage\n"
        "2026-03-10,bernard,zoe,2,Jardinage\n"
        "2026-03-10,bernard,agnes,1h75,Jardinage\n"
        "2099-01-01,bernard,agnes,1,Jardinage\n"
    )
    before = coop_repo.snapshot()
    done = coop_repo.run("record", "--batch", str(batch))
    assert done.returncode == 1
    lines = done.stderr.splitlines()
    assert [re.search(r":(\d+): ", line)[1] for line in lines] == ["3", "4", "5"]
    assert "Traceback" not in done.stderr
    assert coop_repo.snapshot() == before


def test_batch_applies_limits_in_order(coop_repo, tmp_path):
    rows = "".join(f"2026-03-{day:02},bernard,agnes,4,Jardinage\n" for day in range(1, 7))
    batch = tmp_path / "slips.csv"
    batch.write_text(rows)
    done = coop_repo.run("record", "--batch", str(batch))
    assert done.returncode == 1
    assert done.stderr.splitlines() == [f"error: {batch}:6: bernard's balance would be -24.00 h, below the charter's min_balance of -20 h"]


def test_revert_appends_the_opposite_once(coop_repo):
    coop_repo.run("record", "bernard", "agnes", "2", "Jardinage", "--date", "2026-03-10")
    [original] = entries_of(coop_repo.root)
    done = coop_repo.run("revert", original.id, "--reason", "Saisi deux fois")
    assert done.returncode == 0, done.stderr
    entries = entries_of(coop_repo.root)
    reversal = entries[-1]
    assert reversal.kind == "reversal" and reversal.tag("reverses") == original.id
    assert reversal.payer == "members:agnes" and reversal.earner == "members:bernard" and reversal.hours == 2
    assert reversal.date == date.today()
    assert nonzero(hledger_balances(coop_repo.root)) == {}
    again = coop_repo.run("revert", original.id, "--reason", "Encore")
    assert again.returncode == 1 and "already reversed" in again.stderr
    of_reversal = coop_repo.run("revert", reversal.id, "--reason", "Non")
    assert of_reversal.returncode == 1 and "itself a reversal" in of_reversal.stderr
    assert coop_repo.run("revert", "01XXXXXXXXXXXXXXXXXXXXXXXX", "--reason", "x").returncode == 1


def test_entries_of_two_months_go_to_their_files(coop_repo):
    coop_repo.run("record", "bernard", "agnes", "2", "Jardinage", "--date", "2026-02-28")
    coop_repo.run("record", "bernard", "agnes", "2", "Jardinage", "--date", "2026-03-01")
    coop_repo.run("record", "bernard", "agnes", "1", "Jardinage", "--date", "2026-03-02")
    assert sorted(p.name for p in (coop_repo.root / "ledger").glob("*.journal")) == ["2026-02.journal", "2026-03.journal"]
    march = (coop_repo.root / "ledger" / "2026-03.journal").read_text()
    assert "\n\n2026-03-02 * Jardinage\n" in march and not march.endswith("\n\n")
