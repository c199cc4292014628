"""The printable pages: a period's report and a member's statement, as static HTML with inline SVG charts.

No script, no network: each page is one self-contained file that prints on A4; all text from the books is escaped.
Figures and dates are written as the reader's language writes them; data-* attributes keep the files' text for tools.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from html import escape

from coop_cli import matching, reports
from coop_cli import needs as needs_format
from coop_cli.i18n import _, day, hours, language, month, ngettext, number, plural_n, short_hours, word
from coop_cli.model import COOP_ACCOUNT, Charter, format_hours, party_account

# Charts are drawn at the size they print (an A4 page holds 700 px between its margins; a half column, 340)
# so that their text prints at 11 px; on a screen they scale with the column.
WIDE = 700
HALF = 340
ROW = 17             # height of one bar in the horizontal charts
VALUE = 48           # room for the figure right of the bars
ZERO = Decimal(0)


# ---------------------------------------------------------------- the report page

def report_page(report: reports.Report, charter: Charter, needs: list | None = None) -> str:
    """The whole report of a period as one page: figures, charts, members to look after, decisions, and the needs matrix
    (`needs`: bulletin.NeedRow values) when the coop has placed needs."""
    period = _period_text(report.period)
    sections = [
        _section("totals", _("In figures"), _totals(report.totals), wide=True),
        _section("balances", _balances_title(report), _balances_chart(report, charter), wide=True),
        _section("months", _("Hours exchanged per month"), _months_chart(report.months)),
        _section("categories", _("Hours by category"), _categories_chart(report.categories)),
        _section("limits", _("Members close to their limits"), _limits_chart(report.near_limits, charter), wide=True),
        _section("groups", _("Hours earned by working group"), _groups_chart(report.groups)),
        _section("inactive", _("Members without an exchange for six months"), _inactive_table(report)),
        _section("decisions", _("Decisions of the period"), _decisions_table(report.decisions), wide=True),
    ] + ([_section("needs", _("The needs matrix"), needs_chart(needs), wide=True)] if needs else [])
    period_title = _("Activity report: {period}").format(period=period)
    header = f'<header><h1>{escape(charter.name)}</h1><p class="period">{escape(period_title)}</p></header>'
    footer = (
        '<footer><p>'
        + escape(_("Every figure can be checked with hledger on the journals in ledger/: docs/reports.md gives the command for each. "
                   "Hours exchanged count each exchange once; a reversal takes its hours back in the month it is dated."))
        + "</p></footer>"
    )
    return _page(_("{coop}: report {period}").format(coop=charter.name, period=period), header + "<main>" + "".join(sections) + "</main>" + footer)


def _period_text(period: reports.Period) -> str:
    if period.start and period.end:
        return _("{label}, {first} to {last}").format(label=period.label, first=day(period.start), last=day(period.last_day))
    return period.label


def _balances_title(report: reports.Report) -> str:
    if report.balances_on:
        return _("Balances on {day}").format(day=day(report.balances_on))
    return _("Balances")


def _totals(totals: reports.Totals) -> str:
    figures = [
        ("hours", _("Hours exchanged"), totals.hours),
        ("exchanges", _("Exchanges"), totals.exchanges),
        ("active-members", _("Active members"), totals.active_members),
        ("coop-paid", _("Paid by the coop account"), totals.coop_paid),
        ("reversals", _("Reversals"), totals.reversals),
        ("hours-reversed", _("Hours reversed"), totals.hours_reversed),
    ]
    items = "".join(_figure(key, label, value) for key, label, value in figures)
    return f'<dl class="totals">{items}</dl>'


# ---------------------------------------------------------------- charts

@dataclass(frozen=True)
class Bar:
    """One row of a horizontal bar chart; `data` becomes data-* attributes that tests and readers can find."""

    label: str
    value: Decimal
    css: str
    data: dict[str, str]


def _bar_rows(chart: str, width: int, bars: list[Bar], lowest: Decimal, highest: Decimal, marks: list[tuple[Decimal, str]] = ()) -> str:
    """Horizontal bars from a zero line that sits where zero falls between `lowest` and `highest`: a diverging chart
    when some values are negative. `marks` are dashed lines such as the charter's limits."""
    label = _label_room(width)
    fits = label * 10 // 63  # characters, at about 6.3 px each in 11 px DejaVu Sans
    stacked = any(len(bar.label) > fits for bar in bars)  # long names go above their bar rather than be cut
    if stacked:
        label = 8
    row = ROW + 13 if stacked else ROW
    top = 18 if marks else 4
    plot = width - label - VALUE
    height = top + row * len(bars) + 6
    span = (highest - lowest) or Decimal(1)

    def x(value: Decimal) -> float:
        return round(label + float((value - lowest) / span) * plot, 1)

    parts = []
    for index, bar in enumerate(bars):
        y = top + index * row + (row - ROW)
        left, right = sorted((x(ZERO), x(bar.value)))
        data = "".join(f' data-{key}="{escape(value)}"' for key, value in bar.data.items())
        name = (
            f'<text class="label" x="{label}" y="{y - 1}">{escape(bar.label)}</text>' if stacked
            else f'<text class="label" x="{label - 6}" y="{y + ROW - 5}" text-anchor="end">{escape(_shorten(bar.label, fits))}</text>'
        )
        parts.append(
            f'<g class="row"{data}>{name}'
            f'<rect class="bar {bar.css}" x="{left}" y="{y + 2}" width="{max(round(right - left, 1), 0.5) if bar.value else 0}" height="{ROW - 4}">'
            f"<title>{escape(_tip(bar.label, bar.value))}</title></rect>"
            f'<text class="value" x="{width - 2}" y="{y + ROW - 5}" text-anchor="end">{hours(bar.value)}</text>'
            "</g>"
        )
    axis = f'<line class="axis" x1="{x(ZERO)}" x2="{x(ZERO)}" y1="{top - 4}" y2="{height - 2}"/>'
    lines = "".join(
        f'<line class="mark" x1="{x(value)}" x2="{x(value)}" y1="{top - 4}" y2="{height - 2}"/>'
        f'<text class="mark-label" x="{x(value)}" y="{top - 7}" text-anchor="middle">{escape(label)}</text>'
        for value, label in marks
        if lowest <= value <= highest
    )
    return _svg(chart, width, height, lines + axis + "".join(parts))


def _balances_chart(report: reports.Report, charter: Charter) -> str:
    """Every member's balance from the zero line: owed hours to the left, earned hours to the right, with the
    charter's limits drawn when they fall within the chart. The coop account is left out: it has no limits."""
    rows = [r for r in report.balances if r.member and (r.status != "left" or r.balance)]
    if not rows:
        return _nothing(_("No member yet."))
    near = {row.member for row in report.near_limits}
    bars = [
        Bar(row.name or row.member, row.balance,
            ("owed" if row.balance < 0 else "earned") + (" near" if row.member in near else ""),
            {"member": row.member, "balance": format_hours(row.balance)})
        for row in sorted(rows, key=lambda r: (-r.balance, r.name))
    ]
    lowest = min([charter.min_balance, *(r.balance for r in rows), ZERO])
    highest = max([*(r.balance for r in rows), ZERO])
    if charter.max_balance <= highest * Decimal("1.25"):
        highest = max(highest, charter.max_balance)  # the upper limit is only worth room when someone is near it
    marks = [(charter.min_balance, _("limit {hours}").format(hours=short_hours(charter.min_balance))),
             (charter.max_balance, _("limit {hours}").format(hours=short_hours(charter.max_balance)))]
    coop = next((r.balance for r in report.balances if r.account == COOP_ACCOUNT), ZERO)
    coop_note = _("The coop account, which pays for meetings and has no limits: {hours}.").format(hours=hours(coop))
    note = f'<p class="note">{escape(coop_note)}</p>'
    return _bar_rows("balances-chart", WIDE, bars, lowest, highest, marks) + note


def _categories_chart(categories: list[reports.CategoryRow]) -> str:
    if not categories:
        return _nothing(_("No exchange in the period."))
    bars = [Bar(row.category or _("(no category)"), row.hours, "hours", {"category": row.category or "", "hours": format_hours(row.hours)}) for row in categories]
    return _bar_rows("categories-chart", HALF, bars, min([ZERO, *(b.value for b in bars)]), max([ZERO, *(b.value for b in bars)]))


def _groups_chart(groups: list[reports.GroupRow]) -> str:
    if not groups:
        return _nothing(_("The coop has no working group yet."))
    bars = [Bar(row.group, row.hours, "hours", {"group": row.group, "hours": format_hours(row.hours)}) for row in groups]
    chart = _bar_rows("groups-chart", HALF, bars, min([ZERO, *(b.value for b in bars)]), max([ZERO, *(b.value for b in bars)]))
    groups_note = _("An exchange counts for every group its earner belongs to.")
    return chart + f'<p class="note">{escape(groups_note)}</p>'


def _months_chart(months: list[reports.MonthRow]) -> str:
    """Vertical bars, one per month, empty months included so that quiet months show as gaps."""
    if not months:
        return _nothing(_("No exchange in the period."))
    width, top, bottom, left, plot_height = HALF, 12, 20, 34, 120
    height = top + plot_height + bottom
    lowest = min([ZERO, *(m.hours for m in months)])
    highest = max([ZERO, *(m.hours for m in months)]) or Decimal(1)
    step = (width - left) / len(months)

    def y(value: Decimal) -> float:
        return round(top + float((highest - value) / (highest - lowest)) * plot_height, 1)

    every = -(-len(months) // 4)  # four month labels at most: a half column has room for no more
    parts = [
        f'<line class="grid" x1="{left}" x2="{width}" y1="{y(highest)}" y2="{y(highest)}"/>',
        f'<text class="tick" x="{left - 4}" y="{y(highest) + 4}" text-anchor="end">{short_hours(highest)}</text>',
        f'<line class="axis" x1="{left}" x2="{width}" y1="{y(ZERO)}" y2="{y(ZERO)}"/>',
        f'<text class="tick" x="{left - 4}" y="{y(ZERO) + 4}" text-anchor="end">0</text>',
    ]
    for index, month in enumerate(months):
        x = left + index * step
        upper, lower = sorted((y(ZERO), y(month.hours)))
        parts.append(
            f'<g class="month" data-month="{month.month}" data-hours="{format_hours(month.hours)}">'
            f'<rect class="bar hours" x="{round(x + step * 0.12, 1)}" y="{upper}" width="{round(step * 0.76, 1)}" height="{round(lower - upper, 1)}">'
            f"<title>{escape(_tip(month.month, month.hours))}</title></rect>"
            + (f'<text class="value" x="{round(x + step / 2, 1)}" y="{upper - 3}" text-anchor="middle">{short_hours(month.hours)}</text>' if len(months) <= 12 and month.hours else "")
            + (f'<text class="tick" x="{round(x + step / 2, 1)}" y="{height - 6}" text-anchor="middle">{month.month}</text>' if index % every == 0 else "")
            + "</g>"
        )
    return _svg("months-chart", width, height, "".join(parts))


def _limits_chart(rows: list[reports.LimitRow], charter: Charter) -> str:
    """One gauge per member near a limit: how much of the way from zero to the limit their balance has gone."""
    if not rows:
        return _nothing(_("No member is close to their limits (past 80% of the way from zero to a limit of {low} or {high}).").format(
            low=short_hours(charter.min_balance), high=short_hours(charter.max_balance)))
    label = _label_room(WIDE)
    top, plot = 4, WIDE - label - 190
    parts = []
    for index, row in enumerate(rows):
        y = top + index * ROW
        share = min(float(row.balance / row.limit), 1.0) if row.limit else 1.0
        side = "owed" if row.limit < 0 else "earned"
        caption = _("{balance} of {limit}, {room} left").format(balance=hours(row.balance), limit=short_hours(row.limit), room=hours(row.room))
        parts.append(
            f'<g class="row" data-member="{escape(row.member)}" data-balance="{format_hours(row.balance)}">'
            f'<text class="label" x="{label - 6}" y="{y + ROW - 5}" text-anchor="end">{escape(_shorten(row.name or row.member, label // 7))}</text>'
            f'<rect class="track" x="{label}" y="{y + 2}" width="{plot}" height="{ROW - 4}"/>'
            f'<rect class="bar {side} near" x="{label}" y="{y + 2}" width="{round(plot * share, 1)}" height="{ROW - 4}"/>'
            f'<text class="value" x="{WIDE - 2}" y="{y + ROW - 5}" text-anchor="end">{escape(caption)}</text>'
            "</g>"
        )
    return _svg("limits-chart", WIDE, top + ROW * len(rows) + 4, "".join(parts))


def _tip(label: str, value: Decimal) -> str:
    """What a bar says when the pointer rests on it."""
    return _("{label}: {hours}").format(label=label, hours=hours(value))


def _svg(chart: str, width: int, height: int, body: str) -> str:
    return f'<svg id="{chart}" class="chart" viewBox="0 0 {width} {height}" role="img" xmlns="http://www.w3.org/2000/svg">{body}</svg>'


def _label_room(width: int) -> int:
    """Room for the names left of the bars: about 22 characters, 18 in a half column."""
    return min(140, round(width * 0.35))


def _shorten(label: str, most: int) -> str:
    return label if len(label) <= most else label[: most - 1] + "…"


def needs_chart(rows: list) -> str:
    """The needs on the matrix: difficulty from easy (left) to hard, urgency from most urgent (top) down, the four quarters
    shaded, each need with the current offers and wants of its categories. `rows`: bulletin.NeedRow values."""
    if not rows:
        return _nothing(_("No need is on the matrix yet."))
    left, top, width = 78, 34, WIDE
    column = (width - left) / 4
    cell: dict[tuple[int, int], list] = {}
    for row in rows:
        cell.setdefault((row.need.urgency, row.need.difficulty), []).append(row)
    heights = {u: max([26 + 26 * (len(cell.get((u, d), [])) - 1) for d in needs_format.LEVELS] + [34]) for u in needs_format.LEVELS}
    across, up = _("difficulty: 1 (easy) to 4 (hard)"), _("urgency")  # outside the f-strings, where xgettext finds them
    parts = [f'<text class="tick" x="{left}" y="11">{escape(across)}</text>', f'<text class="tick" x="2" y="{top - 6}">{escape(up)}</text>']
    y = top
    for urgency in (4, 3, 2, 1):
        height = heights[urgency]
        parts.append(f'<text class="tick" x="{left - 8}" y="{round(y + height / 2 + 4, 1)}" text-anchor="end">{urgency}</text>')
        for difficulty in needs_format.LEVELS:
            x = round(left + (difficulty - 1) * column, 1)
            quadrant = needs_format.quadrant(urgency, difficulty)
            parts.append(f'<rect class="quadrant q{needs_format.QUADRANTS.index(quadrant)}" x="{x}" y="{y}" width="{round(column, 1)}" height="{height}"/>')
            for index, row in enumerate(cell.get((urgency, difficulty), [])):
                offers = ngettext("{n} offer", "{n} offers", row.offers).format(n=row.offers)
                wants = ngettext("{n} want", "{n} wants", row.wants).format(n=row.wants)
                base = y + 14 + 26 * index
                parts.append(
                    f'<g class="need" data-need="{escape(row.need.name)}" data-urgency="{urgency}" data-difficulty="{difficulty}" '
                    f'data-offers="{row.offers}" data-wants="{row.wants}">'
                    f'<circle cx="{round(x + 9, 1)}" cy="{base - 4}" r="4"/>'
                    f'<text class="need-name" x="{round(x + 17, 1)}" y="{base}">{escape(_shorten(row.need.name, 22))}</text>'
                    f'<text class="tick" x="{round(x + 17, 1)}" y="{base + 11}">{escape(offers + " · " + wants)}</text></g>'
                )
        y += height
    for difficulty in needs_format.LEVELS:
        x = left + (difficulty - 0.5) * column
        parts.append(f'<text class="tick" x="{round(x, 1)}" y="{top - 6}" text-anchor="middle">{difficulty}</text>')
    middle_x, middle_y = round(left + 2 * column, 1), top + heights[4] + heights[3]
    parts.append(f'<line class="axis" x1="{middle_x}" x2="{middle_x}" y1="{top}" y2="{y}"/><line class="axis" x1="{left}" x2="{width}" y1="{middle_y}" y2="{middle_y}"/>')
    for index, quadrant in enumerate(needs_format.QUADRANTS):  # the legend: what each quarter means, two by two as drawn
        x, below = left + (index % 2) * (width - left) / 2, y + 12 + (index // 2) * 16
        parts.append(f'<rect class="quadrant q{index}" x="{round(x, 1)}" y="{below}" width="11" height="11"/>'
                     f'<text class="tick" x="{round(x + 16, 1)}" y="{below + 10}">{escape(_(needs_format.QUADRANT_TITLES[quadrant]))}</text>')
    return _svg("needs-chart", width, y + 44, "".join(parts))


# ---------------------------------------------------------------- tables

def _inactive_table(report: reports.Report) -> str:
    inactive_note = _("Active members with no exchange between {start} and {end}.").format(
        start=day(reports.add_months(report.judged_on, -reports.INACTIVE_MONTHS)), end=day(report.judged_on))
    caption = f'<p class="note">{escape(inactive_note)}</p>'
    if not report.inactive:
        return caption + _nothing(_("Everyone has exchanged."))
    rows = [(row.name or row.member, day(row.last_exchange) if row.last_exchange else _("never")) for row in report.inactive]
    return caption + _table("inactive-table", [_("Member"), _("Last exchange")], rows)


def _decisions_table(decisions: list[reports.DecisionRow]) -> str:
    if not decisions:
        return _nothing(_("No decision was taken in the period."))
    rows = []
    for row in decisions:
        vote = word("consensus") if row.consensus else _("{yes} for, {no} against, {abstain} abstaining").format(yes=row.votes_for, no=row.against, abstain=row.abstain)
        rows.append((row.decision, day(row.date), row.text, f"{word(row.outcome)} ({vote})"))
    return _table("decisions-table", [_("Decision"), _("Date"), _("Text"), _("Outcome")], rows, whole={0, 1})


def _table(table: str, headings: list[str], rows: list[tuple], numeric: set[int] = frozenset(), whole: set[int] = frozenset()) -> str:
    """A plain table; `numeric` columns align right, `whole` ones (ids, dates) never break across lines."""
    def css(i: int) -> str:
        names = ["num"] * (i in numeric) + ["whole"] * (i in whole)
        return f' class="{" ".join(names)}"' if names else ""

    head = "".join(f"<th{css(i)}>{escape(h)}</th>" for i, h in enumerate(headings))
    body = "".join(
        "<tr>" + "".join(f"<td{css(i)}>{escape(str(cell))}</td>" for i, cell in enumerate(row)) + "</tr>"
        for row in rows
    )
    return f'<table id="{table}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _section(key: str, title: str, body: str, wide: bool = False) -> str:
    return f'<section id="{key}" class="{"wide" if wide else "half"}"><h2>{escape(title)}</h2>{body}</section>'


def _nothing(sentence: str) -> str:
    return f'<p class="none">{escape(sentence)}</p>'


# ---------------------------------------------------------------- the statement page

@dataclass(frozen=True)
class StatementView:
    """What a member's printed statement shows, beyond the rows: who, over which days, and under which charter."""

    member: str
    name: str
    start: date | None
    end: date | None
    opening: Decimal
    rows: list[reports.StatementRow]
    names: dict[str, str]  # member id -> name, to say who each exchange was with


def statement_page(view: StatementView, charter: Charter) -> str:
    """One member's exchanges with the running balance, the balance as a line, and the charter's limits: one A4 page."""
    totals = reports.statement_totals(view.opening, view.rows)
    if view.start or view.end:
        span = _("from {first} to {last}").format(first=day(view.start) if view.start else "…", last=day(view.end) if view.end else "…")
    else:
        span = _("every exchange")
    figures = [
        ("opening", _("Opening balance"), totals.opening),
        ("earned", _("Hours earned"), totals.earned),
        ("paid", _("Hours paid"), totals.paid),
        *([("reversed", _("Reversals"), totals.reversed)] if totals.reversals else []),
        ("closing", _("Closing balance"), totals.closing),
    ]
    cards = "".join(_figure(key, label, value) for key, label, value in figures)
    limits = ngettext(
        "The charter keeps every member's balance between {low} and {high} hour.",
        "The charter keeps every member's balance between {low} and {high} hours.",
        plural_n(charter.max_balance),
    ).format(low=short_hours(charter.min_balance), high=short_hours(charter.max_balance))
    if totals.reversals:
        limits += " " + ngettext(
            "Hours earned and paid count exchanges only: the reversal, which undoes an exchange, is counted apart.",
            "Hours earned and paid count exchanges only: the {n} reversals, which undo exchanges, are counted apart.",
            totals.reversals,
        ).format(n=totals.reversals)
    table = _statement_table(view)
    # Translated outside the f-strings, where xgettext can find them.
    title = _("Statement of {name} ({member}), {span}").format(name=view.name, member=view.member, span=span)
    balance_title, exchanges_title = _("Balance after each exchange"), _("Exchanges")
    footer = _("The same rows as hledger register ^{account}$ on the journals in ledger/.").format(account=party_account(view.member))
    header = f"<header><h1>{escape(charter.name)}</h1>" f'<p class="period">{escape(title)}</p></header>'
    body = (
        header
        + f'<main class="statement"><section id="totals" class="wide"><dl class="totals">{cards}</dl><p class="note">{escape(limits)}</p></section>'
        + f'<section id="balance" class="wide"><h2>{escape(balance_title)}</h2>{_balance_line(view, charter)}</section>'
        + f'<section id="exchanges" class="wide"><h2>{escape(exchanges_title)}</h2>{table}</section></main>'
        + f'<footer><p>{escape(footer)}</p></footer>'
    )
    return _page(_("{coop}: statement of {name}").format(coop=charter.name, name=view.name), body)


def _statement_table(view: StatementView) -> str:
    if not view.rows:
        return _nothing(_("No exchange in these dates."))
    rows = [
        (day(row.date), reports.statement_description(row), ", ".join(view.names.get(who, who) for who in row.counterparty.split(", ")),
         hours(row.amount), hours(row.balance))
        for row in view.rows
    ]
    return _table("statement-table", [_("Date"), _("Description"), _("With"), _("Hours"), _("Balance")], rows, numeric={3, 4}, whole={0})


def _balance_line(view: StatementView, charter: Charter) -> str:
    """The running balance as a step line from the opening balance, with zero and, when near, the charter's limits."""
    if not view.rows:
        return _nothing(_("No exchange in these dates."))
    width, top, bottom, left, plot_height = WIDE, 10, 8, 44, 90
    height = top + plot_height + bottom
    points = [view.opening, *(row.balance for row in view.rows)]
    lowest, highest = min([*points, ZERO]), max([*points, ZERO])
    for limit in (charter.min_balance, charter.max_balance):
        if lowest - abs(limit) * Decimal("0.3") <= limit <= highest + abs(limit) * Decimal("0.3"):
            lowest, highest = min(lowest, limit), max(highest, limit)  # a limit within reach is worth drawing
    span = (highest - lowest) or Decimal(1)
    step = (width - left) / len(points)

    def y(value: Decimal) -> float:
        return round(top + float((highest - value) / span) * plot_height, 1)

    path = [f"M{left},{y(points[0])}"]
    for index, value in enumerate(points[1:], start=1):
        path.append(f"H{round(left + index * step, 1)}V{y(value)}")
    path.append(f"H{width}")
    lines = "".join(
        f'<line class="{css}" x1="{left}" x2="{width}" y1="{y(value)}" y2="{y(value)}"/>'
        f'<text class="tick" x="{left - 4}" y="{y(value) + 4}" text-anchor="end">{short_hours(value)}</text>'
        for value, css in ((ZERO, "axis"), (charter.min_balance, "mark"), (charter.max_balance, "mark"), (min(points), "grid"), (max(points), "grid"))
        if lowest <= value <= highest and (css != "grid" or value != 0)
    )
    line = f'<path class="balance-line" d="{"".join(path)}" data-closing="{format_hours(points[-1])}"/>'
    return _svg("balance-chart", width, height, lines + line)


# ---------------------------------------------------------------- the bulletin

def bulletin_page(bulletin) -> str:
    """A period's bulletin (`bulletin.Bulletin`) as one page to print: figures, the month, meetings and decisions, who does
    what, new offers and wants, who might help whom, and the needs matrix."""
    period = bulletin.period
    span = month(period.start) if period.start and period.end and reports.add_months(period.start, 1) == period.end else _period_text(period)
    totals = bulletin.totals
    figures = [("exchanges", _("Exchanges"), totals.exchanges), ("hours", _("Hours exchanged"), totals.hours),
               ("new-members", _("New members"), len(bulletin.new_members)), ("meetings", _("Meetings held"), len(bulletin.meetings))]
    cards = "".join(_figure(key, label, value) for key, label, value in figures)
    sections = [
        f'<section id="totals" class="wide"><dl class="totals four">{cards}</dl></section>',
        _section("month", _("The month"), _month_text(bulletin)),
        _section("meetings", _("Meetings and decisions"), _meetings_text(bulletin)),
        _section("groups", _("Who does what: the working groups"), _groups_text(bulletin), wide=True),
        _section("directory", _("New offers and wants"), _directory_text(bulletin), wide=True),
        _section("matches", _("Who might help whom"), _matches_text(bulletin), wide=True),
        _section("needs", _("The needs matrix"), needs_chart(bulletin.needs), wide=True),
    ]
    title = _("Bulletin: {period}").format(period=span)
    header = f'<header><h1>{escape(bulletin.charter.name)}</h1><p class="period">{escape(title)}</p></header>'
    said = _("Gathered by coop from the books as they stood on {day}.").format(day=day(bulletin.on))
    if not bulletin.charter.bulletin_balances:
        said += " " + _("No member's balance is printed here: the charter does not allow it (bulletin_balances).")
    body = header + '<main class="bulletin">' + "".join(sections) + f"</main><footer><p>{escape(said)}</p></footer>"
    return _page(_("{coop}: bulletin {period}").format(coop=bulletin.charter.name, period=span), body)


def _month_text(bulletin) -> str:
    names = [m.name for m in bulletin.new_members]
    parts = [_("Welcome to {names}.").format(names=", ".join(names)) if names else _("No new member in the period.")]
    taking_part = bulletin.totals.active_members
    parts.append(ngettext("{n} member took part in an exchange.", "{n} members took part in an exchange.", taking_part).format(n=number(taking_part)))
    if bulletin.categories:
        busiest = ", ".join(_("{category} ({hours} h)").format(category=row.category, hours=short_hours(row.hours)) for row in bulletin.categories)
        parts.append(_("Most active categories: {categories}.").format(categories=busiest))
    return "".join(f"<p>{escape(part)}</p>" for part in parts)


def _meetings_text(bulletin) -> str:
    if not bulletin.meetings:
        return _nothing(_("No meeting was held in the period."))
    present = _("{date}: {title}, {n} present")
    held = "".join(f"<li>{escape(present.format(date=day(m.date), title=m.title, n=len(m.attendees)))}</li>" for m in bulletin.meetings)
    said = escape(_("{label}: {text}"))
    decided = "".join("<li>" + said.format(label=f"<b>{escape(d.decision)}</b> ({escape(word(d.outcome))})", text=escape(d.text)) + "</li>"
                      for d in bulletin.decisions)
    return f"<ul>{held}</ul>" + (f'<ul class="decisions">{decided}</ul>' if decided else "")


def _groups_text(bulletin) -> str:
    if not bulletin.groups:
        return _nothing(_("The coop has no working group yet."))
    said = escape(_("{label}: {text}"))  # French writes a space before the colon
    rows = "".join(
        "<p>" + said.format(label=f"<b>{escape(g.name)}</b>", text=escape(", ".join(bulletin.names.get(m, m) for m in g.members) or _("nobody yet")))
        + "</p>" for g in bulletin.groups)
    return f'<div class="groups">{rows}</div>'


def _directory_text(bulletin) -> str:
    def listed(pairs, heading: str) -> str:
        said = escape(_("{label}: {text}"))
        items = "".join(
            "<li>" + said.format(label=escape(member.name), text=escape(service.text))
            + f' <span class="muted">({escape(", ".join(filter(None, (service.cat, service.availability))))})</span></li>'
            for member, service in pairs)
        return f"<h3>{escape(heading)}</h3><ul>{items}</ul>" if items else ""

    found = listed(bulletin.new_offers, _("Offers")) + listed(bulletin.new_wants, _("Wants"))
    return f'<div class="groups">{found}</div>' if found else _nothing(_("No new offer or want in the period (see coop offer add and coop want add)."))


def _matches_text(bulletin) -> str:
    if not bulletin.matches:
        return _nothing(_("No want meets an offer yet."))
    items = "".join(
        "<li>" + escape(_("{payer} would like “{want}”; {earner} offers “{offer}”.").format(
            payer=s.payer.name, want=s.want.text, earner=s.earner.name, offer=s.offer.text))
        + f' <span class="muted">{escape(matching.reason(s, bulletin.charter.bulletin_balances))}</span></li>'
        for s in bulletin.matches)
    return f"<ol>{items}</ol>"


# ---------------------------------------------------------------- the page around it all

STYLE = """
@page { size: A4; margin: 12mm 13mm 14mm; }
:root { --ink: #1f2933; --muted: #616e7c; --earned: #2f7d4f; --owed: #b5432e; --hours: #3a6ea5;
        --track: #e4e7eb; --rule: #cbd2d9; --near: #d69e2e; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { font: 15px/1.4 "DejaVu Sans", "Liberation Sans", Arial, sans-serif; color: var(--ink);
       max-width: 1120px; margin: 0 auto; padding: 28px 36px; }
header { border-bottom: 2px solid var(--ink); margin-bottom: 12px; padding-bottom: 6px; }
h1 { font-size: 1.9em; margin: 0; }
h2 { font-size: 1.15em; margin: 0 0 6px; }
.period { margin: 2px 0 0; color: var(--muted); font-size: 1.1em; }
main { display: grid; grid-template-columns: 1fr 1fr; gap: 14px 28px; align-items: start; }
section { break-inside: avoid; page-break-inside: avoid; min-width: 0; }
section.wide { grid-column: 1 / -1; }
.totals { display: grid; grid-template-columns: repeat(6, 1fr); gap: 8px; margin: 0; }
.statement .totals { grid-template-columns: repeat(auto-fit, minmax(0, 1fr)); }
.figure { border: 1px solid var(--rule); border-radius: 4px; padding: 6px 8px; }
.figure dt { color: var(--muted); font-size: 0.85em; }
.figure dd { margin: 0; font-size: 1.6em; font-weight: bold; font-variant-numeric: tabular-nums; }
svg.chart { width: 100%; height: auto; display: block; }
svg text { font-size: 11px; fill: var(--ink); }
svg .tick, svg .mark-label { fill: var(--muted); font-size: 10px; }
svg .value { font-variant-numeric: tabular-nums; }
.bar.earned { fill: var(--earned); }
.bar.owed { fill: var(--owed); }
.bar.hours { fill: var(--hours); }
.bar.near { stroke: var(--near); stroke-width: 2; }
.track { fill: var(--track); }
.axis { stroke: var(--ink); stroke-width: 1; }
.grid { stroke: var(--rule); stroke-width: 1; }
.mark { stroke: var(--muted); stroke-width: 1; stroke-dasharray: 4 3; }
.balance-line { fill: none; stroke: var(--hours); stroke-width: 2; }
table { border-collapse: collapse; width: 100%; font-size: 0.9em; }
th, td { text-align: left; padding: 2px 6px; border-bottom: 1px solid var(--track); vertical-align: top; }
th { border-bottom: 1px solid var(--ink); }
.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.whole { white-space: nowrap; }
thead { display: table-header-group; }
tr { break-inside: avoid; }
.note, .none { color: var(--muted); font-size: 0.85em; margin: 4px 0 0; }
.muted { color: var(--muted); }
.totals.four { grid-template-columns: repeat(4, 1fr); }
.bulletin p { margin: 0 0 4px; }
.bulletin ul, .bulletin ol { margin: 0 0 4px; padding-left: 1.2em; }
.bulletin h3 { font-size: 1em; margin: 4px 0 2px; }
.groups { columns: 2; column-gap: 28px; }
.groups p, .groups ul { break-inside: avoid; }
.groups h3 { break-after: avoid; }
.quadrant { stroke: #fff; stroke-width: 2; }
.quadrant.q0 { fill: #dcefe3; }
.quadrant.q1 { fill: #f8ead0; }
.quadrant.q2 { fill: #e1ebf5; }
.quadrant.q3 { fill: #eceef0; }
.need circle { fill: var(--hours); }
svg .need-name { font-weight: bold; }
footer { margin-top: 14px; border-top: 1px solid var(--rule); color: var(--muted); font-size: 0.8em; }
@media print {
  body { max-width: none; padding: 0; font-size: 9pt; line-height: 1.3; }
  main { gap: 10px 20px; }
  td, th { padding: 1px 5px; }
  .statement table { font-size: 8pt; line-height: 1.2; }
  .statement td { padding: 0.5px 5px; }
}
"""


def _figure(key: str, label: str, value: Decimal | int) -> str:
    """One figure of a page's head, as the reader's language writes it; data-value as the files write it."""
    if isinstance(value, Decimal):
        data, said = format_hours(value), hours(value)
    else:
        data, said = str(value), number(value)
    return f'<div class="figure" id="figure-{key}"><dt>{escape(label)}</dt><dd data-value="{data}">{escape(said)}</dd></div>'


def _page(title: str, body: str) -> str:
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{language()}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head>"
        f"<body>{body}</body></html>\n"
    )
