"""`coop report`, the balance bars and the printable pages, on a coop whose every exchange is known.

Golden files pin the output at a fixed width; hledger recomputes every figure; headless Chromium reads the pages.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import struct
import subprocess
import time
from datetime import date
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest

from coop_cli import meetings, reports
from coop_cli.model import Decision, Meeting
from conftest import CoopFixture, cli_env, make_coop, run_coop
from helpers import journal_args

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("COOP_UPDATE_GOLDEN") == "1"  # rewrite the golden files from today's output, then review the diff
PERIOD = "2026Q1"
WIDTH = "100"

SLIPS = """date,payer,earner,hours,description,cat
2025-06-15,denis,agnes,1.5,Ourlets pour Dénis,couture
2026-01-10,bernard,agnes,2,Jardinage chez Bernard,jardinage
2026-01-20,claire,bernard,1h15,Réparation <vélo> & co,réparation
2026-02-05,agnes,claire,3,Cours de couture,couture
2026-02-14,coop,claire,2,Temps de réunion : assemblée générale,réunion
2026-02-14,coop,bernard,2,Temps de réunion : assemblée générale,réunion
2026-03-03,bernard,claire,1.5,Soutien scolaire pour la fille de Bernard,soutien-scolaire
2026-03-12,bernard,agnes,17,Déménagement de Bernard,bricolage
2026-03-20,agnes,claire,0.75,Petit service,
"""
GROUPS = """groups:
  - name: jardin partagé
    decision: D-2026-001
    members: [agnes, claire]
  - name: atelier vélo
    decision: D-2026-001
    members: [bernard]
"""


def git_commit(root: Path, message: str) -> None:
    subprocess.run(["git", "-c", "user.name=x", "-c", "user.email=x@x", "add", "-A"], cwd=root, check=True)
    subprocess.run(["git", "-c", "user.name=x", "-c", "user.email=x@x", "commit", "-qm", message], cwd=root, check=True)


def minutes(root: Path, meeting: Meeting) -> None:
    path = root / meetings.path_of(meeting.slug)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(meetings.render(meeting, {}), encoding="utf-8")


@pytest.fixture(scope="module")
def books(tmp_path_factory) -> CoopFixture:
    """Four members, nine exchanges in June 2025 and the first quarter of 2026, a reversal, an April exchange
    outside the quarter, two working groups and two meetings: every figure of the report is known by hand."""
    fixture = make_coop(tmp_path_factory.mktemp("reports"), (("agnes", "Agnès", ("treasurer",)), ("bernard", "Bernard", ()), ("claire", "Claire", ())))
    done = fixture.run("member", "add", "denis", "--name", "Dénis", "--since", "2020-03-10")
    assert done.returncode == 0, done.stderr
    slips = fixture.root.parent / "slips.csv"
    slips.write_text(SLIPS, encoding="utf-8")
    done = fixture.run("record", "--batch", str(slips))
    assert done.returncode == 0, done.stderr
    mistaken = next(line.split()[0] for line in done.stdout.splitlines() if "vélo" in line)
    done = fixture.run("revert", mistaken, "--reason", "Saisi deux fois", "--date", "2026-03-25")
    assert done.returncode == 0, done.stderr
    done = fixture.run("record", "claire", "agnes", "1", "Jardinage chez Claire", "--cat", "jardinage", "--date", "2026-04-02")
    assert done.returncode == 0, done.stderr
    with open(fixture.root / "members.yaml", "a", encoding="utf-8") as register:
        register.write(GROUPS)
    minutes(fixture.root, Meeting(
        "2026-02-14-assemblee-generale", "Assemblée générale", date(2026, 2, 14), Decimal(2), "Salle des fêtes", "closed",
        ("agnes", "bernard", "claire"), ("Bilan de l'année",),
        (Decision("D-2026-001", "Créer le jardin partagé et l'atelier vélo", 3, 0, 0),
         Decision("D-2026-002", "Écrire <script>alert(1)</script> & voir", 1, 2, 0, outcome="rejected")),
    ))
    minutes(fixture.root, Meeting("2025-12-01-bureau", "Bureau", date(2025, 12, 1), Decimal(1), "", "closed", ("agnes",), (),
                                  (Decision("D-2025-001", "Hors de la période", consensus=True),)))
    git_commit(fixture.root, "groups and minutes, written by hand")
    return fixture


def coop(books: CoopFixture, *args: str) -> subprocess.CompletedProcess:
    done = books.run(*args, COLUMNS=WIDTH)
    assert done.returncode == 0, done.stderr
    return done


def report_json(books: CoopFixture, *args: str) -> dict:
    return json.loads(coop(books, "report", *args, "--format", "json").stdout)


# ---------------------------------------------------------------- golden files

def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"{name} differs; rerun with COOP_UPDATE_GOLDEN=1 and review the diff"


@pytest.mark.parametrize("name, args", [
    ("report-2026Q1.txt", ("report", "-p", PERIOD)),
    ("report-2026Q1-by-cat.txt", ("report", "-p", PERIOD, "--by", "cat")),
    ("report-2026Q1-by-member.txt", ("report", "-p", PERIOD, "--by", "member")),
    ("report-2026Q1-by-group.txt", ("report", "-p", PERIOD, "--by", "group")),
    ("report-2026Q1-by-month.csv", ("report", "-p", PERIOD, "--format", "csv")),
    ("report-2026Q1-by-cat.csv", ("report", "-p", PERIOD, "--by", "cat", "--format", "csv")),
    ("report-2026Q1-by-member.csv", ("report", "-p", PERIOD, "--by", "member", "--format", "csv")),
    ("report-2026Q1-by-group.csv", ("report", "-p", PERIOD, "--by", "group", "--format", "csv")),
    ("report-2026Q1.json", ("report", "-p", PERIOD, "--format", "json")),
    ("report-2026Q1-by-member.json", ("report", "-p", PERIOD, "--by", "member", "--format", "json")),
    ("balance-2026-03-31.txt", ("balance", "--date", "2026-03-31")),
])
def test_output_matches_the_golden_file(books, name, args):
    check_golden(name, coop(books, *args).stdout)


def without_ids(text: str) -> str:
    """Entry ids (ULIDs) and key fingerprints change with every run of the fixture."""
    text = re.sub(r"\b[0-9A-HJKMNP-TV-Z]{26}\b", "<entry id>", text)
    return re.sub(r"SHA256:[0-9A-Za-z+/]{43}", "SHA256:<fingerprint>", text)


@pytest.mark.parametrize("name, args", [
    ("fr/balance-2026-03-31.txt", ("balance", "--date", "2026-03-31")),
    ("fr/statement-bernard-2026Q1.txt", ("statement", "bernard", "--to", "2026-03-31")),
    ("fr/report-2026Q1.txt", ("report", "-p", PERIOD)),
    ("fr/report-2026Q1-by-member.txt", ("report", "-p", PERIOD, "--by", "member")),
    ("fr/member-show-bernard.txt", ("member", "show", "bernard")),
    ("fr/meeting-show-2026-02-14.txt", ("meeting", "show", "2026-02-14-assemblee-generale", "--format", "table")),
])
def test_french_output_matches_the_golden_file(books, name, args):
    """What a French reader sees: hours with a decimal comma, dates in words, the books' words translated."""
    check_golden(name, without_ids(coop(books, "--lang", "fr", *args).stdout))


def test_french_csv_and_json_keep_the_files_words(books):
    """Scripts do not depend on the reader's language: CSV and JSON are the same in French, to the byte."""
    for args in (("balance", "--format", "csv"), ("member", "list", "--format", "json"), ("decisions", "--format", "csv"),
                 ("report", "-p", PERIOD, "--format", "json"), ("statement", "bernard", "--format", "csv"), ("log", "--format", "csv"),
                 ("meeting", "show", "2026-02-14-assemblee-generale", "--format", "csv")):
        assert coop(books, "--lang", "fr", *args).stdout == coop(books, *args).stdout, args


def page_text(page: str) -> str:
    """A page as its reader reads it: the text of each element on a line, the style sheet left out."""
    class Text(HTMLParser):
        def __init__(self):
            super().__init__()
            self.lines, self.skip = [], False

        def handle_starttag(self, tag, attrs):
            self.skip = tag == "style"

        def handle_data(self, data):
            if not self.skip and data.strip():
                self.lines.append(" ".join(data.split()))

    reader = Text()
    reader.feed(page)
    return "\n".join(reader.lines) + "\n"


def test_the_french_pages_read_as_french_and_render(books, tmp_path):
    """The report and a statement in French: `lang="fr"`, their text golden, and Chromium draws them (the PNGs are
    kept in tmp_path for a person to look at)."""
    coop(books, "--lang", "fr", "report", "-p", PERIOD, "--html", str(tmp_path / "site"))
    coop(books, "--lang", "fr", "statement", "bernard", "--to", "2026-03-31", "--html", str(tmp_path / "bernard.html"))
    for name, page in (("fr/report-2026Q1.html.txt", tmp_path / "site" / "index.html"), ("fr/statement-bernard-2026Q1.html.txt", tmp_path / "bernard.html")):
        html = page.read_text(encoding="utf-8")
        assert html.startswith('<!DOCTYPE html>\n<html lang="fr">')
        check_golden(name, page_text(html))
        shot = page.with_suffix(".png")
        chromium(page, tmp_path / "profile", f"--screenshot={shot}", "--window-size=1240,1754")
        assert png_size(shot) == (1240, 1754) and shot.stat().st_size > 20_000
    coop(books, "statement", "bernard", "--html", str(tmp_path / "english.html"))
    assert (tmp_path / "english.html").read_text(encoding="utf-8").startswith('<!DOCTYPE html>\n<html lang="en">')


def test_json_hours_are_decimal_strings_and_counts_are_numbers(books):
    document = report_json(books, "-p", PERIOD)
    assert document["totals"] == {
        "hours": "28.25", "exchanges": 8, "reversals": 1, "hours_reversed": "1.25", "active_members": 3, "coop_paid": "4.00",
    }
    assert document["period"] == {"label": "2026Q1", "begin": "2026-01-01", "end": "2026-04-01"}
    assert [row["member"] for row in document["near_limits"]] == ["bernard"]
    assert [row["member"] for row in document["inactive"]["members"]] == ["denis"]
    assert [row["decision"] for row in document["decisions"]] == ["D-2026-001", "D-2026-002"]


# ---------------------------------------------------------------- periods

@pytest.mark.parametrize("text, start, end", [
    ("2026", date(2026, 1, 1), date(2027, 1, 1)),
    ("2026Q1", date(2026, 1, 1), date(2026, 4, 1)),
    ("2026q4", date(2026, 10, 1), date(2027, 1, 1)),
    ("2026-02", date(2026, 2, 1), date(2026, 3, 1)),
    ("2026-12", date(2026, 12, 1), date(2027, 1, 1)),
    ("2026-03-10", date(2026, 3, 10), date(2026, 3, 11)),
])
def test_periods_read_as_hledger_reads_them(text, start, end):
    period = reports.parse_period(text)
    assert (period.start, period.end) == (start, end)


def test_begin_and_end_name_the_first_day_of_what_they_write():
    period = reports.period_between("2026-01", "2026-04")
    assert (period.start, period.end, period.last_day) == (date(2026, 1, 1), date(2026, 4, 1), date(2026, 3, 31))
    assert reports.add_months(date(2026, 3, 31), -1) == date(2026, 2, 28)


def test_the_same_quarter_three_ways(books):
    quarter = report_json(books, "-p", PERIOD)
    assert report_json(books, "-b", "2026-01-01", "-e", "2026-04-01")["totals"] == quarter["totals"]
    assert report_json(books, "-b", "2026", "-e", "2026Q2")["rows"] == quarter["rows"]


@pytest.mark.parametrize("args, complaint", [
    (("-p", "2026-13"), "--period must be a period as hledger writes it"),
    (("-p", "Q1"), "--period must be a period"),
    (("-p", PERIOD, "-b", "2026-01-01"), "either --period or --begin/--end"),
    (("-b", "2026-04-01", "-e", "2026-01-01"), "the period is empty"),
])
def test_a_period_that_cannot_be_read_is_a_usage_error(books, args, complaint):
    done = books.run("report", *args)
    assert done.returncode == 2 and complaint in done.stderr and len(done.stderr.splitlines()) == 1


def test_without_a_period_the_report_covers_every_entry(books):
    document = report_json(books)
    assert document["period"]["begin"] is None
    assert [row["month"] for row in document["rows"]][0::10] == ["2025-06", "2026-04"]
    assert document["totals"]["exchanges"] == 10


# ---------------------------------------------------------------- every figure is hledger's

def hledger(root: Path, *args: str) -> str:
    return subprocess.run(["hledger", *journal_args(root), *args], capture_output=True, text=True, check=True).stdout


def amount(text: str) -> Decimal:
    text = text.strip()
    return Decimal(0) if text in ("", "0") else Decimal(text.split()[0])


def hledger_rows(root: Path, *query: str) -> dict[str, list[Decimal]]:
    """`hledger bal -O csv` as {row name: amounts}, the `total` row included."""
    rows = list(csv.reader(io.StringIO(hledger(root, "bal", "--flat", "-O", "csv", *query))))[1:]
    return {row[0]: [amount(cell) for cell in row[1:]] for row in rows}


EARNING = (("amt:>0", "not:tag:kind=reversal"), ("amt:<0", "tag:kind=reversal"))
PAYING = (("amt:<0", "not:tag:kind=reversal"), ("amt:>0", "tag:kind=reversal"))


def earned_per_row(root: Path, *query: str, side=EARNING) -> dict[str, Decimal]:
    """The hours on the earning side, per row of `hledger bal`: exchanges' positive postings plus reversals' negative ones."""
    found: dict[str, Decimal] = {}
    for side_query in side:
        for name, amounts in hledger_rows(root, *query, *side_query).items():
            found[name] = found.get(name, Decimal(0)) + amounts[0]
    return found


def test_hours_exchanged_are_hledgers(books):
    totals = report_json(books, "-p", PERIOD)["totals"]
    assert Decimal(totals["hours"]) == earned_per_row(books.root, "-p", PERIOD)["total"]
    by_kind = hledger_rows(books.root, "-p", PERIOD, "amt:>0", "--pivot", "kind")
    assert Decimal(totals["hours"]) == by_kind["exchange"][0] - by_kind["reversal"][0]
    assert Decimal(totals["hours_reversed"]) == by_kind["reversal"][0]


def test_hours_per_month_are_hledgers_monthly_columns(books):
    rows = report_json(books, "-p", PERIOD)["rows"]
    columns = [hledger_rows(books.root, "-M", "-p", PERIOD, *side)["total"] for side in EARNING]
    assert [Decimal(row["hours"]) for row in rows] == [a + b for a, b in zip(*columns)]
    assert len(rows) == len(columns[0]) == 3


def test_hours_per_category_are_hledgers_pivot_and_tag_queries(books):
    rows = report_json(books, "-p", PERIOD, "--by", "cat")["rows"]
    pivot = earned_per_row(books.root, "-p", PERIOD, "--pivot", "cat")
    assert {row["category"] or "": Decimal(row["hours"]) for row in rows} == {k: v for k, v in pivot.items() if k != "total"}
    for row in rows:
        if row["category"]:
            assert Decimal(row["hours"]) == earned_per_row(books.root, "-p", PERIOD, f"tag:cat=^{row['category']}$")["total"]
    assert {row["category"]: row["hours"] for row in rows}["réparation"] == "0.00"  # entered and reversed in the quarter


def test_each_members_earnings_payments_and_balance_are_hledgers(books):
    rows = report_json(books, "-p", PERIOD, "--by", "member")["rows"]
    earned = earned_per_row(books.root, "-p", PERIOD)
    paid = earned_per_row(books.root, "-p", PERIOD, side=PAYING)
    change = {name: amounts[0] for name, amounts in hledger_rows(books.root, "-p", PERIOD).items()}
    closing = {name: amounts[0] for name, amounts in hledger_rows(books.root, "-e", "2026-04-01").items()}
    for row in rows:
        account = row["account"]
        assert Decimal(row["earned"]) == earned.get(account, 0), account
        assert Decimal(row["paid"]) == -paid.get(account, 0), account
        assert Decimal(row["change"]) == change.get(account, 0), account
        assert Decimal(row["balance"]) == closing.get(account, 0), account


def test_counts_are_hledgers(books):
    totals = report_json(books, "-p", PERIOD)["totals"]
    earning_postings = hledger(books.root, "reg", "-p", PERIOD, "not:tag:kind=reversal", "amt:>0", "-O", "csv").splitlines()[1:]
    assert totals["exchanges"] == len(earning_postings)  # one earning posting per exchange
    accounts = hledger(books.root, "accounts", "-p", PERIOD, "not:tag:kind=reversal", "^members:").split()
    assert totals["active_members"] == len(accounts)


def test_what_the_coop_paid_is_hledgers(books):
    coop_paid = Decimal(report_json(books, "-p", PERIOD)["totals"]["coop_paid"])
    assert coop_paid == -earned_per_row(books.root, "-p", PERIOD, "^coop$", side=PAYING)["total"]
    assert coop_paid == -hledger_rows(books.root, "-p", PERIOD, "^coop$")["total"][0]  # the coop only pays here


def test_hours_per_working_group_are_hledgers_on_its_members_accounts(books):
    rows = report_json(books, "-p", PERIOD, "--by", "group")["rows"]
    assert {row["group"]: row["hours"] for row in rows} == {"jardin partagé": "26.25", "atelier vélo": "2.00"}
    assert Decimal(rows[0]["hours"]) == earned_per_row(books.root, "-p", PERIOD, "^members:(agnes|claire)$")["total"]
    assert Decimal(rows[1]["hours"]) == earned_per_row(books.root, "-p", PERIOD, "^members:bernard$")["total"]


def test_members_close_to_their_limits_and_silent_ones_are_hledgers(books):
    document = report_json(books, "-p", PERIOD)
    closing = {name: amounts[0] for name, amounts in hledger_rows(books.root, "-e", "2026-04-01", "^members:").items()}
    assert [row["member"] for row in document["near_limits"]] == [
        name.split(":")[1] for name, balance in closing.items() if name != "total" and balance <= Decimal("-16")
    ]
    recent = hledger(books.root, "accounts", "-b", "2025-09-30", "-e", "2026-04-01", "not:tag:kind=reversal", "^members:").split()
    assert recent == ["members:agnes", "members:bernard", "members:claire"]
    assert document["inactive"]["members"] == [{"member": "denis", "name": "Dénis", "since": "2020-03-10", "last_exchange": "2025-06-15"}]


def test_every_balance_bar_is_on_one_scale():
    from coop_cli.cli.report import balance_bar, bar_scale, sparkline

    scale = bar_scale([Decimal(-5), Decimal(15)])
    assert balance_bar(Decimal(-5), scale) == "█████│" + " " * 15
    assert balance_bar(Decimal(15), scale) == "     │" + "█" * 15
    assert balance_bar(Decimal("0.25"), scale).strip() == "│▌"
    assert sparkline([Decimal(0), Decimal(1), Decimal(8)]) == "▁▂█"


# ---------------------------------------------------------------- the pages, as Chromium renders them

CHROMIUM = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync")


def chromium(page: Path, profile: Path, *args: str) -> str:
    """Run Debian's chromium on a page; the tests need it (CI installs it), so its absence fails rather than skips."""
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    if binary is None:
        pytest.fail("chromium is not installed: apt-get install chromium (.ci/run does)")
    done = subprocess.run([binary, *CHROMIUM, f"--user-data-dir={profile}", *args, page.as_uri()], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


class Elements(HTMLParser):
    """Every element of a page with its attributes, its text and the ids of the elements it is inside."""

    VOID = ("meta", "link", "br", "img", "input")

    def __init__(self, page: str):
        super().__init__()
        self.found: list[dict] = []
        self.open: list[dict] = []
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        within = {e["id"] for e in self.open if e.get("id")}
        element = {"tag": tag, **{k: v or "" for k, v in attrs}, "text": "", "within": within}
        self.found.append(element)
        if tag not in self.VOID:
            self.open.append(element)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in self.VOID:
            self.open.pop()

    def handle_endtag(self, tag):
        while self.open and self.open.pop()["tag"] != tag:
            pass

    def handle_data(self, data):
        for element in self.open:
            element["text"] += data

    def by_id(self, key: str) -> dict:
        matches = [e for e in self.found if e.get("id") == key]
        assert len(matches) == 1, key
        return matches[0]

    def all(self, tag: str, within: str | None = None, **attrs: str) -> list[dict]:
        """Elements by tag, inside the element with id `within`, with these attributes (class_ for class)."""
        return [
            e for e in self.found
            if e["tag"] == tag and (within is None or within in e["within"]) and all(e.get(k.rstrip("_")) == v for k, v in attrs.items())
        ]


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def pdf_pages(path: Path) -> list[tuple[float, float]]:
    """Each page's size in points, from the one /MediaBox Chromium writes in each page object."""
    data = path.read_bytes().decode("latin-1")
    boxes = [tuple(float(n) for n in box.split()[2:4]) for box in re.findall(r"/MediaBox\s*\[([^\]]*)\]", data)]
    assert len(boxes) == len(re.findall(r"/Type\s*/Page\b", data))
    return boxes


def test_chromium_reads_the_report_page(books, tmp_path):
    started = time.monotonic()
    coop(books, "report", "-p", PERIOD, "--html", str(tmp_path / "site"))
    page = tmp_path / "site" / "index.html"
    dom = Elements(chromium(page, tmp_path / "profile", "--dump-dom"))
    totals = report_json(books, "-p", PERIOD)["totals"]
    for key, figure in [("hours", "hours"), ("exchanges", "exchanges"), ("active-members", "active_members"), ("coop-paid", "coop_paid")]:
        assert dom.by_id(f"figure-{key}")["text"].endswith(str(totals[figure])), key
    for chart in ("balances-chart", "months-chart", "categories-chart", "limits-chart", "groups-chart"):
        assert dom.by_id(chart)["tag"] == "svg", chart
    balances = {g["data-member"]: g["data-balance"] for g in dom.all("g", "balances-chart", class_="row")}
    assert balances == {"agnes": "16.75", "bernard": "-18.50", "claire": "7.25", "denis": "-1.50"}
    assert [g["data-hours"] for g in dom.all("g", class_="month")] == ["3.25", "7.00", "18.00"]
    assert [g["data-member"] for g in dom.all("g", "limits-chart")] == ["bernard"]
    decisions = dom.by_id("decisions-table")["text"]
    assert "D-2026-001" in decisions and "<script>alert(1)</script>" in decisions and "D-2025-001" not in decisions
    assert dom.all("script") == []  # the decision's text is shown, never run
    shot = tmp_path / "report.png"
    chromium(page, tmp_path / "profile", f"--screenshot={shot}", "--window-size=1240,1754")
    assert png_size(shot) == (1240, 1754) and shot.stat().st_size > 20_000
    printed = tmp_path / "report.pdf"
    chromium(page, tmp_path / "profile", "--no-pdf-header-footer", f"--print-to-pdf={printed}")
    assert all(_is_a4(box) for box in pdf_pages(printed))
    print(f"chromium: report page read, shot and printed in {time.monotonic() - started:.1f}s")


def test_chromium_reads_the_statement_on_one_a4_page(books, tmp_path):
    started = time.monotonic()
    page = tmp_path / "bernard.html"
    coop(books, "statement", "bernard", "--html", str(page))
    dom = Elements(chromium(page, tmp_path / "profile", "--dump-dom"))
    assert dom.by_id("figure-closing")["text"].endswith("-18.50")
    assert dom.by_id("balance-chart")["tag"] == "svg"
    assert dom.all("path", class_="balance-line")[0]["data-closing"] == "-18.50"
    rows = dom.all("tr", "statement-table")[1:]
    assert len(rows) == 6 and "Réparation <vélo> & co" in dom.by_id("statement-table")["text"]
    printed = tmp_path / "bernard.pdf"
    chromium(page, tmp_path / "profile", "--no-pdf-header-footer", f"--print-to-pdf={printed}")
    boxes = pdf_pages(printed)
    assert len(boxes) == 1 and _is_a4(boxes[0])
    print(f"chromium: statement read and printed in {time.monotonic() - started:.1f}s")


def _is_a4(size: tuple[float, float]) -> bool:
    return abs(size[0] - 595.3) < 1 and abs(size[1] - 841.9) < 1


def test_a_table_sent_to_a_file_is_never_cut_short(coop_repo):
    """A volunteer who prints `coop statement M > file` gets whole dates and descriptions, whatever the terminal's width."""
    description = "Réparation du vélo, de la remorque et des deux paniers de la cuisine commune du quartier"
    assert coop_repo.run("record", "bernard", "agnes", "1", description, "--date", "2026-03-10").returncode == 0
    env = {k: v for k, v in cli_env().items() if k != "COLUMNS"}
    for args in (("statement", "agnes"), ("log",)):
        shown = run_coop("-C", str(coop_repo.root), *args, env=env)
        assert shown.returncode == 0, shown.stderr
        assert description in shown.stdout and "2026-03-10" in shown.stdout and "…" not in shown.stdout
