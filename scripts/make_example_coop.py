"""Generate the example coop "Bâtissons l'Alternative" as a real history of coop commits in a git repository.

Every book change is a commit coop makes, signed with a throwaway key that is deleted afterwards; `coop verify` judges it.
"""

from __future__ import annotations

import argparse
import random
import tempfile
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from coop_cli import book
from coop_cli.model import Entry
from coop_cli.repo import Coop, git
from coop_cli.signing import new_ed25519_key

NAME = "Bâtissons l'Alternative"
FOUNDED = date(2020, 3, 10)
LAST_DAY = date(2026, 10, 31)
SEED = 20200310
MIN_BALANCE, MAX_BALANCE = Decimal(-20), Decimal(100)

# (id, name, roles, offers, wants), in order of first appearance in the minutes' working groups.
MEMBERS = [
    ("agnes", "Agnès", ["treasurer"], ["jardinage", "couture"], ["réparation vélo"]),
    ("pascale", "Pascale", ["secretary"], ["informatique", "soutien scolaire"], ["jardinage", "bricolage"]),
    ("benedicte", "Bénédicte", [], ["cuisine", "garde d'enfants"], ["informatique", "covoiturage"]),
    ("michel", "Michel", [], ["bricolage", "réparation vélo"], ["cuisine", "couture"]),
    ("tim", "Tim", [], ["permaculture", "jardinage"], ["informatique", "réparation vélo"]),
    ("eric", "Eric", ["auditor"], ["informatique", "covoiturage"], ["cuisine", "jardinage"]),
    ("vincent", "Vincent", [], ["covoiturage", "bricolage", "permaculture"], ["couture", "soutien scolaire"]),
    ("claire", "Claire", [], ["soutien scolaire", "couture"], ["jardinage", "garde d'enfants"]),
    ("laurent1", "Laurent1", [], ["permaculture", "bricolage"], ["informatique", "cuisine"]),
    ("philippe", "Philippe", [], ["réparation vélo", "informatique"], ["cuisine", "jardinage"]),
    ("eve", "Évê", [], ["cuisine", "couture"], ["bricolage", "covoiturage"]),
    ("jean-paul", "Jean-Paul", [], ["bricolage", "covoiturage"], ["informatique", "couture"]),
    ("raymond", "Raymond", [], ["jardinage", "réparation vélo"], ["soutien scolaire", "informatique"]),
    ("lucas", "Lucas", [], ["informatique", "soutien scolaire"], ["réparation vélo", "cuisine"]),
    ("laurent2", "Laurent2", [], ["jardinage", "permaculture"], ["bricolage", "couture"]),
    ("brigitte", "Brigitte", [], ["couture", "garde d'enfants"], ["jardinage", "informatique"]),
    ("bernard", "Bernard", [], ["cuisine", "covoiturage"], ["jardinage", "bricolage"]),
    ("stephanie", "Stéphanie", [], ["soutien scolaire", "garde d'enfants"], ["réparation vélo", "couture"]),
    ("babette", "Babette", [], ["permaculture", "cuisine"], ["covoiturage", "informatique"]),
    ("benjamin", "Benjamin", [], ["réparation vélo", "bricolage"], ["soutien scolaire", "garde d'enfants"]),
    ("julien", "Julien", [], ["permaculture", "informatique"], ["couture", "covoiturage"]),
]
NAMES = {member_id: name for member_id, name, *_rest in MEMBERS}

# The six working groups of the founding minutes, whose meetings the coop pays for.
GROUPS = {
    "organisation interne": ["agnes", "pascale", "benedicte", "michel", "tim", "eric", "vincent"],
    "réflexion sur la structure": ["claire", "laurent1", "philippe", "eve", "vincent"],
    "définition des besoins": ["benedicte", "jean-paul", "raymond", "vincent"],
    "communication": ["lucas", "eric", "vincent"],
    "rencontre d'autres projets": ["agnes", "eric", "eve", "pascale", "philippe", "laurent1", "laurent2",
                                   "brigitte", "bernard", "stephanie", "babette", "vincent"],
    "permaculture": ["agnes", "claire", "tim", "babette", "benjamin", "laurent1", "laurent2", "julien", "vincent"],
}

# offer -> (category, weight, hours drawn from, descriptions); {p}/{de_p} name the member served,
# and a description starting with "coop:" is collective work paid by the coop's own account (drawn 12% of the time).
ACTIVITIES = {
    "jardinage": ("jardinage", 5, (1, 4), [
        "Jardinage chez {p}", "Taille de la haie chez {p}", "Désherbage du potager {de_p}",
        "Plantation des tomates chez {p}", "Tonte de la pelouse {de_p}", "coop:Entretien du jardin partagé"]),
    "réparation vélo": ("réparation", 4, (0.5, 2.5), [
        "Réparation du vélo {de_p}", "Réglage des freins du vélo {de_p}", "Changement de chambre à air pour {p}",
        "Révision du vélo {de_p} avant l'été", "coop:Atelier réparation vélo ouvert à tous"]),
    "soutien scolaire": ("soutien-scolaire", 4, (1, 2), [
        "Soutien scolaire (maths) pour la fille {de_p}", "Soutien scolaire (français) pour le fils {de_p}",
        "Aide aux devoirs pour les enfants {de_p}", "Cours d'anglais pour {p}", "Préparation au brevet avec la fille {de_p}"]),
    "cuisine": ("cuisine", 4, (1, 3), [
        "Repas préparés pour {p}", "Conserves de tomates avec {p}", "Confitures pour {p}",
        "coop:Atelier cuisine collective", "coop:Préparation du repas partagé"]),
    "permaculture": ("permaculture", 3, (2, 6), [
        "Conception d'un potager en permaculture chez {p}", "Installation d'un composteur chez {p}",
        "Buttes de culture chez {p}", "coop:Formation permaculture : buttes de culture",
        "coop:Formation permaculture : compost et paillage"]),
    "couture": ("couture", 3, (0.5, 3), [
        "Ourlets de pantalons pour {p}", "Retouche d'une veste pour {p}", "Rideaux cousus pour {p}",
        "Réparation de vêtements pour {p}", "coop:Atelier couture : sacs en tissu"]),
    "bricolage": ("bricolage", 4, (1, 5), [
        "Montage d'une étagère chez {p}", "Peinture de la cuisine {de_p}", "Pose d'un robinet chez {p}",
        "Petits travaux chez {p}", "Aide au déménagement {de_p}"]),
    "informatique": ("informatique", 3, (0.5, 3), [
        "Installation de Linux sur l'ordinateur {de_p}", "Aide aux démarches en ligne pour {p}",
        "Dépannage de l'imprimante {de_p}", "Initiation à l'ordinateur pour {p}", "coop:Mise à jour du site de la coopérative"]),
    "covoiturage": ("transport", 3, (0.5, 2), [
        "Covoiturage pour {p} jusqu'à la gare", "Transport de meubles pour {p}", "Accompagnement {de_p} au marché",
        "Covoiturage {de_p} à l'hôpital"]),
    "garde d'enfants": ("garde-enfants", 2, (1, 4), [
        "Garde des enfants {de_p}", "Sortie au parc avec les enfants {de_p}", "coop:Garde d'enfants pendant une réunion"]),
}
OUTDOOR = {"jardinage", "permaculture"}
LOCKDOWN = {(2020, 3), (2020, 4), (2020, 5), (2020, 11)}


def de(name: str) -> str:
    """French elision: "de Claire", "d'Agnès"."""
    return f"d'{name}" if name[0] in "AEIOUYÀÂÉÈÊÎÔÛ" else f"de {name}"


def months():
    year, month = FOUNDED.year, FOUNDED.month
    while (year, month) <= (LAST_DAY.year, LAST_DAY.month):
        yield year, month
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def month_days(year: int, month: int) -> list[date]:
    first = date(year, month, 1)
    following = date(year + month // 12, month % 12 + 1, 1)
    return [d for d in (first + timedelta(n) for n in range((following - first).days)) if FOUNDED < d <= LAST_DAY]


def meetings(year: int, month: int, rng: random.Random) -> list[tuple[date, str, Decimal, list[str]]]:
    """The month's meetings: the founding assembly, each March's general assembly, and the working groups."""
    found = []
    if (year, month) == (2020, 3):
        found.append((FOUNDED, "assemblée plénière fondatrice", Decimal(3), [m[0] for m in MEMBERS]))
    elif month == 3:
        attendees = [m[0] for m in MEMBERS if rng.random() < 0.45]
        found.append((date(year, 3, rng.randint(8, 20)), f"assemblée générale {year}", Decimal("2.5"), attendees))
    group_months = {(2020, 6), (2020, 9), (2020, 10), (2021, 2)}
    if (year, month) in group_months or (year > 2021 and month in (6, 11) and rng.random() < 0.6):
        group = rng.choice(list(GROUPS))
        attendees = [m for m in GROUPS[group] if rng.random() < 0.8]
        found.append((date(year, month, rng.randint(2, 26)), f"groupe {group}", Decimal("1.5"), attendees))
    return found


def hours_between(low: float, high: float, rng: random.Random) -> Decimal:
    quarters = rng.randint(int(low * 4), int(high * 4))
    return Decimal(max(quarters, 2)) / 4


def draw_exchange(day: date, balances: dict[str, Decimal], rng: random.Random) -> book.Exchange:
    """One exchange between members (or paid by the coop) that keeps every balance within the charter's limits."""
    while True:
        offers = list(ACTIVITIES)
        weights = [ACTIVITIES[o][1] * (0.3 if o in OUTDOOR and day.month in (11, 12, 1, 2) else 1)
                   * (0 if o == "soutien scolaire" and day.month in (7, 8) else 1) for o in offers]
        offer = rng.choices(offers, weights)[0]
        category, _weight, (low, high), descriptions = ACTIVITIES[offer]
        earner = rng.choice([m[0] for m in MEMBERS if offer in m[3]])
        collective = [d for d in descriptions if d.startswith("coop:")]
        description = rng.choice(collective if collective and rng.random() < 0.12 else [d for d in descriptions if d not in collective])
        hours = hours_between(low, high, rng)
        if description in collective:
            payer, description = "coop", description[len("coop:"):]
        else:
            wanting = [m[0] for m in MEMBERS if offer in m[4] and m[0] != earner]
            others = [m[0] for m in MEMBERS if m[0] != earner]
            pool = wanting if wanting and rng.random() < 0.7 else others
            # Members with more hours spend more: this keeps balances from drifting to the limits.
            payer = rng.choices(pool, [float(balances.get(m, 0)) + 25 for m in pool])[0]
            description = description.format(p=NAMES[payer], de_p=de(NAMES[payer]))
        if fits(payer, earner, hours, balances):
            return book.Exchange(payer, earner, str(hours), description, day.isoformat(), category)


def fits(payer: str, earner: str, hours: Decimal, balances: dict[str, Decimal]) -> bool:
    return (payer == "coop" or balances.get(payer, 0) - hours >= MIN_BALANCE) and balances.get(earner, 0) + hours <= MAX_BALANCE


def month_exchanges(year: int, month: int, balances: dict[str, Decimal], rng: random.Random) -> list[book.Exchange]:
    """The month's exchanges in date order, balances updated as each is drawn (as book.record checks them)."""
    days = month_days(year, month)
    usual = {2020: 2.5, 2021: 3, 2022: 3.5, 2023: 3.5, 2024: 4, 2025: 4, 2026: 4}[year]
    count = max(0, round(rng.gauss(usual * (0.3 if (year, month) in LOCKDOWN else 1), 1.2)))
    events = [(rng.choice(days), None) for _ in range(count)] + [(m[0], m) for m in meetings(year, month, rng)]
    exchanges = []
    for day, meeting in sorted(events, key=lambda event: event[0]):
        if meeting is None:
            drawn = [draw_exchange(day, balances, rng)]
        else:
            _day, title, hours, attendees = meeting
            drawn = [book.Exchange("coop", member, str(hours), f"Temps de réunion : {title}", day.isoformat(), "réunion")
                     for member in attendees if fits("coop", member, hours, balances)]
        for exchange in drawn:
            hours = Decimal(exchange.hours)
            balances[exchange.payer] = balances.get(exchange.payer, Decimal(0)) - hours
            balances[exchange.earner] = balances.get(exchange.earner, Decimal(0)) + hours
        exchanges += drawn
    return exchanges


def build(root: Path, keys: Path) -> list[Entry]:
    """Record the example's whole history in the git repository at `root`, through coop's own commits."""
    public = new_ed25519_key(keys / "key", "example-treasurer (throwaway)")
    identity = book.Identity("agnes", str(keys / "key"))
    coop = Coop(root)
    restart(coop)
    files = book.new_books(NAME)
    files["charter.md"] = files["charter.md"].replace(
        "signed_commits: required  # required | optional: git commits signed by the recorder's key",
        "signed_commits: optional  # this repository also holds coop's code, committed by its developers",
    )
    book.start_books(coop, NAME, files)
    for member_id, name, roles, offers, wants in MEMBERS:
        key = f"{public.openssh()} example-treasurer (throwaway)" if member_id == "agnes" else None
        book.add_member(coop, identity, member_id, name, key, roles, FOUNDED.isoformat(), offers=tuple(offers), wants=tuple(wants))
    rng, balances, entries = random.Random(SEED), {}, []
    for year, month in months():
        exchanges = month_exchanges(year, month, balances, rng)
        if exchanges:
            entries += book.record(coop, identity, exchanges)[0]
    return entries


def restart(coop: Coop) -> None:
    """A repository that already holds books gets a commit removing them: the new books start after it.

    `coop verify` judges the books from their latest genesis (the commit that created charter.md), so the
    regenerated example is judged whole, and the old one is left in the history for anyone to see.
    """
    if not (coop.root / ".git").exists():
        git(coop.root, "init", "-q", "-b", "main")
        return
    tracked = git(coop.root, "ls-files", "--", "charter.md", "members.yaml", "ledger", ".gitattributes").split()
    if tracked:
        git(coop.root, "rm", "-q", "-r", "--", *tracked)
        git(coop.root, "commit", "-q", "-m", "example coop: remove the old books before generating them anew")


def summary(entries: list[Entry]) -> str:
    hours = sum((e.hours for e in entries), Decimal(0))
    meetings = [e for e in entries if e.payer == "coop" and e.tag("cat") == "réunion"]
    years = Counter(e.date.year for e in entries)
    lines = [f"members: {len(MEMBERS)}", f"entries: {len(entries)} ({len(meetings)} meeting credits)", f"hours: {hours}"]
    return "\n".join(lines + [f"  {year}: {years[year]} entries" for year in sorted(years)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent.parent, help="where to write (default: the repository's root)")
    out = parser.parse_args().out
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="coop-example-") as temporary:
        entries = build(out, Path(temporary))
    print(f"Wrote the example coop {NAME!r} to {out}")
    print(summary(entries))


if __name__ == "__main__":
    main()
