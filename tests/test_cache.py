"""The balance cache in .git/coop never gives a stale answer: edits behind coop's back, old checkouts, hand-written entries."""

from __future__ import annotations

import json
import os
from decimal import Decimal

from coop_cli.journal import parse_journal, summarise_file
from helpers import hledger_balances, nonzero


def coop_balances(coop_repo, *args: str) -> dict[str, Decimal]:
    done = coop_repo.run("balance", "--format", "json", *args, as_=None)
    assert done.returncode == 0, done.stderr
    return nonzero({row["account"]: Decimal(row["balance"]) for row in json.loads(done.stdout)})


def books(coop_repo) -> None:
    for day, (payer, earner, hours) in enumerate([("bernard", "agnes", "2"), ("claire", "bernard", "1.5"), ("coop", "claire", "1")], start=10):
        assert coop_repo.run("record", payer, earner, hours, "Service", "--date", f"2026-03-{day}").returncode == 0
    assert coop_repo.run("record", "agnes", "claire", "0.75", "Couture", "--date", "2026-02-03").returncode == 0


def test_the_cache_is_used_and_matches_hledger(coop_repo):
    books(coop_repo)
    first = coop_balances(coop_repo)
    assert (coop_repo.root / ".git" / "coop" / "cache" / "journals.json").exists()
    assert coop_balances(coop_repo) == first == hledger_balances(coop_repo.root)


def test_an_edit_behind_coops_back_is_seen(coop_repo):
    books(coop_repo)
    coop_balances(coop_repo)
    journal = coop_repo.root / "ledger" / "2026-03.journal"
    journal.write_text(journal.read_text().replace("2.00 H", "7.00 H").replace("-2.00 H", "-7.00 H"))
    assert coop_balances(coop_repo) == hledger_balances(coop_repo.root)
    assert coop_balances(coop_repo)["members:agnes"] == Decimal("6.25")


def test_an_edit_that_keeps_the_size_and_the_time_stamp_is_seen(coop_repo):
    books(coop_repo)
    journal = coop_repo.root / "ledger" / "2026-03.journal"
    coop_balances(coop_repo)
    stat = journal.stat()
    journal.write_text(journal.read_text().replace("1.50 H", "9.50 H").replace("-1.50 H", "-9.50 H"))
    os.utime(journal, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert journal.stat().st_size == stat.st_size and journal.stat().st_mtime_ns == stat.st_mtime_ns
    assert coop_balances(coop_repo) == hledger_balances(coop_repo.root)
    assert coop_balances(coop_repo)["members:bernard"] == Decimal("7.50")


def test_an_older_checkout_gives_the_older_balances(coop_repo):
    books(coop_repo)
    coop_balances(coop_repo)
    coop_repo.git("checkout", "-q", "HEAD~2")
    assert coop_balances(coop_repo) == hledger_balances(coop_repo.root)
    assert coop_balances(coop_repo) == {"members:agnes": Decimal("2"), "members:bernard": Decimal("-0.5"), "members:claire": Decimal("-1.5")}
    coop_repo.git("checkout", "-q", "main")
    assert coop_balances(coop_repo) == hledger_balances(coop_repo.root)


def test_an_entry_appended_by_hand_that_the_quick_scan_does_not_take_is_read_in_full(coop_repo):
    books(coop_repo)
    coop_balances(coop_repo)
    journal = coop_repo.root / "ledger" / "2026-03.journal"
    decomposed = "E\u0301crit a\u0300 la main"  # in coop's form, but combining accents are beyond the quick scan
    by_hand = f"2026-03-20 * {decomposed}\n    members:claire                3.00 H\n    members:agnes                -3.00 H\n"
    journal.write_text(journal.read_text() + "\n" + by_hand)
    assert summarise_file(journal.read_text(), "H") is None and not parse_journal(journal.read_text(), "x", "H")[1]
    assert coop_balances(coop_repo) == hledger_balances(coop_repo.root)
    assert coop_balances(coop_repo)["members:claire"] == Decimal("3.25")
    coop_repo.git("-c", "user.name=x", "-c", "user.email=x@x", "commit", "-qam", "by hand")
    assert coop_balances(coop_repo) == hledger_balances(coop_repo.root)


def test_an_entry_appended_by_hand_in_another_form_is_refused_not_misread(coop_repo):
    books(coop_repo)
    coop_balances(coop_repo)
    journal = coop_repo.root / "ledger" / "2026-03.journal"
    lines = journal.read_text().count("\n")
    journal.write_text(journal.read_text() + "\n2026-03-20 Écrit à la main\n  members:claire  3 H\n  members:agnes\n")
    done = coop_repo.run("balance", as_=None)
    assert done.returncode == 1
    assert done.stderr == f"error: ledger/2026-03.journal:{lines + 2}: cannot read the transaction header '2026-03-20 Écrit à la main'\n"


def test_balances_at_a_date_cut_through_a_month(coop_repo):
    books(coop_repo)
    for cut in ("2026-02-02", "2026-02-03", "2026-03-10", "2026-03-11", "2026-03-31"):
        assert coop_balances(coop_repo, "--date", cut) == hledger_balances(coop_repo.root, "-e", _next_day(cut))


def test_a_corrupt_cache_is_ignored(coop_repo):
    books(coop_repo)
    coop_balances(coop_repo)
    (coop_repo.root / ".git" / "coop" / "cache" / "journals.json").write_text("{not json")
    assert coop_balances(coop_repo) == hledger_balances(coop_repo.root)


def _next_day(day: str) -> str:
    from datetime import date, timedelta

    return (date.fromisoformat(day) + timedelta(days=1)).isoformat()
