"""Differential fuzzing: every journal coop's reader accepts, hledger 1.25 and ledger 3.3 read exactly as coop does.

Files come from a grammar much wider than coop's (tests/differential.py): coop's own form, and near misses that
coop must refuse. COOP_FUZZ sets how many (100 by default, well under a minute); scripts/fuzz-differential runs thousands.
"""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings

from coop_cli.journal import append_text, format_entry, parse_journal
from coop_cli.model import Entry, Posting
from differential import RISKY, Case, Disagreement, Tally, coop_reading, disagreement, hledger_reading, journal_cases, ledger_reading

COUNT = int(os.environ.get("COOP_FUZZ", "100"))


def test_hledger_and_ledger_read_every_file_coop_accepts_as_coop_does():
    tally = Tally()

    @settings(max_examples=COUNT, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(journal_cases())
    # What the fuzzing found, refused since:
    @example(Case("1399-01-01 * Jardinage chez Bernard\n    members:agnes                 0.01 H\n    members:agnes                -0.01 H\n",
                  "H", ("header form",)))  # ledger reads no year before 1400 and stops
    def check(case):
        tally.record(case)

    check()
    assert tally.cases >= COUNT
    # Neither side may win by default: coop accepted a real share of the files, and refused a real share.
    assert tally.accepted >= COUNT // 4 and tally.cases - tally.accepted >= COUNT // 4, tally


SAMPLE = {"description": "Jardinage", "id": "01JQ8X3V5ZK2M4N6P8R0T2W4Y6", "by": "agnes", "kind": "exchange", "cat": "jardinage",
          "reverses": "01JQ8X3V5ZK2M4N6P8R0T2W4Y6", "meeting": "2026-03-10-ag", "decision": "D-2026-001", "sig": "QUJD"}


def test_every_risky_value_the_reader_takes_is_read_alike_by_hledger_and_ledger():
    """Each field with each character hledger or ledger may treat specially, wherever in it: what coop accepts, they read alike."""
    taken = []
    for field, sample in SAMPLE.items():
        for risk in RISKY:
            for value in {risk, sample + risk, risk + sample, sample[:2] + risk + sample[2:], sample + risk + "b", sample[:-1] + risk}:
                entry = Entry(date(2026, 3, 10), value if field == "description" else "Jardinage",
                              () if field in ("description", "sig") else ((field, value),),
                              (Posting("members:agnes", Decimal(2)), Posting("coop", Decimal(-2))), value if field == "sig" else None)
                if not parse_journal(format_entry(entry, "H"), "2026-03.journal", "H")[1]:
                    taken.append(entry)
    assert len({e.description for e in taken}) > 50 and len({e.tag("cat") for e in taken}) > 10  # not vacuous
    found = disagreement(Case(append_text("", [format_entry(e, "H") for e in taken]), "H"))
    assert found is None, found


# ---------------------------------------------------------------- the oracles see what they are there to see

ENTRY = Entry(date(2026, 3, 10), "Jardinage", (("id", "01JQ8X3V5ZK2M4N6P8R0T2W4Y6"), ("by", "agnes"), ("cat", "jardinage")),
              (Posting("members:agnes", Decimal(2)), Posting("members:bernard", Decimal(-2))), "U1NIU0lH")
TEXT = format_entry(ENTRY, "H")


@pytest.fixture
def journal_file(tmp_path):
    def write(text: str) -> Path:
        path = tmp_path / "2026-03.journal"
        path.write_text(text, encoding="utf-8")
        return path
    return write


def test_the_oracles_read_coops_form_as_coop(journal_file):
    path = journal_file(TEXT)
    entries, problems = parse_journal(TEXT, "2026-03.journal", "H")
    ours = coop_reading(entries, "H")
    assert problems == [] and hledger_reading(path) == ours
    assert [t.tags for t in ledger_reading(path).transactions] == [t.tags for t in ours.transactions]
    assert disagreement(Case(TEXT, "H")) is None


def noticed(path: Path, ours) -> list[str]:
    """Which oracles read the file otherwise than `ours`: a complaint, another transaction, other balances."""
    found = []
    for read in (hledger_reading, ledger_reading):
        try:
            theirs = read(path)
        except Disagreement:
            found.append(read.__name__)
            continue
        if theirs.balances != ours.balances or [replace(t, line=0) for t in theirs.transactions] != [replace(t, line=0) for t in ours.transactions]:
            found.append(read.__name__)
    return found


@pytest.mark.parametrize("old, new", [
    ("    ; cat: jardinage", "    ; cat: jardinage, kind:reversal"),     # hledger reads a second tag
    ("    ; sig: U1NIU0lH", "    ; sig: U1NIU0lH\n    ; members:x 10 H"),  # a comment both read as a tag
    ("-2.00 H", "-2.00 H  ; date:2027-01-15"),                         # hledger's posting date
    ("-2.00 H", "-2.00 H = -2 H"),                                     # a balance assertion
    ("-2.00 H", "-2.00 H @ 1 EUR"),                                    # a price
    ("2.00 H", "2.00 EUR"),                                            # another commodity
    ("    members:agnes                 2.00 H", "    (members:agnes)               2.00 H\n    coop  -2 H"),
    ("2026-03-10 *", "2026-03-10 !"),                                  # pending
    ("2026-03-10 *", "2026/03/10=2026/03/11 *"),                       # a secondary date
    ("2026-03-10 * Jardinage", "2026-03-10 * Jardinage  ; by: eve"),    # a tag on the header line
    ("2026-03-10 * Jardinage", "2026-03-10 * (42) Jardinage"),         # a code
])
def test_the_oracles_notice_the_forms_coop_refuses(journal_file, old, new):
    """Read with coop's eyes, each file is the same entry; hledger or ledger reads it otherwise, so accepting it would be caught."""
    text = TEXT.replace(old, new, 1)
    assert text != TEXT and parse_journal(text, "2026-03.journal", "H")[1], "coop must refuse it"
    ours = coop_reading(parse_journal(TEXT, "2026-03.journal", "H")[0], "H")
    assert noticed(journal_file(text), ours)
