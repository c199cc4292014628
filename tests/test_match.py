"""coop match and coop bulletin (issue 14): who might help whom, ranked so the coop's economy stays alive, and the month
in one printable page. A golden test on the example coop, whose offers and wants come from the founding minutes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import cli_env, run_coop
from test_offers import CATEGORIES, refused
from test_reports import Elements, _is_a4, check_golden, chromium, pdf_pages

ROOT = Path(__file__).resolve().parent.parent
ON = "2026-11-30"


@pytest.fixture
def gardens(coop_repo):
    """Agnès wants a vegetable garden; Bernard and Claire both offer one. Claire is 2 h below zero and has been silent since March."""
    run = coop_repo.run
    assert run("charter", "set", "categories", CATEGORIES, "--decision", coop_repo.decision("Nos catégories")).returncode == 0
    for args in (("claire", "agnes", "2", "Couture", "--date", "2026-03-10"), ("bernard", "agnes", "1", "Vélo", "--date", "2026-11-20")):
        assert run("record", *args).returncode == 0
    for args, who in ((("offer", "add", "Taille de haies", "--cat", "jardinage"), "bernard"),
                      (("offer", "add", "Potager bio", "--cat", "jardinage", "--availability", "le samedi"), "claire"),
                      (("offer", "add", "Ourlets cet été", "--cat", "réparation", "--until", "2099-08-31"), "bernard"),
                      (("want", "add", "Un potager", "--cat", "jardinage"), "agnes"),
                      (("want", "add", "Des ourlets", "--cat", "cuisine"), "claire")):
        done = run(*args, as_=who)
        assert done.returncode == 0, done.stderr
    return coop_repo


def matched(fixture, *args: str) -> list[dict]:
    done = fixture.run("match", "--format", "json", *args)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_a_member_below_zero_and_silent_for_months_comes_first(gardens):
    found = matched(gardens, "--date", ON)
    assert [(m["payer"], m["want"], m["earner"], m["offer"]) for m in found] == [
        ("agnes", "Un potager", "claire", "Potager bio"),
        ("claire", "Des ourlets", "bernard", "Ourlets cet été"),
        ("agnes", "Un potager", "bernard", "Taille de haies"),
    ]
    first, second, third = found
    assert first["reason"] == ("same category (jardinage), shared words: Potager; Claire is 2 h below zero and needs to earn; "
                               "Claire has not exchanged since 2026-03-10")
    assert (first["category"], first["earner_balance"], first["priority"]) == ("jardinage", "-2.00", "0.77")
    assert second["reason"] == ("shared words: Ourlets; Bernard is 1 h below zero and needs to earn; Claire has not exchanged since 2026-03-10")
    assert second["category"] is None  # a want of another category still meets an offer that shares a word
    assert third["reason"] == "same category (jardinage); Bernard is 1 h below zero and needs to earn"


def test_an_expired_offer_is_never_matched(gardens):
    assert "Ourlets cet été" in [m["offer"] for m in matched(gardens, "--date", "2099-08-31")]
    assert "Ourlets cet été" not in [m["offer"] for m in matched(gardens, "--date", "2099-09-01")]


def test_match_for_one_member_and_refusals(gardens):
    assert {(m["payer"], m["earner"]) for m in matched(gardens, "claire", "--date", ON)} == {("agnes", "claire"), ("claire", "bernard")}
    assert "'dora' is not a member of this coop" in refused(gardens, gardens.run("match", "dora"))
    assert "--date must be a date written YYYY-MM-DD" in refused(gardens, gardens.run("match", "--date", "hier"), 2)
    table = gardens.run("match", "--date", ON).stdout
    assert "Potager bio" in table and "needs to earn" in table


def test_a_payer_who_cannot_pay_one_step_is_left_out(gardens):
    assert gardens.run("record", "agnes", "claire", "20", "Gros chantier", "--date", "2026-11-25").returncode == 0  # agnes at -17
    assert gardens.run("record", "agnes", "bernard", "3", "Petit chantier", "--date", "2026-11-26").returncode == 0  # agnes at -20
    assert [m["payer"] for m in matched(gardens, "--date", ON)] == ["claire"]


# ---------------------------------------------------------------- the example coop

def test_match_on_the_example_coop_is_golden():
    """The example's offers and wants come from the minutes' working groups and hopes (gardening, repairs, cooking,
    permaculture, legal help, teaching). On its last day, members silent for months and members below zero come first."""
    env = cli_env(COLUMNS="160")
    table = run_coop("match", "--date", "2026-10-31", cwd=ROOT, env=env)
    assert table.returncode == 0, table.stderr
    check_golden("match-2026-10-31.txt", table.stdout)
    data = run_coop("match", "--date", "2026-10-31", "--format", "json", cwd=ROOT, env=env)
    check_golden("match-2026-10-31.json", data.stdout)
    found = json.loads(data.stdout)
    assert [float(m["priority"]) for m in found] == sorted((float(m["priority"]) for m in found), reverse=True)
    assert all(m["payer"] != "raymond" and m["earner"] != "raymond" for m in found)  # suspended: neither wants nor offers
    assert "Garde d'enfants pendant les vacances d'été" not in data.stdout  # expired on 31 August


# ---------------------------------------------------------------- the bulletin

def test_the_bulletin_says_the_month(gardens):
    assert gardens.run("needs", "place", "alimentation", "--urgency", "4", "--difficulty", "2", "--cat", "jardinage",
                       "--decision", gardens.decision("Les besoins")).returncode == 0
    done = gardens.run("bulletin", "-p", "2026-11")
    assert done.returncode == 0, done.stderr
    text = done.stdout
    assert text.startswith("Bâtissons l'Alternative: bulletin 2026-11\nExchanges: 1 · hours exchanged: 1 · new members: 0 · meetings held: 0\n")
    assert "Agnès would like “Un potager”; Claire offers “Potager bio”." in text
    assert "Claire needs to earn hours" in text and "below zero" not in text  # no balance, the charter does not allow it
    assert "alimentation  U4 D2  2 offers, 1 want" in text
    for heading in ("The month", "Meetings and decisions", "Who does what: the working groups", "New offers and wants", "Who might help whom",
                    "The needs matrix"):
        assert f"\n{heading}\n" in text
    allowed = gardens.decision("Publier les soldes")
    assert gardens.run("charter", "set", "bulletin_balances", "true", "--decision", allowed).returncode == 0
    assert "Claire is 2 h below zero" in gardens.run("bulletin", "-p", "2026-11").stdout


def test_the_bulletin_is_in_the_coops_language(gardens):
    assert gardens.run("charter", "set", "language", "fr", "--decision", gardens.decision("En français")).returncode == 0
    french = gardens.run("bulletin", "-p", "2026-11").stdout
    assert french.startswith("Bâtissons l'Alternative : journal interne 2026-11\nÉchanges : 1 · heures échangées : 1 ·"), french
    assert "\nQui fait quoi : les groupes de travail\n" in french and "\nLa matrice des besoins\n" in french
    assert gardens.run("--lang", "en", "bulletin", "-p", "2026-11").stdout.startswith("Bâtissons l'Alternative: bulletin 2026-11")


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_chromium_prints_the_bulletin_on_one_a4_page_and_loads_nothing(gardens, tmp_path, lang):
    assert gardens.run("needs", "place", "alimentation", "--urgency", "4", "--difficulty", "2", "--cat", "jardinage",
                       "--decision", gardens.decision("Les besoins")).returncode == 0
    page = tmp_path / "bulletin.html"
    done = gardens.run("--lang", lang, "bulletin", "-p", "2026-11", "--html", str(page))
    assert done.returncode == 0, done.stderr
    html = page.read_text(encoding="utf-8")
    assert f'<html lang="{lang}">' in html and "@page { size: A4" in html
    assert "http" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "") and "src=" not in html and "<link" not in html
    dom = Elements(chromium(page, tmp_path / "profile", "--dump-dom"))
    assert [g["data-need"] for g in dom.all("g", "needs-chart", class_="need")] == ["alimentation"]
    assert dom.all("g", "needs-chart", class_="need")[0]["data-offers"] == "2"
    assert dom.by_id("figure-exchanges")["text"].endswith("1")
    printed = tmp_path / "bulletin.pdf"
    chromium(page, tmp_path / "profile", "--no-pdf-header-footer", f"--print-to-pdf={printed}")
    boxes = pdf_pages(printed)
    assert len(boxes) == 1 and _is_a4(boxes[0])


def test_the_report_page_draws_the_needs_matrix(gardens, tmp_path):
    assert gardens.run("needs", "place", "alimentation", "--urgency", "4", "--difficulty", "2", "--cat", "jardinage",
                       "--decision", gardens.decision("Les besoins")).returncode == 0
    assert gardens.run("report", "-p", "2026", "--html", str(tmp_path / "site")).returncode == 0
    dom = Elements((tmp_path / "site" / "index.html").read_text(encoding="utf-8"))
    assert [(g["data-need"], g["data-urgency"], g["data-difficulty"]) for g in dom.all("g", "needs-chart", class_="need")] == [("alimentation", "4", "2")]
