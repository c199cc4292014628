"""French everywhere a member looks (issue 12): click's and typer's own words, usage errors, the switch of language
within one process, and the wheel that carries the catalogs.

Every command runs through the installed `coop`; typer's English is pinned by pyproject.toml, and any word of it
that reaches a French screen fails here.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import typer

from conftest import cli_env

ROOT = Path(__file__).resolve().parents[1]

# click's and typer's English (typer 0.28): none of it may show in French.
ENGLISH = (
    "Usage:", "Options:", "Commands:", "Arguments:", "Show this message and exit", "[required]", "[default:", "[env var:",
    "Invalid value", "is not one of", "No such option", "No such command", "Missing argument", "Missing option",
    "Missing parameter", "Missing command", "is not a valid", "Got unexpected extra", "requires an argument",
    "does not take a value", "Did you mean", "Possible options", "Error:", "Try '", "Aborted", "<str>", "<path>", "<int>",
)

# How coop says click's usage errors in English: none of it may show in French either.
COOP_ENGLISH = ("missing argument", "missing option", "invalid value", "whole number", "no such", "unexpected extra", "needs a value",
                "takes no value", "did you mean", "(see ")

# One usage error of each class click raises, with what coop says of it in English.
USAGE_ERRORS = {
    "missing argument": (["member", "status", "bernard"], "error: missing argument 'STATUS' (see coop member status --help)"),
    "missing option": (["member", "status", "bernard", "left"], "error: missing option '--decision' (see coop member status --help)"),
    "bad choice": (["report", "--by", "year"],
                   "error: invalid value for '--by': 'year' is not one of 'month', 'cat', 'member', 'group' (see coop report --help)"),
    "bad type": (["meeting", "decide", "2026-03-10-ag", "Texte", "--for", "douze"],
                 "error: invalid value for '--for': 'douze' is not a whole number (see coop meeting decide --help)"),
    "unknown option": (["report", "--perio", "2026"], "error: no such option: --perio (did you mean --period?) (see coop report --help)"),
    "unknown option, no guess": (["report", "--zzzzzzzz"], "error: no such option: --zzzzzzzz (see coop report --help)"),
    "unknown command": (["balence"], "error: no such command 'balence' (did you mean 'balance'?) (see coop --help)"),
    "unknown command, no guess": (["xyz"], "error: no such command 'xyz' (see coop --help)"),
    "extra argument": (["balance", "bernard"], "error: unexpected extra argument: bernard (see coop balance --help)"),
    "option without its value": (["meeting", "decide", "2026-03-10-ag", "Texte", "--for"], "error: option '--for' needs a value"),
    "flag given a value": (["meeting", "decide", "2026-03-10-ag", "Texte", "--consensus=1"], "error: option '--consensus' takes no value"),
}


def installed_coop(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess:
    coop = shutil.which("coop")
    if coop is None:
        pytest.fail("coop is not installed: pip install -e . (.ci/run does)")
    return subprocess.run([coop, *args], cwd=cwd, env=cli_env(**env), capture_output=True, text=True, timeout=120)


def command_paths() -> list[list[str]]:
    """Every command and subcommand of coop, as typed after `coop`."""
    from coop_cli.cli import build_app

    paths = []

    def walk(command, path: list[str]) -> None:
        paths.append(path)
        for name, sub in sorted(getattr(command, "commands", {}).items()):
            walk(sub, [*path, name])

    walk(typer.main.get_command(build_app()), [])
    return paths


def english_in(text: str) -> list[str]:
    return [word for word in ENGLISH if word in text]


@pytest.mark.parametrize("language, first", [("fr", "Utilisation : coop"), ("en", "Usage: coop")])
def test_the_help_of_every_command_speaks_one_language(tmp_path: Path, language: str, first: str) -> None:
    paths = command_paths()
    assert len(paths) > 30 and ["meeting", "decide"] in paths and ["member", "key", "add"] in paths
    for path in paths:
        done = installed_coop(*path, "--help", cwd=tmp_path, LANGUAGE=language)
        assert done.returncode == 0 and done.stderr == "", (path, done.stderr)
        assert done.stdout.startswith(first), (path, done.stdout[:200])
        if language == "fr":
            assert english_in(done.stdout) == [], (path, done.stdout)
            assert "Afficher cette aide et quitter." in done.stdout, path
        else:
            assert "Show this message and exit." in done.stdout, path


def test_french_help_names_its_sections_and_the_option_notes_in_french(tmp_path: Path) -> None:
    done = installed_coop("member", "add", "--help", cwd=tmp_path, LANG="fr_FR.UTF-8", LANGUAGE="", LC_ALL="")
    flat = " ".join(done.stdout.split())  # the help is wrapped to the terminal's width
    for said in ("Arguments :", "Options :", "[obligatoire]", "[variable d'environnement : COOP_AS]"):
        assert said in flat, said
    assert "Commandes :" in installed_coop("member", "--help", cwd=tmp_path, LANGUAGE="fr").stdout


@pytest.mark.parametrize("kind", USAGE_ERRORS)
def test_every_usage_error_is_one_line_in_the_chosen_language(tmp_path: Path, kind: str) -> None:
    args, english = USAGE_ERRORS[kind]
    done = installed_coop(*args, cwd=tmp_path, LANGUAGE="en")
    assert (done.returncode, done.stdout, done.stderr) == (2, "", english + "\n")
    done = installed_coop("--lang", "fr", *args, cwd=tmp_path)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("erreur : ") and done.stderr.count("\n") == 1, done.stderr
    assert english_in(done.stderr) == [] and [said for said in COOP_ENGLISH if said in done.stderr] == [], done.stderr


@pytest.mark.parametrize("language, shown", [
    ("fr", {"1.5": ("1,5", "1,50", 1), "1": ("1", "1,00", 1), "2": ("2", "2,00", 2), "0.25": ("0,25", "0,25", 1), "-1234.5": ("-1\u202f234,5", "-1\u202f234,50", 2)}),
    ("en", {"1.5": ("1.5", "1.50", 2), "1": ("1", "1.00", 1), "2": ("2", "2.00", 2), "0.25": ("0.25", "0.25", 2), "-1234.5": ("-1,234.5", "-1,234.50", 2)}),
])
def test_hours_are_written_and_counted_as_the_language_does_with_no_system_locale(language: str, shown: dict) -> None:
    """Babel's own data, whatever the machine's locales: the count is the form ngettext is given (1: singular)."""
    from decimal import Decimal

    from coop_cli import i18n

    i18n.use_language(language)
    try:
        assert {text: (i18n.short_hours(Decimal(text)), i18n.hours(Decimal(text)), i18n.plural_n(Decimal(text))) for text in shown} == shown
        from datetime import date

        assert [i18n.day(date(2026, 3, d)) for d in (1, 10)] == (["1er mars 2026", "10 mars 2026"] if language == "fr" else ["2026-03-01", "2026-03-10"])
    finally:
        i18n.use_language(None)


# Runs coop's main several times in one Python process, as a test runner or a shell would not: each run prints
# its stdout and stderr between marks.
IN_ONE_PROCESS = """
import contextlib, io, sys
from coop_cli.cli import main
for argv in {runs!r}:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        try:
            main(argv)
        except SystemExit:
            pass
    sys.stdout.write(out.getvalue() + "\\x1e")
"""


def test_french_and_english_follow_each_other_in_one_process(tmp_path: Path) -> None:
    """Help, column titles and errors are translated when shown, not when a module is imported."""
    runs = [
        ["--lang", "fr", "member", "add", "--help"], ["--lang", "en", "member", "add", "--help"],
        ["--lang", "fr", "report", "--by", "year"], ["--lang", "en", "report", "--by", "year"],
        ["--lang", "fr", "member", "add", "--help"],
    ]
    done = subprocess.run([sys.executable, "-c", IN_ONE_PROCESS.format(runs=runs)], cwd=tmp_path, env=cli_env(),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    outputs = done.stdout.split("\x1e")[:-1]
    alone = []
    for argv in runs:
        one = installed_coop(*argv, cwd=tmp_path)
        alone.append(one.stdout + one.stderr)
    assert outputs == alone
    assert outputs[0] != outputs[1] and outputs[2] != outputs[3]


def test_a_wheel_carries_the_compiled_catalogs_and_its_coop_speaks_french_without_a_french_locale(tmp_path: Path) -> None:
    """Built from a fresh clone, installed in a fresh venv (with the packages this machine already has): the .mo is in
    the wheel, and `LANG=fr_FR.UTF-8 coop --help` needs no system locale, since Babel and gettext bring their own."""
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
    subprocess.run(["git", "-C", str(clone), "checkout", "-q", subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()], check=True)
    wheels = tmp_path / "wheels"
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", str(wheels), str(clone)],
                           capture_output=True, text=True, timeout=600)
    assert built.returncode == 0, built.stderr
    wheel = next(wheels.glob("coop_cli-*.whl"))
    assert "coop_cli/locale/fr/LC_MESSAGES/coop.mo" in zipfile.ZipFile(wheel).namelist()

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True)
    python = venv / "bin" / "python"
    # The project's own editable install would shadow the wheel's package: the venv sees only the wheel's coop_cli.
    installed = subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", "--force-reinstall", "--no-index", str(wheel)],
                               capture_output=True, text=True, timeout=600)
    assert installed.returncode == 0, installed.stderr
    env = {k: v for k, v in cli_env().items() if k not in ("LANGUAGE", "LC_ALL", "PYTHONPATH")}
    env.update(LANG="fr_FR.UTF-8", PYTHONNOUSERSITE="1")
    where = subprocess.run([str(python), "-c", "import coop_cli; print(coop_cli.__file__)"], cwd=tmp_path, env=env,
                           capture_output=True, text=True)
    assert str(venv) in where.stdout, where.stdout + where.stderr
    done = subprocess.run([str(venv / "bin" / "coop"), "--help"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Utilisation : coop") and english_in(done.stdout) == [], done.stdout
    for english in ("Run `coop COMMAND --help`", "Balances of every account", "Print coop's version"):
        assert english not in done.stdout
