"""README.md and README.fr.md, typed as written: every command block runs in a fresh folder, in order, and shows what the page shows.

A ```text or ```sh block whose lines start with `$ ` is a session: each `$ ` line is typed into one bash (so `cd` and
`export` carry on to the next command), a here-document's lines with it, and the lines after it, up to the next
`$ `, are its output (stdout and stderr, as a terminal shows them). A ```sh block without prompts is typed line by
line too; its output is not shown, so each line must only succeed. The Quick start block (install coop, run the
tests) is not typed: it is checked to be exactly its two commands. `coop` is the code under test, in a folder of
its own; HOME is a fresh folder; the terminal is 90 columns wide, in English (the French page says
`export LANGUAGE=fr` first), without colours.

What differs from one run to the next is normalised, on both sides, and nothing else: commit ids (7 to 40 hex
digits, which also covers the coop's fingerprint), entry ids (ULIDs), SSH public keys and their SHA256
fingerprints, today's date and the temporary folder; spaces at the end of a line are not compared. A command
fails exactly when its shown output starts with `error:` (`erreur :` in French).

COOP_UPDATE_README=1 rewrites the outputs in the pages with what this run saw: then read the diff.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from conftest import cli_env

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
PAGES = pytest.mark.parametrize("page, quick_start", [(README, "## Quick start"), (ROOT / "README.fr.md", "## Démarrage rapide")],
                                ids=["README.md", "README.fr.md"])
FENCE = re.compile(r"^```(\S*)[^\n]*\n(.*?)^```[ \t]*$", re.M | re.S)
QUICK_START = ["pip install . && coop balance", "bash .ci/run"]
HEREDOC = re.compile(r"<<-?\s*['\"]?(\w+)['\"]?")
MARK = "\x1e"
UPDATE = os.environ.get("COOP_UPDATE_README") == "1"


@dataclass
class Typed:
    command: str           # as typed, here-document included
    shown: str | None      # the output the page shows; None in a block without prompts, which shows none


def sessions(text: str) -> list[tuple[str, list[Typed]]]:
    """Every code block of the page as (its text, the commands typed in it), in the page's order."""
    blocks = []
    for lang, body in FENCE.findall(text):
        lines = body.rstrip("\n").split("\n")
        if any(line.startswith("$ ") for line in lines):
            blocks.append((body, _prompts(lines)))
        elif lang == "sh":
            blocks.append((body, [Typed(line, None) for line in lines if line.strip()]))
    return blocks


def _prompts(lines: list[str]) -> list[Typed]:
    typed: list[Typed] = []
    at = 0
    while at < len(lines):
        assert lines[at].startswith("$ "), f"README: output before any command: {lines[at]!r}"
        command, at = [lines[at][2:]], at + 1
        if found := HEREDOC.search(command[0]):
            while lines[at] != found[1]:
                command.append(lines[at])
                at += 1
            command.append(lines[at])
            at += 1
        output = []
        while at < len(lines) and not lines[at].startswith("$ "):
            output.append(lines[at])
            at += 1
        typed.append(Typed("\n".join(command), "\n".join(output).strip("\n")))
    return typed


def normalised(text: str, folder: Path) -> str:
    text = text.replace(str(folder), "<folder>").replace(date.today().isoformat(), "<today>")
    text = re.sub(r"\b[0-9A-HJKMNP-TV-Z]{26}\b", "<entry id>", text)
    text = re.sub(r"\b[0-9a-f]{7,40}\b", "<commit>", text)
    text = re.sub(r"SHA256:[0-9A-Za-z+/]{43}", "SHA256:<fingerprint>", text)
    text = re.sub(r"\bAAAA[0-9A-Za-z+/]+={0,3}", "<public key>", text)
    return "\n".join(line.rstrip() for line in text.strip("\n").split("\n"))


def type_everything(typed: list[Typed], folder: Path) -> list[tuple[int, str]]:
    """Type every command into one bash, in `folder`; each command's status and output (stderr with stdout)."""
    bin_dir = folder / ".bin"
    bin_dir.mkdir()
    (bin_dir / "coop").write_text(f'#!/bin/sh\nPYTHONPATH={shlex.quote(str(ROOT))} exec {shlex.quote(sys.executable)} -m coop_cli "$@"\n')
    (bin_dir / "coop").chmod(0o755)
    work = folder / "work"
    (folder / "home").mkdir()
    work.mkdir()
    script = "exec 2>&1\n" + "".join(f"{t.command}\nprintf '{MARK}%d{MARK}' \"$?\"\n" for t in typed)
    (folder / "typed.sh").write_text(script, encoding="utf-8")
    env = cli_env(COLUMNS="90", HOME=str(folder / "home"), XDG_CONFIG_HOME=str(folder / "home" / ".config"),
                  PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    done = subprocess.run(["bash", str(folder / "typed.sh")], cwd=work, env=env, stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=600)
    parts = done.stdout.split(MARK)
    assert len(parts) == 2 * len(typed) + 1, f"the session stopped early: {done.stdout[-2000:]}"
    return [(int(parts[2 * i + 1]), parts[2 * i].strip("\n")) for i in range(len(typed))]


@PAGES
def test_the_quick_start_is_its_two_commands(page, quick_start):
    text = page.read_text(encoding="utf-8")
    first = FENCE.findall(text)[0]
    assert first[0] == "sh" and first[1].splitlines() == QUICK_START
    assert text.index(quick_start) < text.index(first[1])


def test_each_page_links_the_other():
    assert "(README.fr.md)" in README.read_text(encoding="utf-8")
    assert "(README.md)" in (ROOT / "README.fr.md").read_text(encoding="utf-8")


@PAGES
def test_every_command_of_the_readme_runs_as_written_and_shows_what_the_readme_shows(tmp_path, page, quick_start):
    text = page.read_text(encoding="utf-8")
    blocks = sessions(text)
    assert [t.command for t in blocks[0][1]] == QUICK_START
    blocks = blocks[1:]  # installing coop and running the tests is what this test is part of
    typed = [t for _body, block in blocks for t in block]
    assert len(typed) > 20 and sum(t.shown is not None for t in typed) > 15
    seen = type_everything(typed, tmp_path)
    if UPDATE:
        _rewrite(page, text, blocks, seen)
        typed = [t for _body, block in sessions(page.read_text(encoding="utf-8"))[1:] for t in block]
    for t, (status, output) in zip(typed, seen, strict=True):
        if t.shown is None:
            assert status == 0, f"$ {t.command}\n{output}"
            continue
        assert (status != 0) == t.shown.startswith(("error:", "erreur :")), f"$ {t.command} exited {status}:\n{output}"
        assert normalised(output, tmp_path) == normalised(t.shown, tmp_path), f"$ {t.command}"


def _rewrite(page: Path, text: str, blocks: list[tuple[str, list[Typed]]], seen: list[tuple[int, str]]) -> None:
    """Put this run's outputs in the page's prompt blocks (lines without trailing spaces), for a person to review."""
    outputs = iter(seen)
    for body, block in blocks:
        got = [next(outputs)[1] for _t in block]
        if block and block[0].shown is not None:
            entries = ["$ " + t.command + ("\n" + "\n".join(line.rstrip() for line in out.split("\n")) if out else "") for t, out in zip(block, got)]
            text = text.replace(body, "\n\n".join(entries) + "\n", 1)
    page.write_text(text, encoding="utf-8")
