"""The treasurer's evening after a meeting: French spreadsheet exports, the same slips twice, members named
as people write them, a whole import undone at once, and dry runs, all through the installed command."""

from __future__ import annotations

import hashlib
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import CoopFixture, make_coop
from helpers import entries_of, hledger_balances, nonzero

FRENCH_SLIPS = (
    "date;payeur;bénéficiaire;heures;description;catégorie\r\n"
    "12/03/2026;bernard;agnes;1,5;Réparation du vélo d’Évê;réparation\r\n"
    "13/03/2026;elodie;gaelle;2;Cours de français, niveau 2;cours\r\n"
    "14/03/2026;gaelle;bernard;0,75;Pâtisserie pour la fête;cuisine\r\n"
)


@pytest.fixture
def coop(tmp_path: Path) -> CoopFixture:
    return make_coop(tmp_path, (("agnes", "Agnès", ("treasurer",)), ("bernard", "Bernard", ()), ("gaelle", "Gaëlle", ()), ("elodie", "Élodie", ())))


@pytest.fixture(scope="module")
def names(tmp_path_factory) -> CoopFixture:
    """A coop whose members have accented names, two of them close enough to be mistaken for each other."""
    return make_coop(tmp_path_factory.mktemp("names"), (
        ("agnes", "Agnès", ("treasurer",)), ("bernard", "Bernard", ()), ("gaelle", "Gaëlle", ()), ("gael", "Gaël", ()),
        ("elodie", "Élodie", ()), ("francois", "François", ()),
    ))


def write_windows_1252(path: Path, text: str) -> Path:
    """What a French spreadsheet saves as "CSV": Windows-1252 bytes, which are not UTF-8."""
    data = text.encode("cp1252")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    path.write_bytes(data)
    return path


def head(fixture: CoopFixture) -> str:
    return fixture.git("rev-parse", "HEAD").strip()


# ---------------------------------------------------------------- spreadsheet exports

def test_a_french_spreadsheet_export_is_recorded_as_written(coop, tmp_path):
    slips = write_windows_1252(tmp_path / "fiches.csv", FRENCH_SLIPS)
    done = coop.run("record", "--batch", str(slips))
    assert done.returncode == 0, done.stderr
    entries = entries_of(coop.root)
    assert [(e.date, e.payer, e.earner, e.hours, e.description, e.tag("cat")) for e in entries] == [
        (date(2026, 3, 12), "members:bernard", "members:agnes", Decimal("1.5"), "Réparation du vélo d’Évê", "réparation"),
        (date(2026, 3, 13), "members:elodie", "members:gaelle", Decimal("2"), "Cours de français, niveau 2", "cours"),
        (date(2026, 3, 14), "members:gaelle", "members:bernard", Decimal("0.75"), "Pâtisserie pour la fête", "cuisine"),
    ]
    assert f"Batch-sha256: {hashlib.sha256(slips.read_bytes()).hexdigest()}" in coop.git("log", "-1", "--format=%B")
    assert nonzero(hledger_balances(coop.root)) == {
        "members:agnes": Decimal("1.5"), "members:bernard": Decimal("-0.75"), "members:elodie": Decimal("-2"), "members:gaelle": Decimal("1.25")}
    assert coop.run("verify", as_=None).returncode == 0


@pytest.mark.parametrize("encoding, text", [
    ("utf-8-sig", "date,payer,earner,hours,description\n2026-03-12,bernard,agnes,\"1,5\",Réparation du vélo d’Évê\n"),
    ("utf-16", "Date\tPayeur\tBénéficiaire\tDurée\tLibellé\n12/03/2026\tbernard\tagnes\t1:30:00\tRéparation du vélo d’Évê\n"),
    ("utf-8", "12/03/2026;bernard;agnes;1,5;Réparation du vélo d’Évê;;;\n"),
    ("cp1252", "heures;description;receveur;payeur;jour\n1,5;Réparation du vélo d’Évê;agnes;bernard;12.03.2026\n"),
])
def test_separators_encodings_and_headers_are_found(names, tmp_path, encoding, text):
    slips = tmp_path / "fiches.csv"
    slips.write_bytes(text.encode(encoding))
    done = names.run("record", "--batch", str(slips), "--dry-run")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == "2026-03-12  bernard -> agnes  1.50 H  Réparation du vélo d’Évê"


def test_an_encoding_can_be_told(coop, tmp_path):
    slips = write_windows_1252(tmp_path / "fiches.csv", FRENCH_SLIPS)
    told = coop.run("record", "--batch", str(slips), "--encoding", "utf-8", "--dry-run")
    assert told.returncode == 1
    assert told.stderr == f"error: {slips}:1: the file is not utf-8 text (byte 0xE9); say how it is encoded with --encoding\n"
    assert coop.run("record", "--batch", str(slips), "--encoding", "windows-1252", "--dry-run").returncode == 0
    unknown = coop.run("record", "--batch", str(slips), "--encoding", "klingon")
    assert unknown.returncode == 2 and "'klingon'" in unknown.stderr


def test_every_problem_of_a_csv_names_its_file_row_and_column(coop, tmp_path):
    slips = write_windows_1252(tmp_path / "fiches.csv", (
        "Date;Payeur;Bénéficiaire;Heures;Libellé;Catégorie\n"
        "32/03/2026;bernard;agnes;1,5;Jardinage;jardin\n"
        "12/03/2026;Gaëlle;agnes;1,5;Jardinage;jardin\n"
        "12/03/2026;bernard;agnes;1h75;Jardinage;jardin\n"
        "12/03/2026;bernard;agnes;1;;jardin\n"
        "1er mars;bernard;agnes;1;Jardinage;jardin\n"
        "12/03/2026;bernard;agnes;1;Jardinage;jardin;en trop\n"
        "12/03/2026;bernard;agnes;1;Jardinage;a:b\n"
        "12/03/2026;bernard;agnes;1;Jardinage;jardin\n"
    ))
    before = coop.snapshot()
    done = coop.run("record", "--batch", str(slips))
    assert done.returncode == 1
    assert done.stderr.splitlines() == [f"error: {slips}:{problem}" for problem in (
        "2: column A (Date): there is no day 32/03/2026 in the calendar",
        "3: column B (Payeur): 'Gaëlle' is not a member of this coop; did you mean gaelle (Gaëlle)?",
        "4: column D (Heures): cannot read '1h75' as hours: minutes must be below 60",
        "5: column E (Libellé): the cell is empty",
        "6: column A (Date): cannot read '1er mars' as a date (write 12/03/2026, day first, or 2026-03-12)",
        "7: column G: this cell is under no column of the header row",
        "8: column F (Catégorie): the category may hold only letters, digits, spaces, '-', '_', '.' and apostrophes, got 'a:b'",
    )]
    assert "--date" not in done.stderr
    assert coop.snapshot() == before


def test_a_file_without_a_header_names_its_columns_by_letter_and_field(coop, tmp_path):
    slips = tmp_path / "slips.csv"
    slips.write_text("2026-03-12,bernard,agnes,deux,Jardinage\n2026-02-30,bernard,agnes,2,Jardinage\n", encoding="utf-8")
    done = coop.run("record", "--batch", str(slips))
    assert done.stderr.splitlines() == [
        f"error: {slips}:1: column D (hours): cannot read 'deux' as hours (write 2, 1.5, 2,5, 1h30, 90m or 0:45)",
        f"error: {slips}:2: column A (date): there is no day 2026-02-30 in the calendar",
    ]


def test_a_header_without_a_needed_column_is_refused(coop, tmp_path):
    slips = tmp_path / "slips.csv"
    slips.write_text("date;payeur;bénéficiaire;libellé\n12/03/2026;bernard;agnes;Jardinage\n", encoding="utf-8")
    done = coop.run("record", "--batch", str(slips))
    assert done.returncode == 1
    assert done.stderr == f"error: {slips}:1: the header row has no column for hours\n"


# ---------------------------------------------------------------- the same slips twice

def test_the_same_row_twice_in_a_batch_is_refused_naming_both(coop, tmp_path):
    slips = tmp_path / "slips.csv"
    slips.write_text(
        "date,payer,earner,hours,description\n"
        "2026-03-10,bernard,agnes,2,Jardinage\n"
        "2026-03-10,bernard,agnes,1,Jardinage\n"
        "2026-03-10,bernard,agnes,2,Jardinage\n",
        encoding="utf-8",
    )
    before = coop.snapshot()
    done = coop.run("record", "--batch", str(slips))
    assert done.returncode == 1
    assert done.stderr == f"error: {slips}:4: the same exchange as {slips}:2 (if it happened twice, give --allow-duplicates)\n"
    assert coop.snapshot() == before
    allowed = coop.run("record", "--batch", str(slips), "--allow-duplicates")
    assert allowed.returncode == 0, allowed.stderr
    assert len(entries_of(coop.root)) == 3


def test_an_exchange_already_in_the_books_is_refused_until_it_is_reversed(coop, tmp_path):
    first = coop.run("record", "bernard", "agnes", "2", "Jardinage", "--date", "2026-03-10")
    assert first.returncode == 0, first.stderr
    [entry] = entries_of(coop.root)
    slips = tmp_path / "slips.csv"
    slips.write_text("10/03/2026;bernard;agnes;2,00;Jardinage\n11/03/2026;bernard;agnes;2;Jardinage\n", encoding="utf-8")
    before = coop.snapshot()
    batch = coop.run("record", "--batch", str(slips))
    assert batch.stderr == f"error: {slips}:1: the same exchange as {entry.id} of 2026-03-10, already in the books (if it happened twice, give --allow-duplicates)\n"
    single = coop.run("record", "bernard", "agnes", "2h", "Jardinage", "--date", "2026-03-10")
    assert single.returncode == 1 and entry.id in single.stderr and "2026-03-10" in single.stderr
    assert coop.snapshot() == before
    assert coop.run("revert", entry.id, "--reason", "Saisi par erreur").returncode == 0
    again = coop.run("record", "--batch", str(slips))
    assert again.returncode == 0, again.stderr


def test_a_file_imported_twice_is_refused_naming_the_commit_that_imported_it(coop, tmp_path):
    slips = write_windows_1252(tmp_path / "fiches.csv", FRENCH_SLIPS)
    assert coop.run("record", "--batch", str(slips)).returncode == 0
    imported = head(coop)
    before = coop.snapshot()
    for args in (("record", "--batch", str(slips)), ("record", "--batch", str(slips), "--dry-run")):
        done = coop.run(*args)
        assert done.returncode == 1
        assert done.stderr == (
            f"error: {slips} was already imported by commit {imported[:10]} on {date.today()} "
            "(if these are other exchanges, give --allow-duplicates)\n"
        )
    assert coop.snapshot() == before
    # Saved again as UTF-8, the same slips are other bytes: each row is still recognised.
    resaved = tmp_path / "fiches-utf8.csv"
    resaved.write_text(FRENCH_SLIPS, encoding="utf-8")
    done = coop.run("record", "--batch", str(resaved))
    assert [re.match(r"error: .*:(\d+): the same exchange as ", line)[1] for line in done.stderr.splitlines()] == ["2", "3", "4"]


# ---------------------------------------------------------------- a whole commit reversed

def test_revert_commit_reverses_every_entry_of_an_import_in_one_signed_commit(coop, tmp_path):
    slips = write_windows_1252(tmp_path / "fiches.csv", FRENCH_SLIPS)
    assert coop.run("record", "--batch", str(slips)).returncode == 0
    imported = head(coop)
    first, *others = entries_of(coop.root)
    assert coop.run("revert", first.id, "--reason", "Erreur").returncode == 0
    commits = int(coop.git("rev-list", "--count", "HEAD"))

    done = coop.run("revert", "--commit", imported[:7], "--reason", "Fiches saisies deux fois")
    assert done.returncode == 0, done.stderr
    assert done.stderr == f"{first.id} was already reversed by {entries_of(coop.root)[3].id}\n"
    assert done.stdout.splitlines()[-1] == f"Reversed 2 entries of commit {imported[:10]} in commit {head(coop)[:10]}."
    assert int(coop.git("rev-list", "--count", "HEAD")) == commits + 1
    reversals = entries_of(coop.root)[-2:]
    assert [(r.kind, r.tag("reverses"), r.description, r.date) for r in reversals] == [
        ("reversal", e.id, "Fiches saisies deux fois", date.today()) for e in others]
    assert nonzero(hledger_balances(coop.root)) == {}
    assert 'Good "git" signature for agnes' in coop.git("log", "-1", "--show-signature")
    assert f"Reverts-commit: {imported}" in coop.git("log", "-1", "--format=%B")
    verified = coop.run("verify", as_=None)
    assert verified.returncode == 0, verified.stdout + verified.stderr

    before = coop.snapshot()
    again = coop.run("revert", "--commit", imported, "--reason", "Encore")
    assert again.returncode == 1
    assert again.stderr.startswith(f"error: nothing left to reverse in commit {imported[:10]}: {first.id} was already reversed by ")
    assert all(e.id in again.stderr for e in others)
    no_entries = coop.run("revert", "--commit", coop.git("log", "--format=%H", "--grep=member add: gaelle").strip(), "--reason", "x")
    assert no_entries.returncode == 1 and "added no entries" in no_entries.stderr
    unknown = coop.run("revert", "--commit", "0123abc", "--reason", "x")
    assert unknown.returncode == 1 and "0123abc" in unknown.stderr
    both = coop.run("revert", first.id, "--commit", imported, "--reason", "x")
    assert both.returncode == 2
    assert coop.snapshot() == before

    # Every entry of the import undone, the file may be imported again.
    reimported = coop.run("record", "--batch", str(slips))
    assert reimported.returncode == 0, reimported.stderr


# ---------------------------------------------------------------- dry runs

def test_a_dry_run_shows_the_entries_and_balances_and_writes_nothing(coop, tmp_path):
    assert coop.run("record", "bernard", "agnes", "3", "Jardinage", "--date", "2026-03-01").returncode == 0
    slips = write_windows_1252(tmp_path / "fiches.csv", FRENCH_SLIPS)
    before = coop.snapshot()
    done = coop.run("record", "--batch", str(slips), "--dry-run")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "2026-03-12  bernard -> agnes  1.50 H  Réparation du vélo d’Évê",
        "2026-03-13  elodie -> gaelle  2.00 H  Cours de français, niveau 2",
        "2026-03-14  gaelle -> bernard  0.75 H  Pâtisserie pour la fête",
        "Balances after:",
        "  agnes (Agnès): 3.00 -> 4.50 H",
        "  bernard (Bernard): -3.00 -> -3.75 H",
        "  elodie (Élodie): 0.00 -> -2.00 H",
        "  gaelle (Gaëlle): 0.00 -> 1.25 H",
        "Dry run: 3 exchanges would be recorded; nothing was written.",
    ]
    single = coop.run("record", "coop", "elodie", "1", "Réunion", "--date", "2026-03-02", "--dry-run")
    assert single.returncode == 0, single.stderr
    assert "  coop (the coop account): 0.00 -> -1.00 H" in single.stdout.splitlines()
    assert coop.snapshot() == before


def test_a_refused_dry_run_says_what_the_real_run_says(coop, tmp_path):
    slips = tmp_path / "slips.csv"
    slips.write_text("2026-03-10,bernard,agnes,21,Jardinage\n2026-03-10,bernard,gael,1,Jardinage\n", encoding="utf-8")
    before = coop.snapshot()
    dry = coop.run("record", "--batch", str(slips), "--dry-run")
    real = coop.run("record", "--batch", str(slips))
    assert dry.returncode == real.returncode == 1
    assert dry.stderr == real.stderr and len(dry.stderr.splitlines()) == 2
    assert coop.snapshot() == before


# ---------------------------------------------------------------- names

@pytest.mark.parametrize("args, typed, meant", [
    (("record", "gaele", "agnes", "1", "Jardinage", "--date", "2026-03-10"), "gaele", "gaelle (Gaëlle) or gael (Gaël)"),
    (("record", "bernard", "Gaëlle", "1", "Jardinage", "--date", "2026-03-10"), "Gaëlle", "gaelle (Gaëlle)"),
    (("statement", "Elodie"), "Elodie", "elodie (Élodie)"),
    (("member", "show", "François"), "François", "francois (François)"),
    (("balance", "--member", "Bernad"), "Bernad", "bernard (Bernard)"),
    (("log", "--member", "Coop"), "Coop", "coop (the coop's own account)"),
    (("record", "--as", "Agnès", "bernard", "agnes", "1", "Jardinage"), "Agnès", "agnes (Agnès)"),
])
def test_a_member_named_otherwise_than_by_id_is_refused_with_a_suggestion(names, args, typed, meant):
    before = names.snapshot()
    done = names.run(*args)
    assert done.returncode == 1
    assert done.stderr == f"error: {typed!r} is not a member of this coop; did you mean {meant}?\n"
    assert names.snapshot() == before


def test_a_suggestion_is_given_in_french_too(names, tmp_path):
    done = names.run("--lang", "fr", "statement", "Elodie")
    assert done.returncode == 1
    assert done.stderr.startswith("erreur : ") and "elodie (Élodie)" in done.stderr
    slips = write_windows_1252(tmp_path / "fiches.csv", "date;payeur;bénéficiaire;heures;description\n12/03/2026;Gaëlle;agnes;1;Jardinage\n")
    batch = names.run("--lang", "fr", "record", "--batch", str(slips))
    assert batch.returncode == 1
    assert batch.stderr.startswith(f"erreur : {slips}:2") and "payeur" in batch.stderr and "gaelle (Gaëlle)" in batch.stderr


def test_a_stranger_gets_no_suggestion(names):
    done = names.run("statement", "zoé")
    assert done.stderr == "error: 'zoé' is not a member of this coop (see coop member list)\n"
