"""Generate the example coop "Bâtissons l'Alternative" as a real history of coop commits in a git repository.

Every book change is a commit coop makes, signed with a throwaway key that is deleted afterwards; `coop verify` judges it.
"""

from __future__ import annotations

import argparse
import random
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from coop_cli import book, governance
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

# The categories of the charter, shared by exchanges, offers, wants and needs: the exchanges' own, teaching and legal
# help ("Pédagogique > formation découverte", "Attention aux questions juridiques").
CATEGORIES = ["jardinage", "cuisine", "permaculture", "réparation", "bricolage", "couture", "informatique", "transport",
              "garde-enfants", "soutien-scolaire", "formation", "juridique"]

# What each member offers and would like, from the working groups and the hopes of the founding minutes: (text,
# category, availability or None, last day or None, day added or None for the founding assembly).
DIRECTORY: dict[str, tuple[list[tuple], list[tuple]]] = {
    "agnes": ([("Taille de haies et potager", "jardinage", "le samedi matin", None, None), ("Ourlets et retouches", "couture", None, None, None)],
              [("Réparer mon vélo", "réparation", None, None, None)]),
    "pascale": ([("Aide aux démarches en ligne", "informatique", "le mercredi après-midi", None, None),
                 ("Soutien scolaire en français", "soutien-scolaire", None, None, None)],
                [("Un coup de main au potager", "jardinage", None, None, None), ("Poser des étagères", "bricolage", None, None, None)]),
    "benedicte": ([("Repas partagés et conserves", "cuisine", None, None, None), ("Garde d'enfants le soir", "garde-enfants", None, None, None)],
                  [("Installer mon ordinateur", "informatique", None, None, None), ("Covoiturage jusqu'au marché", "transport", None, None, None)]),
    "michel": ([("Petits travaux et bricolage", "bricolage", None, None, None), ("Réparation de vélos", "réparation", "le samedi", None, None)],
               [("Apprendre à cuisiner les légumes du jardin", "cuisine", None, None, None)]),
    "tim": ([("Conception de potagers en permaculture", "permaculture", None, None, None), ("Jardinage", "jardinage", None, None, None)],
            [("Apprendre à utiliser un tableur", "informatique", None, None, None), ("Réparer mon vélo", "réparation", None, None, None)]),
    "eric": ([("Dépannage informatique", "informatique", "le soir", None, None), ("Covoiturage vers la gare", "transport", None, None, None)],
             [("Cours de cuisine végétarienne", "cuisine", None, None, None)]),
    "vincent": ([("Formation permaculture : buttes et compost", "formation", "un dimanche par mois", None, None),
                 ("Covoiturage", "transport", None, None, None)],
                [("Aide aux devoirs pour mon fils", "soutien-scolaire", None, None, None)]),
    "claire": ([("Aide à la rédaction des statuts d'une association", "juridique", None, None, None),
                ("Soutien scolaire en maths", "soutien-scolaire", None, None, None)],
               [("Un potager en permaculture", "permaculture", None, None, None), ("Garde d'enfants le mercredi", "garde-enfants", None, None, None)]),
    "laurent1": ([("Buttes de culture en permaculture", "permaculture", None, None, None)],
                 [("Initiation à l'ordinateur", "informatique", None, None, None)]),
    "philippe": ([("Conseils pour les démarches administratives", "juridique", None, None, None),
                  ("Réparation de vélos", "réparation", None, None, None)],
                 [("Désherbage du potager", "jardinage", None, None, None)]),
    "eve": ([("Cuisine du monde", "cuisine", None, None, None), ("Couture : sacs en tissu", "couture", None, None, None)],
            [("Monter des meubles", "bricolage", None, None, None)]),
    "jean-paul": ([("Transport de meubles", "transport", None, None, None)], [("Installer Linux", "informatique", None, None, None)]),
    "raymond": ([("Jardinage", "jardinage", None, None, None)], [("Soutien scolaire pour mon petit-fils", "soutien-scolaire", None, None, None)]),
    "lucas": ([("Mise en page du journal interne", "informatique", None, None, None),
               ("Cours d'anglais", "formation", "le samedi", None, date(2026, 10, 5))],
              [("Réparer mon vélo", "réparation", None, None, None)]),
    "laurent2": ([("Compost et paillage", "permaculture", None, None, None)], [("Ourlets de pantalons", "couture", None, None, None)]),
    "brigitte": ([("Couture et retouches", "couture", None, None, None)],
                 [("Aide aux démarches administratives en ligne", "informatique", None, None, None)]),
    "bernard": ([("Repas préparés", "cuisine", None, None, None), ("Covoiturage à l'hôpital", "transport", None, None, None)],
                [("Tonte de la pelouse", "jardinage", None, None, None)]),
    "stephanie": ([("Aide aux devoirs", "soutien-scolaire", None, None, None),
                   ("Garde d'enfants pendant les vacances d'été", "garde-enfants", None, date(2026, 8, 31), date(2026, 6, 1))],
                  [("Révision de mon vélo", "réparation", None, None, None)]),
    "babette": ([("Semis et plants pour le potager", "permaculture", None, None, None)],
                [("Covoiturage pour les courses", "transport", None, None, None)]),
    "benjamin": ([("Réparation de vélos", "réparation", None, None, None), ("Bricolage", "bricolage", None, None, None)],
                 [("Cours de français pour adultes", "formation", "le soir", None, date(2026, 10, 12))]),
    "julien": ([("Formation permaculture", "permaculture", None, None, None), ("Informatique libre", "informatique", None, None, None)],
               [("Conseils juridiques pour un bail", "juridique", None, None, date(2026, 10, 20))]),
}

# The needs of the founding minutes ("alimentation, logement, santé, habillement, réparation, énergie"), as the working
# group on needs placed them and the 2021 assembly adopted: (name, urgency, difficulty, categories that touch it).
NEEDS = [
    ("alimentation", 4, 2, ["jardinage", "cuisine", "permaculture"]),
    ("réparation", 3, 1, ["réparation", "bricolage", "couture"]),
    ("logement", 4, 4, ["bricolage", "juridique"]),
    ("santé", 3, 3, ["transport", "garde-enfants"]),
    ("habillement", 2, 1, ["couture"]),
    ("énergie", 2, 3, ["bricolage", "informatique"]),
]

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


@dataclass
class Held:
    """A meeting to hold: who comes, and what it decides (text, votes or None for consensus, what follows if adopted)."""

    day: date
    title: str
    hours: Decimal
    attendees: list[str]
    decisions: list[tuple[str, tuple[int, int, int] | None, str | None]] = field(default_factory=list)


# Each March's general assembly decides something; `then` names what an adopted decision sets in motion.
ASSEMBLY_DECISIONS = {
    2021: [("Ouvrir un atelier de réparation de vélos un samedi par mois", (0.8, 0.1), None),
           ("Adopter la matrice des besoins du groupe définition des besoins : commencer par l'alimentation et la réparation", None, "needs")],
    2022: [("Limiter un échange à 12 heures, pour que les grosses tâches soient partagées", (0.7, 0.2), "max_exchange")],
    2023: [("Indemniser les trajets en heures", (0.3, 0.6), None)],
    2024: [("Suspendre Raymond, absent et injoignable depuis deux ans, jusqu'à ce qu'il se manifeste", (0.75, 0.1), "suspend raymond")],
    2025: [("Confier à Claire le rôle d'auditrice des comptes, avec Eric", None, "claire auditor")],
    2026: [("Ouvrir la coopérative aux habitants du quartier voisin", (0.85, 0.05), None)],
}


def meetings(year: int, month: int, rng: random.Random, active: list[str]) -> list[Held]:
    """The month's meetings: the founding assembly, each March's general assembly, and the working groups."""
    found = []
    if (year, month) == (2020, 3):
        founding = Held(FOUNDED, "Assemblée plénière fondatrice", Decimal(3), [m[0] for m in MEMBERS])
        founding.decisions = [
            ("Confier le secrétariat à Pascale et l'audit des comptes à Eric", None, "founding roles"),
            ("Créer six groupes de travail : organisation interne, réflexion sur la structure, définition des besoins, "
             "communication, rencontre d'autres projets, permaculture", None, "groups"),
            ("Adopter la charte : une heure donnée vaut une heure reçue, quelle que soit la personne", None, None),
        ]
        found.append(founding)
    elif month == 3:
        # Raymond stopped coming after 2022: the 2024 assembly suspends him for it.
        attendees = [m for m in active if rng.random() < 0.7 and not (m == "raymond" and year > 2022)]
        held = Held(date(year, 3, rng.randint(8, 20)), f"Assemblée générale {year}", Decimal("2.5"), attendees)
        for text, shares, then in ASSEMBLY_DECISIONS.get(year, []):
            votes = None if shares is None else _votes(len(attendees), shares, rng)
            held.decisions.append((text, votes, then))
        found.append(held)
    group_months = {(2020, 6), (2020, 9), (2020, 10), (2021, 2)}
    if (year, month) in group_months or (year > 2021 and month in (6, 11) and rng.random() < 0.6):
        group = rng.choice(list(GROUPS))
        attendees = [m for m in GROUPS[group] if m in active and rng.random() < 0.8 and not (m == "raymond" and year > 2022)]
        if attendees:
            found.append(Held(date(year, month, rng.randint(2, 26)), f"Groupe {group}", Decimal("1.5"), attendees))
    return found


def _votes(present: int, shares: tuple[float, float], rng: random.Random) -> tuple[int, int, int]:
    votes_for = round(present * shares[0])
    against = min(present - votes_for, round(present * shares[1]))
    abstain = rng.randint(0, present - votes_for - against)
    return votes_for, against, abstain


def hold(coop: Coop, identity: book.Identity, held: Held) -> list[Entry]:
    """Minutes, attendance, decisions and their consequences, then the closing commit with everyone's credit."""
    meeting, _commit = governance.new_meeting(coop, identity, held.title, held.day.isoformat(), str(held.hours), "Maison des associations")
    governance.attend(coop, identity, meeting.slug, held.attendees)
    for text, votes, then in held.decisions:
        decision, _commit = governance.decide(coop, identity, meeting.slug, text, *(votes or (0, 0, 0)), votes is None)
        if decision.outcome == "adopted" and then:
            consequence(coop, identity, then, decision.id)
    return governance.close(coop, identity, meeting.slug)[1]


def consequence(coop: Coop, identity: book.Identity, then: str, decision: str) -> None:
    if then == "founding roles":
        for member_id, _name, roles, *_rest in MEMBERS[1:]:
            for role in roles:
                governance.change_role(coop, identity, member_id, f"+{role}", decision)
    elif then == "groups":
        for name, members in GROUPS.items():
            governance.add_group(coop, identity, name, decision)
            governance.join_group(coop, identity, name, members)
    elif then == "max_exchange":
        governance.set_rule(coop, identity, "max_exchange", "12", decision)
    elif then == "suspend raymond":
        governance.set_status(coop, identity, "raymond", "suspended", decision)
    elif then == "claire auditor":
        governance.change_role(coop, identity, "claire", "+auditor", decision)
    elif then == "needs":
        for name, urgency, difficulty, categories in NEEDS:
            governance.place_need(coop, identity, name, urgency, difficulty, categories, decision)


def directory(coop: Coop, identity: book.Identity, founding: bool) -> None:
    """The members' offers and wants, added by the treasurer: those of the founding assembly, or those added later."""
    for member_id, kinds in DIRECTORY.items():
        for kind, services in zip(("offers", "wants"), kinds):
            for text, cat, availability, until, added in services:
                if (added is None) == founding:
                    book.add_service(coop, identity, kind, text, cat, availability, until and until.isoformat(), member_id, today=added or FOUNDED)


def hours_between(low: float, high: float, rng: random.Random) -> Decimal:
    quarters = rng.randint(int(low * 4), int(high * 4))
    return Decimal(max(quarters, 2)) / 4


def draw_exchange(day: date, balances: dict[str, Decimal], rng: random.Random, active: list[str]) -> book.Exchange:
    """One exchange between members (or paid by the coop) that keeps every balance within the charter's limits."""
    while True:
        offers = list(ACTIVITIES)
        weights = [ACTIVITIES[o][1] * (0.3 if o in OUTDOOR and day.month in (11, 12, 1, 2) else 1)
                   * (0 if o == "soutien scolaire" and day.month in (7, 8) else 1) for o in offers]
        offer = rng.choices(offers, weights)[0]
        category, _weight, (low, high), descriptions = ACTIVITIES[offer]
        earners = [m[0] for m in MEMBERS if offer in m[3] and m[0] in active]
        if not earners:
            continue
        earner = rng.choice(earners)
        collective = [d for d in descriptions if d.startswith("coop:")]
        description = rng.choice(collective if collective and rng.random() < 0.12 else [d for d in descriptions if d not in collective])
        hours = hours_between(low, high, rng)
        if description in collective:
            payer, description = "coop", description[len("coop:"):]
        else:
            wanting = [m[0] for m in MEMBERS if offer in m[4] and m[0] != earner and m[0] in active]
            others = [m for m in active if m != earner]
            pool = wanting if wanting and rng.random() < 0.7 else others
            # Members with more hours spend more: this keeps balances from drifting to the limits.
            payer = rng.choices(pool, [float(balances.get(m, 0)) + 25 for m in pool])[0]
            description = description.format(p=NAMES[payer], de_p=de(NAMES[payer]))
        if fits(payer, earner, hours, balances):
            exchange = book.Exchange(payer, earner, str(hours), description, day.isoformat(), category)
            move(exchange, balances)
            return exchange


def fits(payer: str, earner: str, hours: Decimal, balances: dict[str, Decimal]) -> bool:
    return (payer == "coop" or balances.get(payer, 0) - hours >= MIN_BALANCE) and balances.get(earner, 0) + hours <= MAX_BALANCE


def month_plan(year: int, month: int, balances: dict[str, Decimal], rng: random.Random, active: list[str]) -> tuple[list[book.Exchange], list[Held]]:
    """The month's exchanges in date order and its meetings, balances updated as book.record and the credits will move them."""
    days = month_days(year, month)
    usual = {2020: 2.5, 2021: 3, 2022: 3.5, 2023: 3.5, 2024: 4, 2025: 4, 2026: 4}[year]
    count = max(0, round(rng.gauss(usual * (0.3 if (year, month) in LOCKDOWN else 1), 1.2)))
    exchanges = [draw_exchange(day, balances, rng, active) for day in sorted(rng.choice(days) for _ in range(count))]
    held = meetings(year, month, rng, active)
    for meeting in held:
        meeting.attendees = [m for m in meeting.attendees if fits("coop", m, meeting.hours, balances)]
        for member in meeting.attendees:
            move(book.Exchange("coop", member, str(meeting.hours), "", None), balances)
    return exchanges, held


def move(exchange: book.Exchange, balances: dict[str, Decimal]) -> None:
    hours = Decimal(exchange.hours)
    balances[exchange.payer] = balances.get(exchange.payer, Decimal(0)) - hours
    balances[exchange.earner] = balances.get(exchange.earner, Decimal(0)) + hours


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
    ).replace(
        "categories: []            # of exchanges, offers, wants and needs (empty: any)",
        f"categories: [{', '.join(CATEGORIES)}]  # of exchanges, offers, wants and needs",
    )
    book.start_books(coop, NAME, files)
    for member_id, name, roles, *_skills in MEMBERS:
        # The founder registers herself as treasurer; the others' roles are granted by the founding assembly's first decision.
        key = f"{public.openssh()} example-treasurer (throwaway)" if member_id == "agnes" else None
        founder_roles = roles if member_id == "agnes" else []
        book.add_member(coop, identity, member_id, name, key, founder_roles, FOUNDED.isoformat())
    directory(coop, identity, founding=True)
    rng, balances, entries = random.Random(SEED), {}, []
    for year, month in months():
        active = [m.id for m in coop.register().members if m.active]
        exchanges, held = month_plan(year, month, balances, rng, active)
        if exchanges:
            entries += book.record(coop, identity, exchanges)[0]
        for meeting in held:
            entries += hold(coop, identity, meeting)
    directory(coop, identity, founding=False)
    return entries


def restart(coop: Coop) -> None:
    """A repository that already holds books gets a commit removing them: the new books start after it.

    The new books begin at a new genesis, whose id is the example's fingerprint (published in the README):
    `coop verify --expect FINGERPRINT` judges them whole, and the old books are left in the history for anyone to see.
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
    meetings = [e for e in entries if e.kind == "meeting"]
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
