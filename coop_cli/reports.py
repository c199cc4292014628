"""Balances and statements as plain rows, computed from entries; the CLI only renders them.

Every figure here can be reproduced with `hledger bal` on the same journal files.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Iterable

from coop_cli.members import Register
from coop_cli.model import COOP_ACCOUNT, Entry, account_member, party

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


def statement(entries: Iterable[Entry], account: str, start: date | None = None, end: date | None = None) -> tuple[Decimal, list[StatementRow]]:
    """The opening balance at `start` and one row per entry touching `account` up to `end`, with the running balance."""
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
        rows.append(StatementRow(entry.date, entry.id, entry.description, ", ".join(others), amount, running))
    return opening, rows
