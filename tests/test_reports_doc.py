"""docs/reports.md, run as written: every hledger command of the page gives coop's figure, on every kind of period.

The periods start and end mid-month, are quarters, a year, a month, a day, open on either side, or written in a way
hledger 1.25 refuses (`-b 2026Q1`), which the page translates. The page's commands use the shell variables it
defines: J, set by the page's own `J=` line run as written; P, the period as exact dates, taken from coop's JSON
`period` (and the page's table of periods is checked against it); M, each month of the period; S and E, from the
day coop judges inactivity on. Each command runs as written with bash in the coop's folder, and its output is read
as hledger prints it. A command is a line of a ```sh block, or a code span of a table row, starting with `hledger `
(prose spans are explanations, not commands). A command of the page that no check below reads fails the test, and so
does a check whose command the page no longer holds. The page's first block is run as written too (with `coop` the
code under test); its screenshot recipe is not, since it rewrites docs/*.png.
"""

from __future__ import annotations

import functools
import json
import re
import shlex
import subprocess
import sys
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from coop_cli import reports
from conftest import CoopFixture, cli_env, make_coop

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "reports.md"
FENCE = re.compile(r"^```(\S*)[^\n]*\n(.*?)^```[ \t]*$", re.M | re.S)
TOTAL = "<total>"
ZERO = Decimal(0)

SLIPS = """date,payer,earner,hours,description,cat
2025-06-15,denis,agnes,1.5,Ourlets pour Dénis,couture
2025-12-20,claire,agnes,1,Jardinage d'hiver,jardinage
2026-01-10,bernard,agnes,2,Jardinage chez Bernard,jardinage
2026-01-16,claire,bernard,1h15,Réparation du vélo,réparation
2026-01-17,agnes,claire,0.5,Couture rapide,couture
2026-01-20,claire,bernard,1.25,Réparation de la remorque,réparation
2026-02-05,agnes,claire,3,Cours de couture,couture
2026-02-10,bernard,claire,2.5,Jardinage chez Bernard,jardinage
2026-03-03,bernard,claire,1.5,Soutien scolaire,soutien-scolaire
2026-03-12,bernard,agnes,15,Déménagement de Bernard,bricolage
2026-03-13,claire,agnes,1,Jardinage,jardinage
2026-03-20,agnes,claire,0.75,Petit service,
2026-04-02,claire,agnes,1,Jardinage chez Claire,jardinage
2026-05-09,agnes,bernard,2,Vélo,réparation
"""
GROUPS = """groups:
  - name: jardin partagé
    decision: D-2026-001
    members: [agnes, claire]
  - name: atelier vélo
    decision: D-2026-001
    members: [bernard]
"""
PERIODS = {
    "quarter": ("-p", "2026Q1"),
    "year": ("-p", "2026"),
    "month": ("-p", "2026-03"),
    "day": ("-p", "2026-03-12"),
    "mid-month": ("-b", "2026-01-17", "-e", "2026-03-13"),
    "quarters-as-begin-and-end": ("-b", "2026Q1", "-e", "2026Q2"),
    "open-end": ("-b", "2026-02-10"),
    "open-start": ("-e", "2026-03-05"),
    "everything": (),
}


# ---------------------------------------------------------------- the books, and running things on them

@pytest.fixture(scope="module")
def books(tmp_path_factory) -> CoopFixture:
    """Four members, exchanges from June 2025 to May 2026 on mid-month days, a meeting whose credits the coop pays,
    three reversals (in the same month, across months, and of a meeting credit, which the coop takes back), and two
    working groups; denis has not exchanged since June 2025."""
    folder = tmp_path_factory.mktemp("reports-doc")
    fixture = make_coop(folder, (("agnes", "Agnès", ("treasurer",)), ("bernard", "Bernard", ()), ("claire", "Claire", ())))
    coop(fixture, "member", "add", "denis", "--name", "Dénis", "--since", "2020-03-10")
    slips = folder / "slips.csv"
    slips.write_text(SLIPS, encoding="utf-8")
    recorded = coop(fixture, "record", "--batch", str(slips))
    ids = {line.split("  ")[-1]: line.split()[0] for line in recorded.splitlines() if line[:2] == "01"}
    slug = "2026-02-14-assemblee-generale"
    coop(fixture, "meeting", "new", "Assemblée générale", "--date", "2026-02-14", "--duration", "2")
    coop(fixture, "meeting", "attend", slug, "agnes", "bernard", "claire")
    coop(fixture, "meeting", "close", slug)
    credit = json.loads(coop(fixture, "statement", "bernard", "--format", "json"))
    credit = next(row["id"] for row in credit if row["kind"] == "meeting")
    coop(fixture, "revert", ids["Réparation du vélo"], "--reason", "Saisi deux fois", "--date", "2026-03-25")
    coop(fixture, "revert", ids["Couture rapide"], "--reason", "Erreur de sens", "--date", "2026-01-30")
    coop(fixture, "revert", credit, "--reason", "Parti avant le début", "--date", "2026-03-02")
    with open(fixture.root / "members.yaml", "a", encoding="utf-8") as register:
        register.write(GROUPS)
    for args in (("add", "-A"), ("commit", "-qm", "working groups, written by hand")):
        subprocess.run(["git", "-c", "user.name=x", "-c", "user.email=x@x", *args], cwd=fixture.root, check=True)
    return fixture


def coop(books: CoopFixture, *args: str) -> str:
    done = books.run(*args)
    assert done.returncode == 0, f"coop {' '.join(args)}: {done.stderr}"
    return done.stdout


@functools.lru_cache(maxsize=None)
def _json(root: Path, args: tuple[str, ...]) -> object:
    done = CoopFixture(root).run(*args, "--format", "json", as_=None)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def report(books: CoopFixture, period: tuple[str, ...], by: str = "month") -> dict:
    return _json(books.root, ("report", *period, "--by", by))


def setup_line() -> str:
    """The page's `J=` line, exactly as written."""
    lines = [line for _lang, block in doc_blocks() for line in block.splitlines() if line.startswith("J=")]
    assert len(lines) == 1, "docs/reports.md defines J once"
    return lines[0]


def sh(books: CoopFixture, command: str, **variables: str) -> str:
    """A command of the page, as written, after the page's `J=` line and the variables a period gives."""
    script = "set -o pipefail\n" + setup_line() + "\n" + "".join(f"{k}={shlex.quote(v)}\n" for k, v in variables.items()) + command + "\n"
    done = subprocess.run(["bash", "-c", script], cwd=books.root, capture_output=True, text=True, env=cli_env(COLUMNS="200"))
    assert done.returncode == 0, f"{command}: {done.stderr}"
    return done.stdout


# ---------------------------------------------------------------- reading hledger's output as it prints it

def hours(text: str) -> Decimal:
    text = text.strip()
    return ZERO if text in ("", "0") else Decimal(text.split()[0])


def amounts(text: str) -> list[Decimal]:
    """`1.00 H  3.00 H    0` is three amounts: the unit follows its number."""
    return [Decimal(token) for token in text.split() if token != "H"]


def flat(output: str) -> dict[str, Decimal]:
    """`hledger bal` in one column: {row name: hours}, the total under TOTAL; an empty name is a row too (`--pivot`)."""
    rows: dict[str, Decimal] = {}
    lines = output.splitlines()
    for index, line in enumerate(lines):
        if line.startswith("-----"):
            rows[TOTAL] = hours(lines[index + 1]) if index + 1 < len(lines) else ZERO
            break
        found = re.fullmatch(r"\s*(-?[0-9]+(?:\.[0-9]+)? H|0)(?:  (.*))?", line)
        assert found, f"not a row of hledger bal: {line!r}"
        rows[(found[2] or "").strip()] = hours(found[1])
    return rows


def monthly(output: str, months: int) -> dict[str, list[Decimal]]:
    """`hledger bal -M`: {row name: one amount per month}, the total row under TOTAL. When no posting matches, hledger
    prints no month at all or a blank total row, whatever -b and -e say: that is zero in each of the report's `months`."""
    lines = [line for line in output.splitlines() if "||" in line or "++" in line]
    if not lines[0].split("||")[1].split():
        return {TOTAL: [ZERO] * months}
    rows: dict[str, list[Decimal]] = {}
    assert len(lines[0].split("||")[1].split()) == months, lines[0]
    after_rule = False
    for line in lines[1:]:
        if "++" in line:
            after_rule = line.startswith("-")
            continue
        name, values = line.split("||")
        found = amounts(values) or [ZERO] * months  # a blank total row: nothing matched
        assert len(found) == months, line
        rows[TOTAL if after_rule else name.strip()] = found
    return rows


def count(output: str) -> int:
    return int(output.strip())


def register_rows(output: str) -> list[tuple[str, Decimal, Decimal]]:
    """`hledger reg`: (date, amount, running total) per line, read from the right where the amounts are."""
    rows = []
    for line in output.splitlines():
        tokens = line.split()
        figures = []
        for _ in range(2):
            figures.insert(0, hours(tokens.pop() if tokens[-1] == "0" else f"{tokens.pop(-2)} {tokens.pop()}"))
        rows.append((tokens[0], *figures))
    return rows


# ---------------------------------------------------------------- what each command of the page is checked against

CHECKS: dict[tuple[str, ...], object] = {}


def check(*commands: str, per_period: bool = True):
    """Register the page's commands that one figure of coop is compared with."""
    def register(function):
        function.per_period = per_period
        CHECKS[commands] = function
        return function
    return register


class Period:
    """One period as coop reads it and as the page tells hledger: P, the months of the report, S and E."""

    def __init__(self, books: CoopFixture, args: tuple[str, ...]):
        self.args = args
        self.report = report(books, args)
        begin, end = self.report["period"]["begin"], self.report["period"]["end"]
        self.P = " ".join([*(["-b", begin] if begin else []), *(["-e", end] if end else [])])
        self.first = date.fromisoformat(begin) if begin else None
        self.last = date.fromisoformat(end) - timedelta(days=1) if end else None
        judged = date.fromisoformat(self.report["inactive"]["on"])
        self.S, self.E = str(reports.add_months(judged, -reports.INACTIVE_MONTHS)), str(judged + timedelta(days=1))


@check("hledger $J bal $P amt:'>0' --pivot kind")
def hours_exchanged(books, period, outputs):
    kinds = flat(outputs[0])
    totals = period.report["totals"]
    assert Decimal(totals["hours"]) == kinds.get("exchange", ZERO) + kinds.get("meeting", ZERO) - kinds.get("reversal", ZERO)
    assert Decimal(totals["hours_reversed"]) == kinds.get("reversal", ZERO)


@check("hledger $J reg $P not:tag:kind=reversal amt:'>0' | wc -l")
def exchanges(books, period, outputs):
    assert period.report["totals"]["exchanges"] == count(outputs[0])


@check("hledger $J reg $P tag:kind=reversal amt:'>0' | wc -l")
def reversals(books, period, outputs):
    assert period.report["totals"]["reversals"] == count(outputs[0])


@check("hledger $J accounts $P not:tag:kind=reversal '^members:' | wc -l")
def active_members(books, period, outputs):
    assert period.report["totals"]["active_members"] == count(outputs[0])


@check("hledger $J bal $P '^coop$' amt:'<0' not:tag:kind=reversal", "hledger $J bal $P '^coop$' amt:'>0' tag:kind=reversal")
def paid_by_the_coop(books, period, outputs):
    paid, taken_back = (flat(output)[TOTAL] for output in outputs)
    assert Decimal(period.report["totals"]["coop_paid"]) == -paid - taken_back


@check("hledger $J print $P | hledger -f - bal -M $P amt:'>0' --pivot kind")
def hours_per_month(books, period, outputs):
    kinds = monthly(outputs[0], len(period.report["rows"]))
    columns = zip(*(kinds.get(kind, [ZERO] * len(kinds[TOTAL])) for kind in ("exchange", "meeting", "reversal")))
    assert [Decimal(row["hours"]) for row in period.report["rows"]] == [a + b - c for a, b, c in columns]


@check("hledger $J print $P | hledger -f - activity -M $P not:tag:kind=reversal amt:'>0'")
def exchanges_per_month(books, period, outputs):
    assert [row["exchanges"] for row in period.report["rows"]] == [line.count("*") for line in outputs[0].splitlines()]


@check("hledger $J print $P | hledger -f - accounts -p $M not:tag:kind=reversal '^members:' | wc -l")
def active_members_per_month(books, period, outputs):
    assert [row["active_members"] for row in period.report["rows"]] == [count(output) for output in outputs]


@check("hledger $J print $P | hledger -f - bal -M $P '^coop$' amt:'<0' not:tag:kind=reversal",
       "hledger $J print $P | hledger -f - bal -M $P '^coop$' amt:'>0' tag:kind=reversal")
def paid_by_the_coop_per_month(books, period, outputs):
    paid, taken_back = (monthly(output, len(period.report["rows"]))[TOTAL] for output in outputs)
    assert [Decimal(row["coop_paid"]) for row in period.report["rows"]] == [-a - b for a, b in zip(paid, taken_back)]


@check("hledger $J bal $P amt:'>0' not:tag:kind=reversal --pivot cat", "hledger $J bal $P amt:'<0' tag:kind=reversal --pivot cat")
def hours_per_category(books, period, outputs):
    earned, reversed_ = (flat(output) for output in outputs)
    rows = report(books, period.args, "cat")["rows"]
    hledgers = {cat: earned.get(cat, ZERO) + reversed_.get(cat, ZERO) for cat in (earned.keys() | reversed_.keys()) - {TOTAL}}
    assert {row["category"] or "": Decimal(row["hours"]) for row in rows} == hledgers


@check("hledger $J bal $P amt:'>0' tag:cat='^jardinage$' --pivot kind")
def hours_of_one_category(books, period, outputs):
    kinds = flat(outputs[0])
    rows = {row["category"]: Decimal(row["hours"]) for row in report(books, period.args, "cat")["rows"]}
    assert rows.get("jardinage", ZERO) == kinds.get("exchange", ZERO) + kinds.get("meeting", ZERO) - kinds.get("reversal", ZERO)


def agnes(books, period) -> dict:
    return next(row for row in report(books, period.args, "member")["rows"] if row["member"] == "agnes")


@check("hledger $J bal $P '^members:agnes$' amt:'>0' not:tag:kind=reversal", "hledger $J bal $P '^members:agnes$' amt:'<0' tag:kind=reversal")
def earned_by_a_member(books, period, outputs):
    assert Decimal(agnes(books, period)["earned"]) == sum((flat(output)[TOTAL] for output in outputs), ZERO)


@check("hledger $J bal $P '^members:agnes$' amt:'<0' not:tag:kind=reversal", "hledger $J bal $P '^members:agnes$' amt:'>0' tag:kind=reversal")
def paid_by_a_member(books, period, outputs):
    assert Decimal(agnes(books, period)["paid"]) == -sum((flat(output)[TOTAL] for output in outputs), ZERO)


@check("hledger $J bal $P '^members:agnes$'")
def change_of_a_member(books, period, outputs):
    assert Decimal(agnes(books, period)["change"]) == flat(outputs[0])[TOTAL]


@check("hledger $J bal $P -H '^members:agnes$'")
def closing_balance_of_a_member(books, period, outputs):
    assert Decimal(agnes(books, period)["balance"]) == flat(outputs[0])[TOTAL]


@check("hledger $J reg $P not:tag:kind=reversal '^members:agnes$' | wc -l")
def exchanges_of_a_member(books, period, outputs):
    assert agnes(books, period)["exchanges"] == count(outputs[0])


@check("hledger $J bal $P amt:'>0' not:tag:kind=reversal '^members:(agnes|claire)$'",
       "hledger $J bal $P amt:'<0' tag:kind=reversal '^members:(agnes|claire)$'",
       "hledger $J reg $P amt:'>0' not:tag:kind=reversal '^members:(agnes|claire)$' | wc -l")
def a_working_group(books, period, outputs):
    group = next(row for row in report(books, period.args, "group")["rows"] if row["group"] == "jardin partagé")
    assert Decimal(group["hours"]) == flat(outputs[0])[TOTAL] + flat(outputs[1])[TOTAL]
    assert group["exchanges"] == count(outputs[2])


@check("hledger $J bal $P -H '^members:'")
def members_close_to_their_limits(books, period, outputs):
    balances = {name.split(":")[1]: balance for name, balance in flat(outputs[0]).items() if name != TOTAL}
    charter = books.coop.charter()
    near = sorted((b, m) for m, b in balances.items()
                  if b <= charter.min_balance * reports.NEAR_LIMIT or b >= charter.max_balance * reports.NEAR_LIMIT)
    assert [row["member"] for row in period.report["near_limits"]] == [m for _b, m in near]


@check("hledger $J accounts -b $S -e $E not:tag:kind=reversal '^members:'")
def members_without_an_exchange(books, period, outputs):
    recent = {name.split(":")[1] for name in outputs[0].split()}
    joined = {m.id for m in books.coop.register().members if m.active and str(m.since) <= period.S}
    assert {row["member"] for row in period.report["inactive"]["members"]} == joined - recent


@check("hledger $J reg '^members:denis$' not:tag:kind=reversal -e $E | tail -1")
def their_last_exchange(books, period, outputs):
    denis = next(row for row in period.report["inactive"]["members"] if row["member"] == "denis")
    assert denis["last_exchange"] == outputs[0].split()[0]


@check("hledger $J reg '^members:claire$' $P -H")
def a_statement_over_the_period(books, period, outputs):
    args = [*(["--from", str(period.first)] if period.first else []), *(["--to", str(period.last)] if period.last else [])]
    rows = _json(books.root, ("statement", "claire", *args))
    opening, rows = Decimal(rows[0]["balance"]), rows[1:]
    hledgers = register_rows(outputs[0])
    assert [(row["date"], Decimal(row["amount"]), Decimal(row["balance"])) for row in rows] == hledgers
    if hledgers:
        assert opening == hledgers[0][2] - hledgers[0][1]


@check("hledger $J bal", per_period=False)
def every_balance(books, period, outputs):
    table = {row["account"]: Decimal(row["balance"]) for row in _json(books.root, ("balance",))}
    assert {a: b for a, b in table.items() if b} == {a: b for a, b in flat(outputs[0]).items() if a != TOTAL}


@check("hledger $J bal -e 2026-03-17", per_period=False)
def every_balance_on_a_day(books, period, outputs):
    table = {row["account"]: Decimal(row["balance"]) for row in _json(books.root, ("balance", "--date", "2026-03-16"))}
    assert {a: b for a, b in table.items() if b} == {a: b for a, b in flat(outputs[0]).items() if a != TOTAL}


@check("hledger $J reg '^members:claire$'", per_period=False)
def a_whole_statement(books, period, outputs):
    rows = _json(books.root, ("statement", "claire"))[1:]
    assert [(row["date"], Decimal(row["amount"]), Decimal(row["balance"])) for row in rows] == register_rows(outputs[0])


# ---------------------------------------------------------------- the page itself

def doc_blocks() -> list[tuple[str, str]]:
    return FENCE.findall(DOC.read_text(encoding="utf-8"))


def doc_commands() -> list[str]:
    """Every hledger command of the page: sh lines (their comments left to bash) and code spans of table rows."""
    text = DOC.read_text(encoding="utf-8")
    commands = [line for lang, block in doc_blocks() if lang == "sh" for line in block.splitlines() if line.startswith("hledger ")]
    for line in text.splitlines():
        if line.startswith("|"):
            commands += [span.replace("\\|", "|") for span in re.findall(r"`(hledger [^`]*)`", line)]
    return commands


def without_comment(command: str) -> str:
    return re.sub(r"\s+#.*$", "", command)


def test_every_command_of_the_page_is_checked_and_every_check_is_on_the_page():
    on_the_page = {without_comment(command) for command in doc_commands()}
    checked = {command for commands in CHECKS for command in commands}
    assert on_the_page - checked == set(), "commands of docs/reports.md that no check reads"
    assert checked - on_the_page == set(), "checks whose command docs/reports.md no longer holds"


def test_the_pages_table_of_periods_is_what_coop_reads(books):
    table = re.findall(r"^\| (?:`([^`]*)`|\(none\)) \| `P=\"([^\"]*)\"` \|$", DOC.read_text(encoding="utf-8"), re.M)
    assert len(table) >= 8
    for coop_args, hledger_period in table:
        assert Period(books, tuple(shlex.split(coop_args))).P == hledger_period, coop_args
    assert {args for args, _p in table} >= {" ".join(args) for args in PERIODS.values()}


def test_the_pages_first_block_runs_as_written(books, tmp_path):
    """`coop` there is the code under test; the block writes its pages into the coop's folder."""
    first = next(block for lang, block in doc_blocks() if lang == "sh")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "coop").write_text(f'#!/bin/sh\nPYTHONPATH={shlex.quote(str(ROOT))} exec {shlex.quote(sys.executable)} -m coop_cli "$@"\n')
    (bin_dir / "coop").chmod(0o755)
    env = cli_env(PATH=f"{bin_dir}:{cli_env()['PATH']}")
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", first], cwd=books.root, capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    assert (books.root / "site" / "index.html").is_file() and (books.root / "claire.html").is_file()
    assert "réparation" in done.stdout and "Agnès" not in done.stderr


PER_PERIOD = [(name, commands) for commands, function in CHECKS.items() if function.per_period for name in PERIODS]


@pytest.mark.parametrize("name, commands", PER_PERIOD, ids=[f"{n}:{CHECKS[c].__name__}" for n, c in PER_PERIOD])
def test_each_figure_of_the_page_on_each_period(books, name, commands):
    period = Period(books, PERIODS[name])
    variables = {"P": period.P, "S": period.S, "E": period.E}
    if any("$M" in command for command in commands):
        outputs = [sh(books, commands[0], **variables, M=row["month"]) for row in period.report["rows"]]
    else:
        outputs = [sh(books, command, **variables) for command in commands]
    CHECKS[commands](books, period, outputs)


@pytest.mark.parametrize("commands", [c for c, f in CHECKS.items() if not f.per_period], ids=lambda c: CHECKS[c].__name__)
def test_each_balance_and_statement_of_the_page(books, commands):
    CHECKS[commands](books, None, [sh(books, command) for command in commands])


def test_the_periods_cover_mid_month_edges_and_every_report_month_is_inside(books):
    """The mid-month period must really cut months: its first and last month hold entries outside it."""
    period = Period(books, PERIODS["mid-month"])
    assert (period.first.day, period.last.day) == (17, 12)
    widened = sh(books, "hledger $J bal -M $P amt:'>0'", P=period.P)
    assert monthly(widened, len(period.report["rows"]))[TOTAL] != [Decimal(row["hours"]) for row in period.report["rows"]]  # what -M alone gets wrong
