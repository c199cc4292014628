"""The needs matrix (issue 14): ledger/needs.yaml, placed and moved by adopted decisions, shown urgent-and-easy first."""

from __future__ import annotations

import json

import pytest

from coop_cli import needs as needs_format
from test_offers import CATEGORIES, refused, verifies


@pytest.fixture
def placed(coop_repo):
    """Categories, two offers and a want, and a decision to place needs with."""
    decision = coop_repo.decision("Nos besoins")
    assert coop_repo.run("charter", "set", "categories", CATEGORIES, "--decision", decision).returncode == 0
    for args, who in ((("offer", "add", "Potager", "--cat", "jardinage"), "bernard"), (("offer", "add", "Tartes", "--cat", "cuisine"), "claire"),
                      (("want", "add", "Confitures", "--cat", "cuisine"), "bernard"), (("offer", "add", "Vélos", "--cat", "réparation"), "claire")):
        assert coop_repo.run(*args, as_=who).returncode == 0
    coop_repo.decided = decision
    return coop_repo


def place(fixture, name: str, urgency: str, difficulty: str, *cats: str, decision: str | None = None, as_: str = "agnes"):
    args = [arg for cat in cats for arg in ("--cat", cat)]
    return fixture.run("needs", "place", name, "--urgency", urgency, "--difficulty", difficulty, *args, "--decision", decision or fixture.decided, as_=as_)


def matrix(fixture) -> list[dict]:
    done = fixture.run("needs", "--format", "json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_needs_are_placed_by_a_decision_and_shown_urgent_and_easy_first(placed):
    for need in (("énergie", "2", "3"), ("alimentation", "4", "2", "jardinage", "cuisine"), ("logement", "4", "4"), ("habillement", "1", "1"),
                 ("réparation", "3", "1", "réparation")):
        done = place(placed, *need)
        assert done.returncode == 0, done.stderr
    assert [(n["need"], n["quadrant"], n["offers"], n["wants"]) for n in matrix(placed)] == [
        ("alimentation", "do first", 2, 1), ("réparation", "do first", 1, 0), ("logement", "plan", 0, 0),
        ("habillement", "when time allows", 0, 0), ("énergie", "later", 0, 0)]
    text = (placed.root / needs_format.FILE).read_text()
    assert "  - name: alimentation\n    urgency: 4\n    difficulty: 2\n    categories: [jardinage, cuisine]\n" in text
    assert placed.git("log", "-1", "--format=%B").endswith(f"Decision: {placed.decided}\n\n")
    shown = placed.run("needs").stdout
    assert "Do first: urgent and easy" in shown and "alimentation  U4 D2  2 offers, 1 want" in shown
    assert shown.index("Do first") < shown.index("Plan") < shown.index("When time allows") < shown.index("Later")
    verifies(placed)


def test_a_need_moves_by_another_decision_and_is_removed_by_one(placed):
    assert place(placed, "alimentation", "4", "2", "jardinage").returncode == 0
    before = placed.snapshot()
    assert "moving it takes another decision" in refused(placed, place(placed, "alimentation", "3", "2"))
    assert placed.snapshot() == before
    moved = placed.decision("Alimentation moins urgente")
    assert place(placed, "alimentation", "3", "2", decision=moved).returncode == 0
    assert [(n["urgency"], n["categories"], n["decision"]) for n in matrix(placed)] == [(3, "jardinage", moved)]  # categories kept
    assert placed.run("needs", "remove", "alimentation", "--decision", moved).returncode == 0
    assert matrix(placed) == []
    verifies(placed)


@pytest.mark.parametrize("change, status, said", [
    (lambda f: f.run("needs", "place", "santé", "--urgency", "3", "--difficulty", "2"), 2, "missing option '--decision'"),
    (lambda f: place(f, "santé", "3", "2", decision="D-2026-999"), 1, "there is no decision D-2026-999 in the minutes"),
    (lambda f: place(f, "santé", "5", "2"), 2, "--urgency must be 1, 2, 3 or 4, got 5"),
    (lambda f: place(f, "santé", "3", "2", "soins"), 1, "'soins' is not one of the charter's categories"),
    (lambda f: place(f, "santé", "3", "2", as_="bernard"), 1, "only an active treasurer or secretary may change the needs"),
    (lambda f: f.run("needs", "remove", "santé", "--decision", f.decided), 1, "there is no need 'santé' on the matrix"),
])
def test_refusals_write_nothing(placed, change, status, said):
    before = placed.snapshot()
    assert said in refused(placed, change(placed), status)
    assert placed.snapshot() == before
