"""charter.md: the rules coop enforces (YAML front matter) followed by the charter's text.

A missing rule takes the spec's default; an unknown or ill-typed one is refused, so a typo never silently disables a rule.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from coop_cli import yamltext
from coop_cli.errors import BadInput, CoopError
from coop_cli.i18n import LANGUAGES, _
from coop_cli.model import HOUR_DIGITS, ROLES, Charter, check_tag_value, check_text, parse_decimal, similar

FILE = "charter.md"
MAJORITIES = ("simple", "two-thirds", "consensus")
SIGNED_COMMITS = ("required", "optional")

DEFAULT_RULES = """\
name: {name}
unit: H                   # the commodity written in the journal (not `h`: ledger
                          # reads h, m and s as time units and converts them)
step: 0.25                # amounts are multiples of this (quarter hours)
max_exchange: 24          # most hours in one exchange
min_balance: -20          # no member's balance may go below this
max_balance: 100          # nor above this
recorders: [treasurer]    # roles that may record any exchange; any member may
                          # record an exchange they pay themselves
meeting_credit: true      # attendees earn the meeting's duration from the coop account
quorum: 0.5               # share of active members present for a valid decision
majority: simple          # simple | two-thirds | consensus
signed_commits: required  # required | optional: git commits signed by the recorder's key
language: en              # en | fr: the language the minutes are written in
categories: []            # of exchanges, offers, wants and needs (empty: any)
bulletin_balances: false  # whether the monthly bulletin may print members' balances
"""

DEFAULT_TEXT = """
# {name}

Every hour counts the same, whoever gives it: one hour given is one hour earned.

- Exchanges are recorded in `ledger/`, signed by the member who records them.
- A mistake is corrected by a new entry that reverses it, never by editing the books.
- The rules above are changed only by a decision of a meeting, cited in the change.
"""


def new_charter(name: str) -> str:
    """The text of a new coop's charter: the spec's default rules, then a short charter."""
    check_text(name, _("the coop's name"))
    return "---\n" + DEFAULT_RULES.format(name=_quoted(name)) + "---\n" + DEFAULT_TEXT.format(name=name)


def _quoted(name: str) -> str:
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def split(text: str) -> tuple[str, str]:
    """The front matter's YAML and the text after it."""
    if not text.startswith("---\n"):
        raise CoopError(_("{file} must start with a '---' line opening its front matter of rules").format(file=FILE))
    end = text.find("\n---\n", 3)
    if end < 0:
        raise CoopError(_("{file}: the front matter is never closed by a '---' line").format(file=FILE))
    return text[4 : end + 1], text[end + 5 :]


def parse(text: str) -> Charter:
    front, _text = split(text)
    return _charter_from(yamltext.read(front, FILE, first_line=2))  # the front matter begins on line 2


def _charter_from(rules: Any) -> Charter:
    if not isinstance(rules, dict):
        raise CoopError(_("{file}: the front matter must be a mapping of rules").format(file=FILE))
    try:
        return _charter(rules)
    except BadInput as problem:
        raise CoopError(_("{file}: {problem}").format(file=FILE, problem=problem.message)) from None


def _charter(rules: dict[str, Any]) -> Charter:
    known = set(Charter.__dataclass_fields__)
    for key in rules:
        if key not in known:
            raise BadInput(_("unknown rule {key!r}").format(key=key))
    if not isinstance(rules.get("name"), str):
        raise BadInput(_("the rule 'name' (the coop's name) is missing"))
    values: dict[str, Any] = {"name": check_text(rules["name"], "name")}
    if "unit" in rules:
        unit = rules["unit"]
        if not isinstance(unit, str) or not unit.isascii() or not unit.isalpha() or not unit.isupper():
            raise BadInput(_("unit must be capital letters (not h, m or s, which ledger reads as time), got {value!r}").format(value=unit))
        values["unit"] = unit
    for key in ("step", "max_exchange", "min_balance", "max_balance", "quorum"):
        if key in rules:
            values[key] = parse_decimal(rules[key], key)
    if "recorders" in rules:
        recorders = rules["recorders"]
        if not isinstance(recorders, list) or any(r not in ROLES for r in recorders):
            raise BadInput(_("recorders must be a list of roles among {choices}").format(choices=", ".join(ROLES)))
        values["recorders"] = tuple(recorders)
    for key in ("meeting_credit", "bulletin_balances"):
        if key in rules:
            if not isinstance(rules[key], bool):
                raise BadInput(_("{key} must be true or false").format(key=key))
            values[key] = rules[key]
    if "categories" in rules:
        values["categories"] = _categories(rules["categories"])
    for key, choices in (("majority", MAJORITIES), ("signed_commits", SIGNED_COMMITS), ("language", LANGUAGES)):
        if key in rules:
            if rules[key] not in choices:
                raise BadInput(_("{key} must be one of {choices}, got {value!r}").format(key=key, choices=", ".join(choices), value=rules[key]))
            values[key] = rules[key]
    charter = Charter(**values)
    _check_consistent(charter)
    return charter


def _categories(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(c, str) for c in value):
        raise BadInput(_("categories must be a list of words, such as [jardinage, cuisine]"))
    categories = tuple(check_tag_value(c, _("a category")) for c in value)
    if len(set(categories)) < len(categories):
        raise BadInput(_("categories lists {category!r} twice").format(category=next(c for c in categories if categories.count(c) > 1)))
    return categories


def require_category(charter: Charter, text: str, new: bool | None = None) -> str:
    """A category as exchanges, offers, wants and needs use it: one of the charter's list, or refused with the ones it may
    mean (as a member's name is). `coop record` may take a new one (`new`, its --new-cat; None where there is no such
    choice). A charter without a list takes any word."""
    check_tag_value(text, _("the category"))
    if new or not charter.categories or text in charter.categories:
        return text
    suggestions = similar(text, ((c, (c,)) for c in charter.categories))
    if suggestions:
        problem = _("{category!r} is not one of the charter's categories; did you mean {suggestions}?").format(
            category=text, suggestions=_(" or ").join(suggestions))
    else:
        problem = _("{category!r} is not one of the charter's categories: {choices}").format(category=text, choices=", ".join(charter.categories))
    raise CoopError(problem if new is None else _("{problem} (--new-cat takes a new one)").format(problem=problem))


def _check_consistent(charter: Charter) -> None:
    if charter.step <= 0 or charter.step != charter.step.quantize(HOUR_DIGITS):
        raise BadInput(_("step must be a positive multiple of 0.01, got {value}").format(value=charter.step))
    if charter.max_exchange < charter.step:
        raise BadInput(_("max_exchange must be at least one step"))
    if charter.min_balance > 0 or charter.max_balance < 0:
        raise BadInput(_("min_balance must be at most 0 and max_balance at least 0"))
    if not Decimal(0) <= charter.quorum <= Decimal(1):
        raise BadInput(_("quorum must be a share between 0 and 1, got {value}").format(value=charter.quorum))


def with_rule(text: str, key: str, value: str, decision: str) -> str:
    """The charter with one rule's value changed, its comment kept and the decision cited at the end of its line.

    Edited as text, line by line, so that the charter's prose and every other comment stay byte for byte.
    """
    front, body = split(text)
    written = _yaml_value(key, value)
    lines = front.split("\n")
    for index, line in enumerate(lines):
        match = re.match(rf"{re.escape(key)}:(\s*)([^#]*?)(\s*)(#.*)?$", line)
        if match:
            comment = (match[4] or "#").rstrip()
            comment = re.sub(r" \(D-[0-9]{4}-[0-9]{3,}\)$", "", comment)
            padding = max(1, len(match[1]) + len(match[2]) + len(match[3]) - 1 - len(written)) if match[4] else 2
            lines[index] = f"{key}: {written}{' ' * padding}{comment} ({decision})".rstrip()
            break
    else:
        lines.insert(len(lines) - 1, f"{key}: {written}  # ({decision})")
    return "---\n" + "\n".join(lines) + "---\n" + body


def _yaml_value(key: str, value: str) -> str:
    """A rule's value as YAML, refusing text that would change the front matter's structure."""
    value = value.strip()
    if key == "categories":  # words, some with an apostrophe (garde d'enfants): each checked, and quoted if YAML needs it
        categories = _categories([c.strip() for c in value.strip("[]").split(",") if c.strip()])
        return "[" + ", ".join(c if re.fullmatch(r"\w[\w .-]*", c) and yamltext.reads_as_text(c) else _quoted(c) for c in categories) + "]"
    if not value or any(c in value for c in "\n#:{}&*!|>'\"%@`") and key != "name":
        raise BadInput(_("{value!r} is not a value coop can write for {key}").format(value=value, key=key))
    if key == "recorders":
        roles = [r for r in re.split(r"[\s,]+", value.strip("[]")) if r]
        if any(r not in ROLES for r in roles):
            raise BadInput(_("recorders must be a list of roles among {choices}").format(choices=", ".join(ROLES)))
        return "[" + ", ".join(roles) + "]"
    if key == "name":
        check_text(value, "name")
        return _quoted(value)
    if key in ("meeting_credit", "bulletin_balances"):
        if value not in ("true", "false"):
            raise BadInput(_("{key} must be true or false").format(key=key))
        return value
    if key in ("step", "max_exchange", "min_balance", "max_balance", "quorum"):
        return str(parse_decimal(value, key))
    return value if yamltext.reads_as_text(value) else _quoted(value)  # a unit `NO` is text, not YAML 1.1's false
