"""Categories, offers and wants (issue 14): one list of categories in the charter, and the directory in members.yaml.

Each command on a real coop: what it writes, what it refuses (in one sentence, writing nothing), and that `coop verify`
accepts what it wrote.
"""

from __future__ import annotations

import json

import pytest

from coop_cli import charter as charter_format
from coop_cli import members as members_format
from helpers import entries_of

CATEGORIES = "jardinage, cuisine, réparation, garde d'enfants, soutien-scolaire"


@pytest.fixture
def listed(coop_repo):
    """The coop with a list of categories, set by an adopted decision."""
    done = coop_repo.run("charter", "set", "categories", CATEGORIES, "--decision", coop_repo.decision("Nos catégories"))
    assert done.returncode == 0, done.stderr
    return coop_repo


def refused(fixture, done, status: int = 1) -> str:
    assert done.returncode == status, (done.stdout, done.stderr)
    assert done.stdout == "" and done.stderr.count("\n") == 1 and done.stderr.startswith("error: "), done.stderr
    return done.stderr


def verifies(fixture) -> None:
    done = fixture.run("verify", "--full")
    assert done.returncode == 0, done.stdout + done.stderr


# ---------------------------------------------------------------- categories

def test_the_charter_holds_one_list_of_categories(listed):
    text = (listed.root / "charter.md").read_text()
    assert "categories: [jardinage, cuisine, réparation, \"garde d'enfants\", soutien-scolaire]" in text
    assert charter_format.parse(text).categories == ("jardinage", "cuisine", "réparation", "garde d'enfants", "soutien-scolaire")
    verifies(listed)


def test_a_new_coop_has_an_empty_list_and_takes_any_category(coop_repo):
    assert "categories: []" in (coop_repo.root / "charter.md").read_text()
    done = coop_repo.run("record", "bernard", "agnes", "1", "Yoga", "--date", "2026-03-10", "--cat", "yoga")
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("typed, said", [
    ("jardinnage", "'jardinnage' is not one of the charter's categories; did you mean jardinage? (--new-cat takes a new one)"),
    ("Cuisine", "'Cuisine' is not one of the charter's categories; did you mean cuisine? (--new-cat takes a new one)"),
    ("soutien", "'soutien' is not one of the charter's categories; did you mean soutien-scolaire? (--new-cat takes a new one)"),
    ("yoga", "'yoga' is not one of the charter's categories: jardinage, cuisine, réparation, garde d'enfants, soutien-scolaire "
             "(--new-cat takes a new one)"),
])
def test_record_suggests_from_the_list_and_refuses_an_unknown_category(listed, typed, said):
    before = listed.snapshot()
    done = listed.run("record", "bernard", "agnes", "1", "Potager", "--date", "2026-03-10", "--cat", typed)
    assert refused(listed, done) == f"error: {said}\n"
    assert listed.snapshot() == before


def test_new_cat_records_a_category_the_list_does_not_hold(listed):
    done = listed.run("record", "bernard", "agnes", "1", "Yoga", "--date", "2026-03-10", "--cat", "yoga", "--new-cat")
    assert done.returncode == 0, done.stderr
    assert [e.tag("cat") for e in entries_of(listed.root)] == ["yoga"]
    verifies(listed)


def test_a_batch_names_the_row_and_column_of_an_unknown_category(listed, tmp_path):
    batch = tmp_path / "slips.csv"
    batch.write_text("date;payeur;bénéficiaire;heures;description;catégorie\n"
                     "2026-03-10;bernard;agnes;1;Potager;jardinage\n2026-03-11;claire;agnes;1;Tarte;cuisinne\n", encoding="utf-8")
    before = listed.snapshot()
    done = listed.run("record", "--batch", str(batch))
    assert done.returncode == 1
    assert done.stderr == (f"error: {batch}:3: column F (catégorie): 'cuisinne' is not one of the charter's categories; did you mean "
                           "cuisine? (--new-cat takes a new one)\n")
    assert listed.snapshot() == before
    assert listed.run("record", "--batch", str(batch), "--new-cat").returncode == 0


# ---------------------------------------------------------------- offers and wants

def services(fixture, kind: str = "offer", *args: str) -> list[dict]:
    done = fixture.run(kind, "list", "--format", "json", *args)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_a_member_offers_and_withdraws_a_service_of_their_own(listed):
    done = listed.run("offer", "add", "Taille de haies et potager", "--cat", "jardinage", "--availability", "le samedi matin",
                      "--until", "2099-12-31", as_="bernard")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("bernard offers 'Taille de haies et potager' (commit ")
    [offer] = services(listed)
    assert (offer["member"], offer["text"], offer["cat"], offer["availability"], offer["until"], offer["expired"]) == (
        "bernard", "Taille de haies et potager", "jardinage", "le samedi matin", "2099-12-31", False)
    log = listed.git("log", "-1", "--format=%an %s")
    assert log == "Bernard offer add: bernard: Taille de haies et potager (jardinage)\n"
    assert listed.run("want", "add", "Réparer mon vélo", "--cat", "réparation", as_="bernard").returncode == 0
    assert [w["text"] for w in services(listed, "want")] == ["Réparer mon vélo"]
    verifies(listed)
    done = listed.run("offer", "remove", "Taille de haies et potager", as_="bernard")
    assert done.returncode == 0, done.stderr
    assert services(listed) == []
    verifies(listed)


def test_a_member_may_not_change_another_members_offers_but_an_officer_may(listed):
    before = listed.snapshot()
    done = listed.run("offer", "add", "Cours de maths", "--cat", "soutien-scolaire", "--member", "claire", as_="bernard")
    assert refused(listed, done) == ("error: only an active treasurer or secretary may change another member's offers and wants, "
                                     "and bernard is neither\n")
    assert listed.snapshot() == before
    assert listed.run("offer", "add", "Cours de maths", "--cat", "soutien-scolaire", "--member", "claire").returncode == 0
    assert listed.snapshot() != before
    done = listed.run("offer", "remove", "Cours de maths", "--member", "claire", as_="bernard")
    assert "bernard is neither" in refused(listed, done)
    verifies(listed)


@pytest.mark.parametrize("args, status, said", [
    (("offer", "add", "Potager", "--cat", "jardinnage"), 1,
     "'jardinnage' is not one of the charter's categories; did you mean jardinage?"),
    (("offer", "add", "Potager", "--cat", "yoga", "--new-cat"), 2, "no such option: --new-cat"),
    (("offer", "add", "Potager", "--cat", "jardinage", "--until", "2020-01-01"), 2, "--until 2020-01-01 is already past"),
    (("offer", "add", "Potager", "--cat", "jardinage", "--until", "demain"), 2, "--until must be a date written YYYY-MM-DD, got 'demain'"),
    (("offer", "add", "Pota\nger", "--cat", "jardinage"), 2, "the text contains the control character U+000A"),
    (("offer", "add", "Potager", "--cat", "jardinage", "--member", "dora"), 1, "'dora' is not a member of this coop"),
    (("want", "remove", "Réparer mon vel"), 1, "bernard wants nothing called 'Réparer mon vel'; did you mean 'Réparer mon vélo'?"),
    (("want", "remove", "Couture"), 1, "bernard wants nothing called 'Couture' (see coop want list bernard --all)"),
    (("want", "add", "réparer mon VÉLO", "--cat", "réparation"), 1, "bernard already wants 'réparer mon VÉLO'"),
])
def test_refusals_write_nothing(listed, args, status, said):
    assert listed.run("want", "add", "Réparer mon vélo", "--cat", "réparation", as_="bernard").returncode == 0
    before = listed.snapshot()
    assert said in refused(listed, listed.run(*args, as_="bernard"), status)
    assert listed.snapshot() == before


def test_an_expired_offer_is_hidden_not_deleted(listed):
    assert listed.run("offer", "add", "Garde d'enfants cet été", "--cat", "garde d'enfants", "--until", "2099-08-31", as_="claire").returncode == 0
    assert [o["text"] for o in services(listed, "offer", "--date", "2099-08-31")] == ["Garde d'enfants cet été"]
    assert services(listed, "offer", "--date", "2099-09-01") == []
    [kept] = services(listed, "offer", "--date", "2099-09-01", "--all")
    assert kept["expired"] is True
    assert "Garde d'enfants cet été" in (listed.root / "members.yaml").read_text()


def test_the_older_plain_words_stay_readable(coop_repo):
    done = coop_repo.run("member", "add", "dora", "--name", "Dora", "--offer", "jardinage", "--want", "réparation vélo")
    assert done.returncode == 0, done.stderr
    assert "    offers: [jardinage]\n    wants: [réparation vélo]\n" in (coop_repo.root / "members.yaml").read_text()
    assert [(o["text"], o["cat"]) for o in services(coop_repo)] == [("jardinage", None)]
    assert coop_repo.run("offer", "add", "Taille de haies", "--cat", "jardinage", "--member", "dora").returncode == 0
    register = members_format.parse((coop_repo.root / "members.yaml").read_text())
    assert [o.text for o in register.get("dora").offers] == ["jardinage", "Taille de haies"]
    assert [(o["text"], o["cat"]) for o in services(coop_repo)] == [("jardinage", None), ("Taille de haies", "jardinage")]
    verifies(coop_repo)


def test_a_member_who_is_not_active_neither_offers_nor_is_listed(listed):
    assert listed.run("offer", "add", "Couture", "--cat", "réparation", as_="claire").returncode == 0
    done = listed.run("member", "status", "claire", "suspended", "--decision", listed.decision("Suspendre Claire"))
    assert done.returncode == 0, done.stderr
    assert services(listed) == []
    assert "claire is suspended: only active members offer and want services" in refused(
        listed, listed.run("offer", "add", "Ourlets", "--cat", "réparation", "--member", "claire"))
