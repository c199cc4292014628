"""Every rule of the charter that an entry must respect, returning problems as plain sentences.

`record`, `record --batch` and `revert` ask the same questions here before anything is written.
"""

from __future__ import annotations

import functools
from datetime import date
from decimal import Decimal
from typing import Callable

from coop_cli import meetings
from coop_cli.i18n import _, word
from coop_cli.members import Register
from coop_cli.model import COOP_ACCOUNT, HISTORY_ITEM, Charter, Entry, Meeting, Member, account_member, format_hours, member_account

DecidedOn = Callable[[str], "date | None"]  # an adopted decision's id -> the date of the meeting that took it
UNKNOWN: DecidedOn = lambda _decision: None  # noqa: E731


def decided_on(minutes: Callable[[], list[Meeting]]) -> DecidedOn:
    """The date of the meeting that adopted each decision; the minutes are read only when a status is judged at a date."""
    dates = functools.cache(lambda: meetings.decided_on(minutes()))
    return lambda decision: dates().get(decision)


def entry_problems(
    entry: Entry,
    charter: Charter,
    register: Register,
    balances: dict[str, Decimal],
    recorder: Member,
    today: date,
    decided_on: DecidedOn = UNKNOWN,
    closing: Meeting | None = None,
) -> list[str]:
    """What is wrong with recording `entry` now, given the balances before it; empty when it may be written.

    Each party's status is judged at the exchange's date (`status_on`, with `decided_on`); `closing` is the meeting
    whose closing the entry is part of, if any: its credits may be signed by an officer (`recorder_problems`).
    """
    payer, earner, hours = entry.payer, entry.earner, entry.hours
    problems = amount_problems(hours, charter)
    if payer == earner or payer is None or earner is None:
        return problems + [_("the payer and the earner must be two different accounts")]
    for account in (payer, earner):
        problems += _party_problems(account, entry.date, register, decided_on)
    if entry.date > today:
        problems.append(_("the date {date} is in the future").format(date=entry.date))
    if not problems:
        problems += limit_problems(payer, earner, hours, charter, balances)
    credit = closing is not None and is_meeting_credit(entry, closing)
    return problems + recorder_problems(recorder, payer, charter, credit)


def recorder_problems(recorder: Member, payer: str, charter: Charter, meeting_credit: bool = False) -> list[str]:
    """Why `recorder` may not record an exchange paid by `payer`; empty when they may.

    A meeting's credits, written when it is closed, may be signed by whoever closes it: a treasurer or a secretary.
    """
    if recorder.status != "active":
        return [_("{id} is {status} and cannot record exchanges").format(id=recorder.id, status=word(recorder.status))]
    if meeting_credit and recorder.manages:
        return []
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


def is_meeting_credit(entry: Entry, meeting: Meeting) -> bool:
    """A meeting credit as closing writes it: kind meeting, naming the meeting, from the coop to an attendee, its duration, on its day."""
    return (
        entry.kind == "meeting" and entry.tag("meeting") == meeting.slug and entry.payer == COOP_ACCOUNT
        and entry.earner in {member_account(a) for a in meeting.attendees} and entry.hours == meeting.duration and entry.date == meeting.date
    )


def status_on(member: Member, day: date, decided_on: DecidedOn) -> str:
    """A member's status on a day: the status that held then, so that a slip written late is judged by the day of the exchange.

    A status change cites a decision, and takes effect on the date of the meeting that took it: an exchange dated before
    that day is judged by the status before the change. The register keeps each earlier status with the decision that
    ended it (`history: [active until D-2026-003]`, oldest first); the first one whose decision's meeting is after `day`
    held on that day, else the current status. A register from before `history` (no items) knows only the last change:
    a member who is not active was active before the meeting of the last decision they cite.
    """
    items = [HISTORY_ITEM.fullmatch(item) for item in member.history]
    for item in items:
        decided = decided_on(item[2]) if item else None
        if decided is not None and day < decided:
            return item[1]
    if not items and member.status != "active" and member.decisions:
        decided = decided_on(member.decisions[-1])
        if decided is not None and day < decided:
            return "active"
    return member.status


def _party_problems(account: str, when: date, register: Register, decided_on: DecidedOn) -> list[str]:
    if account == COOP_ACCOUNT:
        return []
    member_id = account_member(account)
    member = register.get(member_id) if member_id else None
    if member is None:
        return [_("{id!r} is not a member of this coop (see coop member list)").format(id=member_id or account)]
    status = status_on(member, when, decided_on)
    if status != "active" and status == member.status:
        return [_("{id} is {status} and cannot take part in exchanges").format(id=member.id, status=word(member.status))]
    if status != "active":
        return [_("{id} was {status} on {date} and cannot take part in exchanges of that day").format(id=member.id, status=word(status), date=when)]
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

