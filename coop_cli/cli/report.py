"""`coop report`: what happened in a period, as tables with pictures, CSV, JSON, or a printable page with charts.

The figures come from `reports.report`; this module only renders them, and draws the terminal's bars and sparklines.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from enum import Enum
from pathlib import Path

import typer

from coop_cli import i18n, reports
from coop_cli.cli.options import FORMAT, Format, state
from coop_cli.cli.output import Column, emit, json_value
from coop_cli.errors import BadInput, CoopError
from coop_cli.i18n import N_, _


class By(str, Enum):
    month = "month"
    cat = "cat"
    member = "member"
    group = "group"


def register(app: typer.Typer) -> None:
    app.command("report", help=_(
        "What happened in a period: hours exchanged, exchanges, active members, hours per category and working group, "
        "what the coop account paid, members close to their limits or without an exchange for six months, and the "
        "decisions taken. Periods as hledger writes them (2026, 2026Q1, 2026-03); every figure matches an hledger "
        "command (docs/reports.md). --html DIR writes DIR/index.html, a page with charts that prints on A4.\n\n"
        "Example: coop report -p 2026Q1 --by cat"
    ))(report)


def report(
    ctx: typer.Context,
    period: str = typer.Option(None, "-p", "--period", metavar="PERIOD", help=N_("A year, quarter, month or day: 2026, 2026Q1, 2026-03, 2026-03-10.")),
    begin: str = typer.Option(None, "-b", "--begin", metavar="DATE", help=N_("First day, included (as hledger's -b).")),
    end: str = typer.Option(None, "-e", "--end", metavar="DATE", help=N_("Day after the last, excluded (as hledger's -e).")),
    by: By = typer.Option(By.month, "--by", help=N_("Rows of the table and CSV: per month, category, member or working group.")),
    fmt: Format = FORMAT,
    html_dir: Path = typer.Option(None, "--html", metavar="DIR", help=N_("Write DIR/index.html, a static page with charts, instead of printing.")),
) -> None:
    if period and (begin or end):
        raise BadInput(_("give either --period or --begin/--end, not both"))
    chosen = reports.parse_period(period) if period else reports.period_between(begin, end)
    coop = state(ctx).coop()
    charter = coop.charter()
    result = reports.report(coop.readable_entries(), coop.register(), charter, coop.meetings(), chosen, date.today())
    if html_dir is not None:
        from coop_cli import bulletin, html

        needs = bulletin.need_rows(coop.needs(), coop.register(), charter, result.judged_on)
        written = write_page(html_dir / "index.html", html.report_page(result, charter, needs))
        typer.echo(_("Wrote {file}").format(file=written))
    elif fmt is Format.json:
        sys.stdout.write(json.dumps(_document(result, by, charter.name), ensure_ascii=False, indent=2) + "\n")
    elif fmt is Format.csv:
        emit(_rows(result, by), DATA[by], fmt)
    else:
        _tables(result, by, charter.name)


def write_page(path: Path, page: str) -> Path:
    """Write a page whole, making its folder if needed; a page is output, not books, so it is not committed."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(page, encoding="utf-8")
    except OSError as problem:
        raise CoopError(_("cannot write {file}: {reason}").format(file=path, reason=problem.strerror)) from None
    return path


# ---------------------------------------------------------------- rows and columns

MONTHS = [
    Column("month", N_("Month")),
    Column("hours", N_("Hours"), numeric=True),
    Column("exchanges", N_("Exchanges"), numeric=True),
    Column("active_members", N_("Active members"), numeric=True),
    Column("coop_paid", N_("Paid by the coop"), numeric=True),
]
CATEGORIES = [
    Column("category", N_("Category")),
    Column("hours", N_("Hours"), numeric=True),
    Column("exchanges", N_("Exchanges"), numeric=True),
]
MEMBERS = [
    Column("member", N_("Member")),
    Column("name", N_("Name")),
    Column("earned", N_("Earned"), numeric=True),
    Column("paid", N_("Paid"), numeric=True),
    Column("change", N_("Change"), numeric=True),
    Column("balance", N_("Balance"), numeric=True),
    Column("exchanges", N_("Exchanges"), numeric=True),
]
GROUPS = [
    Column("group", N_("Working group")),
    Column("members", N_("Members"), numeric=True),
    Column("hours", N_("Hours earned"), numeric=True),
    Column("exchanges", N_("Exchanges"), numeric=True),
]
TABLE = {By.month: MONTHS, By.cat: CATEGORIES, By.member: MEMBERS, By.group: GROUPS}
DATA = {**TABLE, By.member: [Column("account", N_("Account")), *MEMBERS]}  # scripts also get the account, as hledger names it

LIMITS = [
    Column("member", N_("Member")),
    Column("name", N_("Name")),
    Column("balance", N_("Balance"), numeric=True),
    Column("limit", N_("Limit"), numeric=True),
    Column("room", N_("Hours left"), numeric=True),
]
INACTIVE = [
    Column("member", N_("Member")),
    Column("name", N_("Name")),
    Column("last_exchange", N_("Last exchange")),
]
DECISIONS = [
    Column("decision", N_("Decision"), no_wrap=True),
    Column("date", N_("Date")),
    Column("meeting", N_("Meeting")),
    Column("outcome", N_("Outcome"), words=True),
    Column("text", N_("Text")),
]


def _rows(result: reports.Report, by: By) -> list[dict]:
    chosen = {By.month: result.months, By.cat: result.categories, By.member: result.members, By.group: result.groups}[by]
    return [dict(row.__dict__) for row in chosen]


def _document(result: reports.Report, by: By, coop_name: str) -> dict:
    """The whole report for scripts: hours as decimal strings, dates as ISO text, `end` excluded as in hledger."""
    def listed(rows) -> list[dict]:
        return [{key: json_value(value) for key, value in row.__dict__.items()} for row in rows]

    period = result.period
    return {
        "coop": coop_name,
        "period": {"label": period.label, "begin": json_value(period.start), "end": json_value(period.end)},
        "balances_on": json_value(result.balances_on),
        "totals": {key: json_value(value) for key, value in result.totals.__dict__.items()},
        "by": by.value,
        "rows": [{c.key: json_value(row.get(c.key)) for c in DATA[by]} for row in _rows(result, by)],
        "near_limits": listed(result.near_limits),
        "inactive": {"on": json_value(result.judged_on), "months": reports.INACTIVE_MONTHS, "members": listed(result.inactive)},
        "decisions": listed(result.decisions),
    }


# ---------------------------------------------------------------- the terminal

def _tables(result: reports.Report, by: By, coop_name: str) -> None:
    say(_("{coop}: report for {period}").format(coop=coop_name, period=_span(result.period)))
    if result.months:
        hours = [row.hours for row in result.months]
        busiest = max(result.months, key=lambda row: row.hours)
        say(_("Hours per month, {first} to {last}: {sparkline}  (most: {hours} in {month})").format(
            first=result.months[0].month, last=result.months[-1].month, sparkline=sparkline(hours),
            hours=i18n.hours(busiest.hours), month=busiest.month,
        ))
    emit(_totals(result.totals), [Column("figure", N_("Figure")), Column("value", N_("Value"), numeric=True)], Format.table)
    rows = _rows(result, by)
    for row in rows:
        if by is By.cat and row["category"] is None:
            row["category"] = _("(no category)")
        if by is By.member and row["member"] is None:
            row["member"] = row["account"]
    emit(rows, TABLE[by], Format.table, footer=_footer(result, by))
    _listing(result.near_limits, LIMITS, _("Members close to their limits"), _("No member is close to their limits."))
    inactive = [{**row.__dict__, "last_exchange": row.last_exchange or _("never")} for row in result.inactive]
    _listing(
        inactive, INACTIVE,
        _("Members without an exchange for six months (on {day})").format(day=i18n.day(result.judged_on)),
        _("Every active member has exchanged in the six months to {day}.").format(day=i18n.day(result.judged_on)),
    )
    _listing(result.decisions, DECISIONS, _("Decisions of the period"), _("No decision was taken in the period."))


def say(line: str) -> None:
    sys.stdout.write(line + "\n")


def _span(period: reports.Period) -> str:
    if period.start and period.end and period.label != f"{period.start}..{period.last_day}":
        return _("{label} ({first} to {last})").format(label=period.label, first=i18n.day(period.start), last=i18n.day(period.last_day))
    return period.label


def _totals(totals: reports.Totals) -> list[dict]:
    figures = [
        (_("Hours exchanged"), totals.hours),
        (_("Exchanges"), totals.exchanges),
        (_("Reversals"), totals.reversals),
        (_("Hours reversed"), totals.hours_reversed),
        (_("Active members"), totals.active_members),
        (_("Paid by the coop account"), totals.coop_paid),
    ]
    return [{"figure": figure, "value": value} for figure, value in figures]


def _footer(result: reports.Report, by: By) -> dict | None:
    """The period's figures under the rows; none for groups, which overlap and leave out members in no group."""
    totals = result.totals
    if by is By.month:
        return {"month": _("Total"), **{key: getattr(totals, key) for key in ("hours", "exchanges", "active_members", "coop_paid")}}
    if by is By.cat:
        return {"category": _("Total"), "hours": totals.hours, "exchanges": totals.exchanges}
    if by is By.member:
        closing = sum((row.balance for row in result.members), reports.ZERO)
        return {"member": _("Total"), "earned": totals.hours, "paid": totals.hours, "change": reports.ZERO, "balance": closing}
    return None


def _listing(rows: list, columns: list[Column], title: str, nothing: str) -> None:
    """A heading line (a table's title would wrap to the table's width), then the rows, or a sentence saying there are none."""
    if not rows:
        say(nothing)
        return
    say(title)
    emit([row if isinstance(row, dict) else row.__dict__ for row in rows], columns, Format.table)


# ---------------------------------------------------------------- pictures in text

SPARKS = "▁▂▃▄▅▆▇█"
BAR_CELLS = 20  # the widest a balance bar gets, both sides of the zero line together


def sparkline(values: list[Decimal]) -> str:
    """One character per value, from ▁ (nothing) to █ (the most); any activity at all rises above ▁."""
    top = max(values, default=reports.ZERO)
    if top <= 0:
        return SPARKS[0] * len(values)
    levels = len(SPARKS) - 1
    return "".join(SPARKS[0] if v <= 0 else SPARKS[max(1, _rounded(v / top * levels))] for v in values)


@dataclass(frozen=True)
class BarScale:
    """What one cell is worth, and how many cells each side of the zero line needs: one scale for every bar of a table."""

    per_cell: Decimal
    left: int
    right: int


def bar_scale(balances: list[Decimal], cells: int = BAR_CELLS) -> BarScale:
    """A scale fitting the lowest and highest balance in `cells`, so that a side nobody is on takes no room."""
    lowest = min([*balances, reports.ZERO])
    highest = max([*balances, reports.ZERO])
    if highest == lowest:
        return BarScale(Decimal(1), 0, 0)
    per_cell = (highest - lowest) / cells
    return BarScale(per_cell, _rounded(-lowest / per_cell, ROUND_CEILING), _rounded(highest / per_cell, ROUND_CEILING))


def balance_bar(balance: Decimal, scale: BarScale) -> str:
    """A diverging bar in half cells: what a member owes grows left of the line, what they are owed grows right."""
    side = scale.left if balance < 0 else scale.right
    steps = min(max(_rounded(abs(balance) / scale.per_cell * 2), 1), 2 * side) if balance != 0 else 0  # even a quarter hour shows
    full, half = divmod(steps, 2)
    if balance < 0:
        return ("▐" * half + "█" * full).rjust(scale.left) + "│" + " " * scale.right
    return " " * scale.left + "│" + ("█" * full + "▌" * half).ljust(scale.right)


def _rounded(value: Decimal, rounding: str = ROUND_HALF_UP) -> int:
    return int(value.to_integral_value(rounding=rounding))
