"""Balances, statements and period reports as plain rows, computed from entries; the CLI and the HTML page only render them.

Every figure here can be reproduced with hledger on the same journal files: docs/reports.md gives the command for each.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Iterable

from coop_cli.errors import BadInput
from coop_cli.i18n import _, day
from coop_cli.members import Register
from coop_cli.model import COOP_ACCOUNT, Charter, Entry, Group, Meeting, Posting, account_member, member_account, party

ZERO = Decimal(0)


def post(entry: Entry, balances: dict[str, Decimal]) -> None:
    """Move an entry's hours in a running balance table."""
    for posting in entry.postings:
        balances[posting.account] = balances.get(posting.account, ZERO) + posting.amount


def balances(entries: Iterable[Entry], until: date | None = None) -> dict[str, Decimal]:
    """Each account's balance after every entry dated on or before `until` (all of them by default)."""
    table: dict[str, Decimal] = {}
    for entry in entries:
        if until is None or entry.date <= until:
            post(entry, table)
    return table


@dataclass(frozen=True)
class BalanceRow:
    account: str
    member: str | None
    name: str
    status: str
    balance: Decimal


def balance_rows(table: dict[str, Decimal], register: Register, member: str | None = None) -> list[BalanceRow]:
    """One row per member in register order (zero balances included), then the coop account, then any other account."""
    rows = [BalanceRow(m.account, m.id, m.name, m.status, table.get(m.account, ZERO)) for m in register.members]
    rows.append(BalanceRow(COOP_ACCOUNT, None, "", "", table.get(COOP_ACCOUNT, ZERO)))
    known = {row.account for row in rows}
    rows += [BalanceRow(a, account_member(a), "", "", b) for a, b in sorted(table.items()) if a not in known]
    if member is not None:
        rows = [row for row in rows if row.member == member or (member == COOP_ACCOUNT and row.account == COOP_ACCOUNT)]
    return rows


@dataclass(frozen=True)
class StatementRow:
    date: date
    id: str | None
    description: str
    counterparty: str
    amount: Decimal
    balance: Decimal
    kind: str = "exchange"                  # exchange, meeting or reversal, as the entry's `kind` tag
    reverses: str | None = None             # a reversal: the id of the entry it undoes, with that entry's date and description
    reverses_date: date | None = None
    reverses_description: str | None = None


def statement(entries: Iterable[Entry], account: str, start: date | None = None, end: date | None = None) -> tuple[Decimal, list[StatementRow]]:
    """The opening balance at `start` and one row per entry touching `account` up to `end`, with the running balance.

    A reversal's row names the entry it undoes, wherever that entry is dated, so a member reads what was taken back.
    """
    entries = list(entries)
    by_id = {entry.id: entry for entry in entries}
    running = ZERO
    opening = ZERO
    rows = []
    for entry in sorted(entries, key=lambda e: e.date):
        amount = sum((p.amount for p in entry.postings if p.account == account), ZERO)
        if not any(p.account == account for p in entry.postings):
            continue
        if end is not None and entry.date > end:
            break
        running += amount
        if start is not None and entry.date < start:
            opening = running
            continue
        others = sorted({party(p.account) for p in entry.postings if p.account != account})
        original = by_id.get(entry.tag("reverses")) if is_reversal(entry) else None
        rows.append(StatementRow(
            entry.date, entry.id, entry.description, ", ".join(others), amount, running, entry.kind,
            entry.tag("reverses") if is_reversal(entry) else None,
            original.date if original else None, original.description if original else None,
        ))
    return opening, rows


def statement_description(row: StatementRow) -> str:
    """What a member reads for a row: a reversal names the entry it undoes, by its date and description, then its reason."""
    if row.kind != "reversal":
        return row.description
    if row.reverses_date is None:  # an entry coop cannot find: verify names it; the statement still says which
        return _("Reversal of {id}: {reason}").format(id=row.reverses, reason=row.description)
    return _("Reversal of {date} “{description}”: {reason}").format(date=day(row.reverses_date), description=row.reverses_description, reason=row.description)


@dataclass(frozen=True)
class StatementTotals:
    """A statement's figures: what was earned and paid in exchanges, and what reversals moved, apart."""

    opening: Decimal
    earned: Decimal      # hours earned in exchanges and meetings, reversals left out
    paid: Decimal        # hours paid in exchanges, reversals left out
    reversed: Decimal    # what the reversals moved: positive when they gave hours back to this member
    reversals: int
    closing: Decimal


def statement_totals(opening: Decimal, rows: list[StatementRow]) -> StatementTotals:
    """Opening + earned − paid + reversed = closing: a reversal undoes an exchange and is not one."""
    exchanges = [row for row in rows if row.kind != "reversal"]
    reversals = [row for row in rows if row.kind == "reversal"]
    return StatementTotals(
        opening=opening,
        earned=sum((row.amount for row in exchanges if row.amount > 0), ZERO),
        paid=-sum((row.amount for row in exchanges if row.amount < 0), ZERO),
        reversed=sum((row.amount for row in reversals), ZERO),
        reversals=len(reversals),
        closing=rows[-1].balance if rows else opening,
    )


# ---------------------------------------------------------------- periods, as hledger writes them

_YEAR = re.compile(r"([0-9]{4})", re.ASCII)
_QUARTER = re.compile(r"([0-9]{4})[qQ]([1-4])", re.ASCII)
_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})", re.ASCII)
_DAY = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})", re.ASCII)


@dataclass(frozen=True)
class Period:
    """The days from `start` (included) to `end` (excluded), as hledger's -b and -e; None leaves a side open."""

    start: date | None = None
    end: date | None = None
    label: str = ""

    def __contains__(self, day: date) -> bool:
        return (self.start is None or day >= self.start) and (self.end is None or day < self.end)

    @property
    def last_day(self) -> date | None:
        return self.end - timedelta(days=1) if self.end else None


def _named_span(text: str, what: str) -> tuple[date, date]:
    """The first day of a period written `2026`, `2026Q1`, `2026-03` or `2026-03-10`, and the day after its last."""
    raw = text.strip()
    try:
        if m := _YEAR.fullmatch(raw):
            year = int(m[1])
            return date(year, 1, 1), date(year + 1, 1, 1)
        if m := _QUARTER.fullmatch(raw):
            first = date(int(m[1]), 3 * int(m[2]) - 2, 1)
            return first, add_months(first, 3)
        if m := _MONTH.fullmatch(raw):
            first = date(int(m[1]), int(m[2]), 1)
            return first, add_months(first, 1)
        if m := _DAY.fullmatch(raw):
            day = date(int(m[1]), int(m[2]), int(m[3]))
            return day, day + timedelta(days=1)
    except ValueError:
        pass  # a month 13 or a 30 February: the same sentence as any unreadable period
    raise BadInput(
        _("{what} must be a period as hledger writes it (2026, 2026Q1, 2026-03 or 2026-03-10), got {text!r}").format(what=what, text=text)
    )


def parse_period(text: str) -> Period:
    """`-p PERIOD`: a year, a quarter, a month or a day."""
    start, end = _named_span(text, "--period")
    return Period(start, end, text.strip().upper() if "q" in text.lower() else text.strip())


def period_between(begin: str | None, end: str | None) -> Period:
    """`-b` and `-e` as hledger reads them: each names the first day of what it writes, so `-e 2026-04` stops before April."""
    start = _named_span(begin, "--begin")[0] if begin else None
    stop = _named_span(end, "--end")[0] if end else None
    if start and stop and stop <= start:
        raise BadInput(_("--end {end} is not after --begin {begin}: the period is empty").format(end=stop, begin=start))
    if start is None and stop is None:
        return Period(label=_("all dates"))
    last = stop - timedelta(days=1) if stop else None
    return Period(start, stop, f"{start or ''}..{last or ''}")


def add_months(day: date, months: int) -> date:
    """The same day `months` later (or earlier), kept inside shorter months: 31 March minus one month is 28 or 29 February."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def months_between(first: date, last: date) -> list[str]:
    """Every month from `first`'s to `last`'s, as hledger heads its -M columns (`2026-03`)."""
    months, day = [], first.replace(day=1)
    while day <= last:
        months.append(f"{day:%Y-%m}")
        day = add_months(day, 1)
    return months


# ---------------------------------------------------------------- the two sides of an exchange

def is_reversal(entry: Entry) -> bool:
    return entry.kind == "reversal"


def earning_side(entry: Entry) -> list[Posting]:
    """The postings of whoever earned: the positive ones, or in a reversal the negative ones, which take back what was earned.

    So a reversal subtracts from the month, the category and the member of the month it is dated in, as it
    does in hledger: `amt:'>0' not:tag:kind=reversal` plus `amt:'<0' tag:kind=reversal`.
    """
    return [p for p in entry.postings if (p.amount < 0 if is_reversal(entry) else p.amount > 0)]


def paying_side(entry: Entry) -> list[Posting]:
    """The postings of whoever paid: `amt:'<0' not:tag:kind=reversal` plus `amt:'>0' tag:kind=reversal` in hledger."""
    return [p for p in entry.postings if (p.amount > 0 if is_reversal(entry) else p.amount < 0)]


def exchanged(entry: Entry) -> Decimal:
    """The hours an entry adds to the hours exchanged: negative for a reversal."""
    return sum((p.amount for p in earning_side(entry)), ZERO)


def members_in(entry: Entry) -> set[str]:
    return {m for p in entry.postings if (m := account_member(p.account))}


# ---------------------------------------------------------------- the figures of a period

@dataclass(frozen=True)
class Totals:
    hours: Decimal            # hours exchanged, reversals subtracted
    exchanges: int            # entries that are not reversals
    reversals: int
    hours_reversed: Decimal
    active_members: int       # members with at least one exchange
    coop_paid: Decimal        # what the coop's own account paid (meeting time)


def totals(entries: list[Entry]) -> Totals:
    """The headline figures of the entries of one period."""
    exchanges = [e for e in entries if not is_reversal(e)]
    reversals = [e for e in entries if is_reversal(e)]
    return Totals(
        hours=sum((exchanged(e) for e in entries), ZERO),
        exchanges=len(exchanges),
        reversals=len(reversals),
        hours_reversed=-sum((exchanged(e) for e in reversals), ZERO),
        active_members=len(set().union(*(members_in(e) for e in exchanges))),
        coop_paid=paid_by(entries, COOP_ACCOUNT),
    )


def paid_by(entries: Iterable[Entry], account: str) -> Decimal:
    return -sum((p.amount for e in entries for p in paying_side(e) if p.account == account), ZERO)


def earned_by(entries: Iterable[Entry], accounts: set[str]) -> Decimal:
    return sum((p.amount for e in entries for p in earning_side(e) if p.account in accounts), ZERO)


@dataclass(frozen=True)
class MonthRow:
    month: str
    hours: Decimal
    exchanges: int
    active_members: int
    coop_paid: Decimal


def by_month(entries: list[Entry], months: list[str]) -> list[MonthRow]:
    """One row per month of the period, empty months included, as `hledger bal -M` shows them."""
    rows = []
    for month in months:
        figures = totals([e for e in entries if f"{e.date:%Y-%m}" == month])
        rows.append(MonthRow(month, figures.hours, figures.exchanges, figures.active_members, figures.coop_paid))
    return rows


@dataclass(frozen=True)
class CategoryRow:
    category: str | None      # None: exchanges recorded without a category
    hours: Decimal
    exchanges: int


def by_category(entries: list[Entry]) -> list[CategoryRow]:
    """Hours per `cat` tag, most first; a reversal carries its original's category, so it subtracts from it."""
    found: dict[str | None, list[Entry]] = {}
    for entry in entries:
        found.setdefault(entry.tag("cat"), []).append(entry)
    rows = [CategoryRow(cat, figures.hours, figures.exchanges) for cat, group in found.items() for figures in [totals(group)]]
    return sorted(rows, key=lambda row: (-row.hours, row.category or ""))


@dataclass(frozen=True)
class GroupRow:
    group: str
    members: int
    hours: Decimal
    exchanges: int


def by_group(entries: list[Entry], groups: Iterable[Group]) -> list[GroupRow]:
    """Hours earned by each working group's members: an exchange counts for every group its earner is in."""
    rows = []
    for group in groups:
        accounts = {member_account(m) for m in group.members}
        counted = [e for e in entries if not is_reversal(e) and any(p.account in accounts for p in earning_side(e))]
        rows.append(GroupRow(group.name, len(group.members), earned_by(entries, accounts), len(counted)))
    return rows


@dataclass(frozen=True)
class MemberRow:
    account: str
    member: str | None        # None: the coop's own account
    name: str
    earned: Decimal
    paid: Decimal
    change: Decimal
    balance: Decimal          # at the end of the period
    exchanges: int


def by_member(entries: list[Entry], register: Register, closing: dict[str, Decimal]) -> list[MemberRow]:
    """Each member in register order, then the coop account: what they earned and paid in the period."""
    parties = [(m.account, m.id, m.name) for m in register.members] + [(COOP_ACCOUNT, None, "")]
    rows = []
    for account, member, name in parties:
        earned, paid = earned_by(entries, {account}), paid_by(entries, account)
        count = sum(1 for e in entries if not is_reversal(e) and any(p.account == account for p in e.postings))
        rows.append(MemberRow(account, member, name, earned, paid, earned - paid, closing.get(account, ZERO), count))
    return rows


# ---------------------------------------------------------------- members to look after

NEAR_LIMIT = Decimal("0.8")   # close to a limit: past 80% of the way from zero to it
INACTIVE_MONTHS = 6


@dataclass(frozen=True)
class LimitRow:
    member: str
    name: str
    balance: Decimal
    limit: Decimal
    room: Decimal             # hours left before the limit


def near_limits(closing: dict[str, Decimal], register: Register, charter: Charter) -> list[LimitRow]:
    """Members past 80% of the way from zero to the charter's lower or upper limit, lowest balance first.

    Measured from zero rather than across the whole range: with limits of -20 and 100, a fifth of the range
    (24 h) is more than the whole overdraft, while 80% of -20 (-16 h) is a member with 4 h of credit left.
    Members who left are not listed: they no longer exchange.
    """
    rows = []
    for member in register.members:
        balance = closing.get(member.account, ZERO)
        if member.status == "left":
            continue
        if charter.min_balance < 0 and balance <= charter.min_balance * NEAR_LIMIT:
            rows.append(LimitRow(member.id, member.name, balance, charter.min_balance, balance - charter.min_balance))
        elif charter.max_balance > 0 and balance >= charter.max_balance * NEAR_LIMIT:
            rows.append(LimitRow(member.id, member.name, balance, charter.max_balance, charter.max_balance - balance))
    return sorted(rows, key=lambda row: row.balance)


@dataclass(frozen=True)
class InactiveRow:
    member: str
    name: str
    since: date
    last_exchange: date | None  # None: never


def inactive(entries: list[Entry], register: Register, on: date) -> list[InactiveRow]:
    """Active members with no exchange in the six months up to `on`, longest silent first.

    Members who joined less than six months before `on` are not counted as silent yet.
    """
    cutoff = add_months(on, -INACTIVE_MONTHS)
    last: dict[str, date] = {}
    for entry in entries:
        if entry.date <= on and not is_reversal(entry):
            for member in members_in(entry):
                last[member] = max(last.get(member, entry.date), entry.date)
    rows = [
        InactiveRow(m.id, m.name, m.since, last.get(m.id))
        for m in register.members
        if m.active and m.since <= cutoff and (m.id not in last or last[m.id] < cutoff)
    ]
    return sorted(rows, key=lambda row: row.last_exchange or date.min)


# ---------------------------------------------------------------- decisions

@dataclass(frozen=True)
class DecisionRow:
    decision: str
    date: date
    meeting: str
    text: str
    outcome: str
    votes_for: int
    against: int
    abstain: int
    consensus: bool


def decisions_in(meetings: Iterable[Meeting], period: Period) -> list[DecisionRow]:
    """The decisions of the meetings held in the period, in the order they were taken."""
    return [
        DecisionRow(d.id, m.date, m.title, d.text, d.outcome, d.votes_for, d.against, d.abstain, d.consensus)
        for m in sorted(meetings, key=lambda meeting: meeting.date)
        if m.date in period
        for d in m.decisions
    ]


# ---------------------------------------------------------------- the whole report

@dataclass(frozen=True)
class Report:
    period: Period
    balances_on: date | None  # balances are those at the end of this day (None: after every entry)
    judged_on: date           # the day inactivity is measured to: the period's last day, or today if sooner
    totals: Totals
    months: list[MonthRow]
    categories: list[CategoryRow]
    groups: list[GroupRow]
    members: list[MemberRow]
    balances: list[BalanceRow]
    near_limits: list[LimitRow]
    inactive: list[InactiveRow]
    decisions: list[DecisionRow]


def report(entries: list[Entry], register: Register, charter: Charter, meetings: Iterable[Meeting], period: Period, today: date) -> Report:
    """Every figure of a period's report, from the books as read; the CLI and the HTML page only render it."""
    inside = [e for e in sorted(entries, key=lambda e: e.date) if e.date in period]
    closing = balances(entries, period.last_day)
    judged_on = min(period.last_day, today) if period.last_day else today
    return Report(
        period=period,
        balances_on=period.last_day,
        judged_on=judged_on,
        totals=totals(inside),
        months=by_month(inside, _months_of(inside, period)),
        categories=by_category(inside),
        groups=by_group(inside, register.groups),
        members=by_member(inside, register, closing),
        balances=balance_rows(closing, register),
        near_limits=near_limits(closing, register, charter),
        inactive=inactive(entries, register, judged_on),
        decisions=decisions_in(meetings, period),
    )


def _months_of(inside: list[Entry], period: Period) -> list[str]:
    """The months of the period, empty ones included as in `hledger bal -M`; an open side stops at the first or last entry."""
    first = period.start or (inside[0].date if inside else None)
    last = period.last_day or (inside[-1].date if inside else None)
    if first is None or last is None or last < first:
        return []
    return months_between(first, last)
