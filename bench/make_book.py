"""Build a valid coop of N generated exchanges for benchmarks: `python bench/make_book.py N DIR [--key FILE] [--members M --services S]`.

Entries go through coop's own journal formatter and signer, straight into monthly files, one signed commit per month.
With --services, each member offers S services and wants S (for coop match and coop bulletin).
"""

from __future__ import annotations

import argparse
import random
import tempfile
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from coop_cli import book
from coop_cli.journal import append_text, format_entry, signed_bytes
from coop_cli.model import Entry, Posting, member_account, namespace_for
from coop_cli.repo import LEDGER, Coop
from coop_cli.signing import load_signer, new_ed25519_key, signature_to_line

FIRST_MONTH, MONTHS = date(2016, 11, 1), 120  # ten years of monthly files: November 2016 to October 2026
MEMBERS = 40
DEFAULT_KEY = Path(tempfile.gettempdir()) / "coop-bench" / "treasurer"  # outside any repository
WORK = [("jardinage", "Jardinage"), ("réparation", "Réparation de vélo"), ("cuisine", "Repas préparés"),
        ("bricolage", "Petits travaux"), ("informatique", "Dépannage informatique"), ("couture", "Retouches")]
MANNER = ["le samedi", "à domicile", "pour débutants", "en groupe", "le soir", "près de la gare"]


def treasurer_key(path: Path) -> Path:
    """The throwaway key that signs every benchmark book, made once and kept outside the repository."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        new_ed25519_key(path, "bench-treasurer (throwaway)")
    return path


def register(coop: Coop, key: Path, members: int = MEMBERS, services: int = 0) -> list[str]:
    """The founder registers herself as treasurer and adds the others, one commit each; with `services`, in one commit,
    each member offering `services` services and wanting as many."""
    identity = book.Identity("m01", str(key))
    public = key.with_name(key.name + ".pub").read_text().strip()
    ids = [f"m{n:02d}" for n in range(1, members + 1)]
    book.add_member(coop, identity, ids[0], "Membre 01", public, ["treasurer"], FIRST_MONTH.isoformat())
    if not services:
        for member_id in ids[1:]:
            book.add_member(coop, identity, member_id, f"Membre {member_id[1:]}", None, [], FIRST_MONTH.isoformat())
        return ids
    rng = random.Random(members)
    text = coop.read("members.yaml")
    for member_id in ids[1:]:
        text += f"  - id: {member_id}\n    name: Membre {member_id[1:]}\n    since: {FIRST_MONTH}\n    status: active\n    roles: []\n    keys: []\n"
        for kind in ("offers", "wants"):
            text += f"    {kind}:\n"
            for cat, what in rng.sample(WORK, services):
                text += f"      - text: {what} {rng.choice(MANNER)}\n        cat: {cat}\n        added: {FIRST_MONTH}\n"
    with coop.writing():
        book.commit_register(coop, text, f"member add: {len(ids) - 1} members\n", book.Recorder(coop.register().get(ids[0]), load_signer(key)))
    return ids


def month_entries(first: date, count: int, ids: list[str], balances: dict[str, Decimal], rng: random.Random) -> list[Entry]:
    """`count` unsigned exchanges in date order, each keeping both balances within -20..100."""
    following = (first + timedelta(32)).replace(day=1)
    days = sorted(first + timedelta(rng.randrange((following - first).days)) for _ in range(count))
    entries = []
    for day in days:
        hours = Decimal(rng.randint(2, 16)) / 4
        # Meeting time paid by the coop: rare, and capped, or on a big book every member would reach max_balance.
        if rng.random() < 0.005 and balances.get("coop", 0) > -1500:
            room = [m for m in ids if balances.get(m, 0) + hours <= 100]
            payer, earner, cat, what = "coop", rng.choice(room), "réunion", "Temps de réunion"
        else:
            while True:
                payer, earner = rng.sample(ids, 2)
                if balances.get(payer, 0) - hours >= -20 and balances.get(earner, 0) + hours <= 100:
                    break
            cat, what = rng.choice(WORK)
            what = f"{what} pour le membre {payer[1:]}"
        balances[payer] = balances.get(payer, Decimal(0)) - hours
        balances[earner] = balances.get(earner, Decimal(0)) + hours
        accounts = [a if a == "coop" else member_account(a) for a in (earner, payer)]
        tags = (("id", book.new_id()), ("by", "m01"), ("kind", "exchange"), ("cat", cat))
        entries.append(Entry(day, what, tags, (Posting(accounts[0], hours), Posting(accounts[1], -hours))))
    return entries


def build(count: int, folder: Path, key: Path, members: int = MEMBERS, services: int = 0) -> int:
    book.init(folder, "Banc d'essai")
    coop = Coop(folder)
    ids = register(coop, key, members, services)
    signer, unit, namespace = load_signer(key), coop.charter().unit, namespace_for(coop.fingerprint())
    treasurer = coop.register().require("m01")
    rng, balances, written = random.Random(count), {}, 0
    for month in range(MONTHS):
        years, month_index = divmod(FIRST_MONTH.month - 1 + month, 12)
        first = date(FIRST_MONTH.year + years, month_index + 1, 1)
        entries = month_entries(first, count // MONTHS + (month < count % MONTHS), ids, balances, rng)
        texts = [format_entry(replace(e, sig=signature_to_line(signer.sign(signed_bytes(e, unit), namespace))), unit) for e in entries]
        relative = f"{LEDGER}/{first:%Y-%m}.journal"
        with coop.writing():
            coop.commit({relative: append_text("", texts)}, f"record: {len(texts)} exchanges\n",
                        book.Recorder(treasurer, signer).author, signer)
        written += len(texts)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int, help="how many exchanges")
    parser.add_argument("folder", type=Path, help="the coop to create (must be empty or absent)")
    parser.add_argument("--key", type=Path, default=DEFAULT_KEY, help=f"treasurer's private key, made if missing (default: {DEFAULT_KEY})")
    parser.add_argument("--members", type=int, default=MEMBERS, help=f"how many members (default: {MEMBERS})")
    parser.add_argument("--services", type=int, default=0, help="offers and wants of each member but the founder (default: 0)")
    arguments = parser.parse_args()
    written = build(arguments.count, arguments.folder, treasurer_key(arguments.key), arguments.members, arguments.services)
    print(f"{arguments.folder}: {written} exchanges, {arguments.members} members, {MONTHS} monthly files")


if __name__ == "__main__":
    main()
