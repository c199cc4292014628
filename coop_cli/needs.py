"""ledger/needs.yaml: the coop's needs, each placed on a matrix of urgency and difficulty (1 to 4) by an adopted decision.

Read by the one YAML reader and rewritten with its comments kept, as members.yaml is; nothing here touches the filesystem.
"""

from __future__ import annotations

from typing import Any

from coop_cli import yamltext
from coop_cli.errors import BadInput, CoopError
from coop_cli.i18n import N_, _
from coop_cli.model import Need, check_tag_value, check_text

FILE = "ledger/needs.yaml"
EMPTY = "# The coop's needs, each placed by urgency and difficulty (1 to 4) by an adopted decision: see `coop needs --help`.\nneeds: []\n"
_FIELDS = ("name", "urgency", "difficulty", "categories", "decision")
LEVELS = (1, 2, 3, 4)
# The matrix's four quarters, in the order they are shown: urgent (3-4) or not, easy (1-2) or not.
QUADRANTS = ("do first", "plan", "when time allows", "later")
QUADRANT_TITLES = {  # translated where they are shown
    "do first": N_("Do first: urgent and easy"),
    "plan": N_("Plan: urgent but hard"),
    "when time allows": N_("When time allows: easy, less urgent"),
    "later": N_("Later: neither urgent nor easy"),
}


def quadrant(urgency: int, difficulty: int) -> str:
    """Where a need falls: urgent and easy things first, as the founding minutes say ("commencer par des projets faciles")."""
    urgent, easy = urgency >= 3, difficulty <= 2
    return QUADRANTS[(not urgent) * 2 + (not easy)]


def parse(text: str) -> tuple[Need, ...]:
    document = yamltext.read(text, FILE)
    if not isinstance(document, dict) or set(map(str, document)) != {"needs"} or not isinstance(document["needs"], list):
        raise CoopError(_("{file} must be a mapping with a list named 'needs'").format(file=FILE))
    needs, names = [], set()
    for index, item in enumerate(document["needs"]):
        line = yamltext.line_of(document["needs"], index)
        where = f"{FILE}:{line}" if line else FILE
        try:
            need = _need(item)
        except BadInput as problem:
            raise CoopError(_("{where}: {problem}").format(where=where, problem=problem.message)) from None
        if need.name in names:
            raise CoopError(_("{where}: the need {name!r} appears twice").format(where=where, name=need.name))
        names.add(need.name)
        needs.append(need)
    return tuple(needs)


def _need(item: Any) -> Need:
    if not isinstance(item, dict) or set(map(str, item)) - set(_FIELDS) or not isinstance(item.get("name"), str):
        raise BadInput(_("a need is a mapping with name, urgency, difficulty, categories and decision"))
    levels = [level(item.get(key), key) for key in ("urgency", "difficulty")]
    categories = item.get("categories") or []
    if not isinstance(categories, list) or not all(isinstance(c, str) for c in categories):
        raise BadInput(_("a need's categories must be a list of words"))
    decision = item.get("decision")
    if decision is not None and not isinstance(decision, str):
        raise BadInput(_("a need's decision must be written D-YYYY-NNN"))
    return Need(check_text(item["name"], _("a need's name")), *levels, tuple(check_tag_value(c, _("a category")) for c in categories), decision)


def level(value: Any, what: str) -> int:
    """Urgency or difficulty: a whole number from 1 to 4 (typed on the command line as text)."""
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, bool) or value not in LEVELS:
        raise BadInput(_("{what} must be 1, 2, 3 or 4, got {value!r}").format(what=what, value=value))
    return value


def with_need(text: str | None, need: Need) -> str:
    """The file with a need placed: a need of that name is moved where `need` says, another is added at the end."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    document = yamltext.load(text or EMPTY, FILE)
    items = document["needs"]
    if not isinstance(items, CommentedSeq) or items.fa.flow_style():
        document["needs"] = items = CommentedSeq(list(items))
    item = next((i for i in items if i.get("name") == need.name), None)
    if item is None:
        item = CommentedMap()
        items.append(item)
    categories = CommentedSeq(list(need.categories))
    categories.fa.set_flow_style()
    for key, value in zip(_FIELDS, (need.name, need.urgency, need.difficulty, categories, need.decision)):
        item[key] = value
    return yamltext.dump(document)


def without_need(text: str, name: str) -> str:
    """The file without one need."""
    document = yamltext.load(text, FILE)
    items = document["needs"]
    items.remove(next(i for i in items if i.get("name") == name))
    return yamltext.dump(document)
