"""Every rule of the charter that an entry must respect, returning problems as plain sentences.

`record`, `record --batch` and `revert` ask the same questions here before anything is written.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from coop_cli.i18n import _
from coop_cli.members import Register
from coop_cli.model import COOP_ACCOUNT, Charter, Entry, Member, account_member, format_hours


def entry_problems(
    entry: Entry,
    charter: Charter,
    register: Register,
    balances: dict[str, Decimal],
    recorder: Member,
    today: date,
) -> list[str]:
    """What is wrong with recording `entry` now, given the balances before it; empty when it may be written."""
    payer, earner, hours = entry.payer, entry.earner, entry.hours
    problems = amount_problems(hours, charter)
    if payer == earner or payer is None or earner is None:
        return problems + [_("the payer and the earner must be two different accounts")]
    for account in (payer, earner):
        problems += _party_problems(account, entry.date, register)
    if entry.date > today:
        problems.append(_("the date {date} is in the future").format(date=entry.date))
    if not problems:
        problems += limit_problems(payer, earner, hours, charter, balances)
    return problems + recorder_problems(recorder, payer, charter)


def recorder_problems(recorder: Member, payer: str, charter: Charter) -> list[str]:
    """Why `recorder` may not record an exchange paid by `payer`; empty when they may."""
    if recorder.status != "active":
        return [_("{id} is {status} and cannot record exchanges").format(id=recorder.id, status=recorder.status)]
    if not may_record(recorder, payer, charter):
        return [
            _("{id} may only record exchanges they pay themselves (recording for others needs the role {roles})").format(
                id=recorder.id, roles=_(" or ").join(charter.recorders) or "-"
            )
        ]
    return []


def may_record(recorder: Member, payer: str, charter: Charter) -> bool:
    """A recorder role may record any exchange; any member may record one they pay themselves."""
    return bool(set(recorder.roles) & set(charter.recorders)) or payer == recorder.account


def amount_problems(hours: Decimal, charter: Charter) -> list[str]:
    """What the charter says against an amount: positive, a multiple of the step, at most max_exchange."""
    if hours <= 0:
        return [_("hours must be positive, got {hours}").format(hours=hours)]
    problems = []
    if hours % charter.step:
        problems.append(_("{hours} h is not a multiple of the charter's step of {step} h").format(hours=hours, step=charter.step))
    if hours > charter.max_exchange:
        problems.append(
            _("{hours} h is more than the charter's max_exchange of {limit} h").format(hours=hours, limit=charter.max_exchange)
        )
    return problems


def _party_problems(account: str, when: date, register: Register) -> list[str]:
    if account == COOP_ACCOUNT:
        return []
    member_id = account_member(account)
    member = register.get(member_id) if member_id else None
    if member is None:
        return [_("{id!r} is not a member of this coop (see coop member list)").format(id=member_id or account)]
    if member.status != "active":
        return [_("{id} is {status} and cannot take part in exchanges").format(id=member.id, status=member.status)]
    if when < member.since:
        return [_("{id} joined on {since}, after the exchange's date {date}").format(id=member.id, since=member.since, date=when)]
    return []


def limit_problems(payer: str, earner: str, hours: Decimal, charter: Charter, balances: dict[str, Decimal]) -> list[str]:
    problems = []
    if payer != COOP_ACCOUNT:
        after = balances.get(payer, Decimal(0)) - hours
        if after < charter.min_balance:
            problems.append(
                _("{id}'s balance would be {balance} h, below the charter's min_balance of {limit} h").format(
                    id=account_member(payer), balance=format_hours(after), limit=charter.min_balance
                )
            )
    if earner != COOP_ACCOUNT:
        after = balances.get(earner, Decimal(0)) + hours
        if after > charter.max_balance:
            problems.append(
                _("{id}'s balance would be {balance} h, above the charter's max_balance of {limit} h").format(
                    id=account_member(earner), balance=format_hours(after), limit=charter.max_balance
                )
            )
    return problems

