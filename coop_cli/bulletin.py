"""The internal bulletin ("journal interne"): a month of the coop in one printable page, gathered from the books.

New members, the month's exchanges, meetings and decisions, who is in which working group, new offers and wants, the
needs matrix, and members who might help each other; `cli/bulletin.py` and `html.bulletin_page` only render it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from coop_cli import matching, reports
from coop_cli import needs as needs_format
from coop_cli.journal import parse_journal
from coop_cli.members import Register
from coop_cli.model import Charter, Group, Meeting, Member, Need, Service
from coop_cli.repo import LEDGER, Coop

TOP_CATEGORIES = 3
TOP_MATCHES = 5


@dataclass(frozen=True)
class NeedRow:
    need: Need
    quadrant: str
    offers: int
    wants: int


@dataclass(frozen=True)
class Bulletin:
    charter: Charter
    period: reports.Period
    on: date                                     # the day the directory and the matches are judged on: the period's last day, or today if sooner
    new_members: list[Member]
    totals: reports.Totals
    categories: list[reports.CategoryRow]        # the most active, most hours first
    meetings: list[Meeting]                      # held in the period
    decisions: list[reports.DecisionRow]
    groups: tuple[Group, ...]
    names: dict[str, str]                        # member id -> name
    new_offers: list[tuple[Member, Service]]     # added in the period, still current
    new_wants: list[tuple[Member, Service]]
    needs: list[NeedRow]
    matches: list[matching.Suggestion]


def gather(coop: Coop, period: reports.Period, today: date) -> Bulletin:
    """Everything a period's bulletin says. Only the journals of its months are read, so it costs the same on a million entries."""
    charter, register = coop.charter(), coop.register()
    on = min(period.last_day, today) if period.last_day else today
    entries = [e for relative in _journals(coop, period) for e in parse_journal(coop.read(relative), relative, charter.unit)[0] if e.date in period]
    meetings = [m for m in coop.meetings() if m.date in period]
    return Bulletin(
        charter=charter,
        period=period,
        on=on,
        new_members=[m for m in register.members if m.since in period],
        totals=reports.totals(entries),
        categories=[row for row in reports.by_category(entries) if row.category and row.hours > 0][:TOP_CATEGORIES],
        meetings=meetings,
        decisions=reports.decisions_in(meetings, period),
        groups=register.groups,
        names={m.id: m.name for m in register.members},
        new_offers=_added(register, "offers", period, on),
        new_wants=_added(register, "wants", period, on),
        needs=need_rows(coop.needs(), register, charter, on),
        matches=_matches(matching.in_books(coop, on)),
    )


def need_rows(needs: tuple[Need, ...], register: Register, charter: Charter, on: date) -> list[NeedRow]:
    """The needs in the matrix's order (urgent and easy first), with the offers and wants that touch each."""
    rows = [NeedRow(need, needs_format.quadrant(need.urgency, need.difficulty), *matching.touching(need, register, charter, on)) for need in needs]
    return sorted(rows, key=lambda r: (needs_format.QUADRANTS.index(r.quadrant), -r.need.urgency, r.need.difficulty, r.need.name))


def _journals(coop: Coop, period: reports.Period) -> list[str]:
    files = coop.journal_files()
    if period.start is None or period.end is None:
        return files
    months = {f"{LEDGER}/{month}.journal" for month in reports.months_between(period.start, period.last_day)}
    return [relative for relative in files if relative in months]


def _added(register: Register, kind: str, period: reports.Period, on: date) -> list[tuple[Member, Service]]:
    return [(m, s) for m in register.members if m.active for s in getattr(m, kind) if s.added and s.added in period and s.current(on)]


def _matches(suggestions: list[matching.Suggestion]) -> list[matching.Suggestion]:
    """The best suggestions, each member at most once as the one who wants and once as the one who offers, so that the
    page names several people."""
    chosen, payers, earners = [], set(), set()
    for suggestion in suggestions:
        if suggestion.payer.id not in payers and suggestion.earner.id not in earners:
            chosen.append(suggestion)
            payers.add(suggestion.payer.id)
            earners.add(suggestion.earner.id)
        if len(chosen) == TOP_MATCHES:
            break
    return chosen
