"""click's and typer's own words (Usage:, Options:, [required], usage errors) in coop's language, at the moment they show.

typer 0.28 carries its own copy of click with its English written in, without gettext: the help is translated
through the formatter, typer.core's `_` and the command tree, and a usage error is rebuilt from what the exception
holds, where coop prints it. pyproject.toml pins typer's minor version; tests/test_french.py fails on any English
that a new wording would leak.
"""

from __future__ import annotations

import re

import typer
import typer.core

from coop_cli.i18n import _

HELP_OPTION = "Show this message and exit."


def click_word(english: str) -> str:
    """The words typer.core passes to gettext, in coop's catalog; any other stays English (and a test fails)."""
    words = {
        "Arguments": _("Arguments"),
        "Options": _("Options"),
        "Commands": _("Commands"),
        "default: {default}": _("default: {default}"),
        "required": _("required"),
        "env var: {var}": _("env var: {var}"),
    }
    return words.get(english, english)


class Formatter(typer.Context.formatter_class):
    """click's help formatter, with the usage line's prefix, the headings' colon and the help option's line translated."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, _("Usage: ") if prefix is None else prefix)

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}" + _("{heading}:").format(heading=heading) + "\n")

    def write_dl(self, rows, *args, **kwargs) -> None:
        said = _("Show this message and exit.")
        super().write_dl([(term, said if text == HELP_OPTION else text) for term, text in rows], *args, **kwargs)


def localise(command) -> None:
    """Put a command tree in the current language: help texts (marked with N_, so still English), the formatter's
    words and typer's; main calls it on each tree it builds, after choosing the language."""
    typer.core._ = click_word
    _localise(command, type("Context", (command.context_class,), {"formatter_class": Formatter}))


def _localise(command, context_class) -> None:
    command.context_class = context_class
    if command.help:
        command.help = _(command.help)
    for param in command.params:
        if getattr(param, "help", None):
            param.help = _(param.help)
    for sub in getattr(command, "commands", {}).values():
        _localise(sub, context_class)


# ---------------------------------------------------------------- usage errors

def usage_message(problem) -> str:
    """A click usage error in coop's language, without its final period; click's English if it is none of the known."""
    kind = type(problem).__name__
    hint = _hint(problem)
    if kind == "MissingParameter":
        argument = (problem.param_type or problem.param.param_type_name) == "argument"
        return (_("missing argument {name}") if argument else _("missing option {name}")).format(name=hint)
    if kind == "NoSuchOption":
        message = _("no such option: {option}").format(option=problem.option_name)
        if problem.possibilities:
            message = _("{message} (did you mean {options}?)").format(message=message, options=", ".join(sorted(problem.possibilities)))
        return message
    if kind == "BadParameter":
        reason = _matched(problem.message, _reasons())
        return _("invalid value for {name}: {reason}").format(name=hint, reason=reason) if hint else reason
    return _matched(problem.format_message(), _sentences())


def _hint(problem) -> str:
    if getattr(problem, "param_hint", None) is not None:
        hints = problem.param_hint
    elif getattr(problem, "param", None) is not None:
        hints = problem.param.get_error_hint(problem.ctx)
    else:
        return ""
    return " / ".join(repr(h) for h in hints) if isinstance(hints, (list, tuple)) else hints


def _matched(english: str, known: list[tuple[str, str]]) -> str:
    for pattern, translated in known:
        if found := re.fullmatch(pattern, english, re.S):
            return translated.format(**found.groupdict())
    return english.rstrip(".")


def _reasons() -> list[tuple[str, str]]:
    """Why click's types refuse a value (the types coop's options have): an English pattern and its translation, made
    when asked, in the language of the moment."""
    return [
        (r"(?P<value>.+) is not one of (?P<choices>.+)\.", _("{value} is not one of {choices}")),
        (r"(?P<value>.+) is not a valid int(?:eger)?\.", _("{value} is not a whole number")),
    ]


def _sentences() -> list[tuple[str, str]]:
    """click's other usage errors, as _reasons."""
    return [
        (r"No such command (?P<name>'.*')\. Did you mean (?P<commands>.+)\?", _("no such command {name} (did you mean {commands}?)")),
        (r"No such command (?P<name>'.*')\.", _("no such command {name}")),
        (r"Missing command\.", _("a command is missing")),
        (r"Got unexpected extra argument\(s\) \((?P<arguments>.*)\)", _("unexpected extra argument: {arguments}")),
        (r"Option (?P<option>'[^']+') requires an argument\.", _("option {option} needs a value")),
        (r"Option (?P<option>'[^']+') does not take a value\.", _("option {option} takes no value")),
    ]
