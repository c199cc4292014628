"""Matching: members' wants paired with other members' offers, ranked so that the coop's economy stays alive.

From the register, the charter, the balances and each member's last exchange (`in_books` reads them through the Coop);
`coop match` and the bulletin render what it finds, each suggestion with its reasons in one line.
"""

from __future__ import annotations

import heapq
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from coop_cli.i18n import _, day, ngettext, short_hours
from coop_cli.members import Register
from coop_cli.model import Charter, Member, Need, Service, folded

IDLE_MONTHS = 3        # a member without an exchange for this long is looked for first
LOOKBACK_MONTHS = 24   # how far back a last exchange is looked for
PER_WANT = 3           # the best offers kept for each want
ZERO = Decimal(0)
CENT = Decimal("0.01")
# Words that say nothing of what a service is, in French and English (articles, prepositions, "aide", "un coup de
# main"); texts are compared without case or accents.
STOP_WORDS = frozenset("""
au aux avec ces chez dans des est les leur leurs mes mon nos notre par pour ses son sur tes ton une vos votre aide coup main
and for from into its our the their with your help hand
""".split())


def words(text: str) -> frozenset[str]:
    """The words of a text that say what it is about: without case or accents, words of two letters, articles and
    prepositions of French and English, or a plural's final s or x (`Vélos` is `velo`, `repairs` is `repair`)."""
    return frozenset(filter(None, map(_stem, re.findall(r"[^\W\d_]+", text))))


def _stem(word: str) -> str | None:
    word = folded(word)
    if len(word) < 3 or word in STOP_WORDS:
        return None
    return word[:-1] if len(word) > 3 and word[-1] in "sx" else word


def as_written(text: str, stems: frozenset[str]) -> tuple[str, ...]:
    """The words of `text` whose stems are among `stems`, as the text writes them, each once."""
    return tuple(dict.fromkeys(word for word in re.findall(r"[^\W\d_]+", text) if _stem(word) in stems))


def category_of(service: Service, charter: Charter) -> str | None:
    """A service's category; an older plain word that is one of the charter's categories (`jardinage`) is that category."""
    if service.cat is not None:
        return service.cat
    return next((cat for cat in charter.categories if folded(cat) == folded(service.text)), None)


@dataclass(frozen=True)
class Idle:
    """A member who has not exchanged for months: since `since`, their last exchange (`exchange`), the day they joined
    (`joined`), or beyond how far back coop looked (`lookback`)."""

    member: Member
    since: date
    known: str


@dataclass(frozen=True)
class Suggestion:
    payer: Member            # who wants the service, and would pay for it
    want: Service
    earner: Member           # who offers it, and would earn
    offer: Service
    category: str | None     # the category want and offer share
    words: tuple[str, ...]   # the words their texts share, as the offer writes them
    earner_balance: Decimal
    idle: tuple[Idle, ...]
    priority: Decimal        # how much the exchange would help: the earner's debt as a share of the limit, plus the longest silence

    @property
    def fit(self) -> tuple[int, int]:
        return (self.category is not None, len(self.words))


def match(register: Register, charter: Charter, balances: dict[str, Decimal], last: dict[str, date], on: date,
          member: str | None = None) -> list[Suggestion]:
    """Each active member's current wants paired with other active members' current offers of the same category or sharing
    a word, the best `PER_WANT` for each want, all ranked: first where the earner is furthest below zero (they need to
    earn) or one of the two has not exchanged for months, then by how well want and offer fit. A pair the charter's limits
    would refuse (a payer who cannot pay one step, an earner who cannot earn one) is left out. `last`: each member's last
    exchange, looked for since `LOOKBACK_MONTHS` before `on`. With `member`, only the pairs where they want or offer."""
    active = [m for m in register.members if m.active]
    order = {m.id: index for index, m in enumerate(register.members)}
    offers = [(m, s, category_of(s, charter), words(s.text)) for m in active for s in m.offers if s.current(on)]
    by_key: dict[str, list[int]] = {}
    for index, (_m, _s, cat, texts) in enumerate(offers):
        for key in ({f"cat:{cat}"} if cat else set()) | {f"word:{w}" for w in texts}:
            by_key.setdefault(key, []).append(index)
    idle = {m.id: _idle(m, last.get(m.id), on) for m in active}
    silence = {m: _silence(quiet, on) for m, quiet in idle.items()}
    earns = {m.id for m in active if balances.get(m.account, ZERO) + charter.step <= charter.max_balance}
    # What ranks an offer, whoever wants it: its earner, their place in the register, their need to earn and silence.
    facts = [(m.id, order[m.id], _need(balances.get(m.account, ZERO), charter), silence[m.id], m.id in earns, cat, texts)
             for m, _s, cat, texts in offers]
    found = []
    for payer in active:
        if balances.get(payer.account, ZERO) - charter.step < charter.min_balance:
            continue
        quiet = silence[payer.id]
        for want in (w for w in payer.wants if w.current(on)):
            cat, texts = category_of(want, charter), words(want.text)
            keys = ({f"cat:{cat}"} if cat else set()) | {f"word:{w}" for w in texts}
            candidates = []  # cheap keys first: on 300 members a want meets hundreds of offers, and only the best few are kept
            for index in {index for key in keys for index in by_key.get(key, ())}:
                earner, place, need, still, earning, offer_cat, offer_words = facts[index]
                if earning and earner != payer.id and member in (None, payer.id, earner):
                    priority = (need + (quiet if quiet > still else still)).quantize(CENT)  # ties as shown
                    candidates.append((-priority, -(cat is not None and cat == offer_cat), -len(texts & offer_words), place, index))
            for priority, _fit, _words, _place, index in heapq.nsmallest(PER_WANT, candidates):
                earner, offer, offer_cat, offer_words = offers[index]
                both = tuple(i for i in (idle[payer.id], idle[earner.id]) if i is not None)
                found.append(Suggestion(payer, want, earner, offer, cat if cat is not None and cat == offer_cat else None,
                                        as_written(offer.text, texts & offer_words), balances.get(earner.account, ZERO), both, -priority))
    return sorted(found, key=lambda s: (-s.priority, tuple(-f for f in s.fit), order[s.payer.id], order[s.earner.id]))


def in_books(coop, on: date, member: str | None = None) -> list[Suggestion]:
    """What `match` finds in the books of `coop` (a repo.Coop) as they stand on `on`."""
    register = coop.register()
    last = coop.last_exchanges(on, LOOKBACK_MONTHS, {m.id for m in register.members if m.active})
    return match(register, coop.charter(), coop.balances(on), last, on, member)


def _idle(member: Member, last: date | None, on: date) -> Idle | None:
    if last is not None:
        found = Idle(member, last, "exchange")
    elif _months(member.since, on) < LOOKBACK_MONTHS:
        found = Idle(member, member.since, "joined")
    else:
        found = Idle(member, on, "lookback")
    return found if found.known == "lookback" or _months(found.since, on) >= IDLE_MONTHS else None


def _months(first: date, last: date) -> int:
    return (last.year - first.year) * 12 + last.month - first.month - (last.day < first.day)


def _need(balance: Decimal, charter: Charter) -> Decimal:
    """How much a member needs to earn: their debt as a share of the charter's lowest balance (at most 1)."""
    if balance >= 0:
        return ZERO
    return min(Decimal(1), balance / charter.min_balance) if charter.min_balance < 0 else Decimal(1)


def _silence(idle: Idle | None, on: date) -> Decimal:
    """How long a member has been silent, from 3 months (the silence that counts) to 12, as a share of a year."""
    if idle is None:
        return ZERO
    return Decimal(min(LOOKBACK_MONTHS if idle.known == "lookback" else _months(idle.since, on), 12)) / 12


def reason(suggestion: Suggestion, balances_shown: bool = True) -> str:
    """Why this pair, in one line: how want and offer fit, then what the exchange would do for the coop's economy.
    Without `balances_shown` (a bulletin whose charter does not allow it), no balance is written."""
    parts = []
    shared = ", ".join(suggestion.words)
    if suggestion.category and shared:
        parts.append(_("same category ({category}), shared words: {words}").format(category=suggestion.category, words=shared))
    elif suggestion.category:
        parts.append(_("same category ({category})").format(category=suggestion.category))
    else:
        parts.append(_("shared words: {words}").format(words=shared))
    earner, balance = suggestion.earner.name, suggestion.earner_balance
    if balance < 0 and balances_shown:
        parts.append(_("{name} is {hours} h below zero and needs to earn").format(name=earner, hours=short_hours(-balance)))
    elif balance < 0:
        parts.append(_("{name} needs to earn hours").format(name=earner))
    for idle in suggestion.idle:
        if idle.known == "exchange":
            parts.append(_("{name} has not exchanged since {date}").format(name=idle.member.name, date=day(idle.since)))
        elif idle.known == "joined":
            parts.append(_("{name} has not exchanged since joining on {date}").format(name=idle.member.name, date=day(idle.since)))
        else:
            parts.append(ngettext("{name} has not exchanged for {n} month or more", "{name} has not exchanged for {n} months or more",
                                  LOOKBACK_MONTHS).format(name=idle.member.name, n=LOOKBACK_MONTHS))
    return _("; ").join(parts)


def touching(need: Need, register: Register, charter: Charter, on: date) -> tuple[int, int]:
    """How many current offers and wants of active members fall in one of a need's categories."""
    counts = [sum(1 for m in register.members if m.active for s in getattr(m, kind) if s.current(on) and category_of(s, charter) in need.categories)
              for kind in ("offers", "wants")]
    return counts[0], counts[1]
