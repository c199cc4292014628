"""Independent oracles used across tests: ssh-keygen for signatures, hledger and ledger for balances."""

from __future__ import annotations

import base64
import csv
import io
import subprocess
from decimal import Decimal
from pathlib import Path

from coop_cli import charter
from coop_cli.journal import parse_journal
from coop_cli.model import Entry


def entries_of(root: Path) -> list[Entry]:
    unit = charter.parse((root / charter.FILE).read_text(encoding="utf-8")).unit
    entries: list[Entry] = []
    for path in sorted((root / "ledger").glob("*.journal")):
        found, problems = parse_journal(path.read_text(encoding="utf-8"), str(path), unit)
        assert not problems, problems
        entries += found
    return entries


def armored(sig_line: str) -> str:
    """The one-line base64 of a journal's `sig` tag, re-armoured as ssh-keygen writes it."""
    raw = base64.b64encode(base64.b64decode(sig_line)).decode()
    body = "\n".join(raw[i : i + 70] for i in range(0, len(raw), 70))
    return f"-----BEGIN SSH SIGNATURE-----\n{body}\n-----END SSH SIGNATURE-----\n"


def fingerprint_of(root: Path) -> str:
    """The genesis of a coop's books as git alone tells it: the commit that created charter.md."""
    return subprocess.run(["git", "log", "--format=%H", "--diff-filter=A", "--first-parent", "-1", "--", "charter.md"],
                          cwd=root, capture_output=True, text=True, check=True).stdout.strip()


def ssh_keygen_verifies(entry: Entry, public_key: str, folder: Path, principal: str = "member", namespace: str | None = None) -> bool:
    """Check an entry's signature with OpenSSH alone, as an auditor would: the entry's lines without `sig`.

    The namespace names the coop (`coop-ledger@FINGERPRINT`), found from the journal the entry was read from.
    """
    namespace = namespace or "coop-ledger@" + fingerprint_of(Path(entry.where.path).parents[1])
    data = "".join(line + "\n" for line in entry.lines if not line.lstrip().startswith("; sig:")).encode()
    signers = folder / "allowed_signers"
    signers.write_text(f'{principal} namespaces="{namespace}" {" ".join(public_key.split()[:2])}\n')
    signature = folder / "entry.sig"
    signature.write_text(armored(entry.sig))
    done = subprocess.run(
        ["ssh-keygen", "-Y", "verify", "-f", str(signers), "-I", principal, "-n", namespace, "-s", str(signature)],
        input=data,
        capture_output=True,
    )
    return done.returncode == 0


def journal_args(root: Path) -> list[str]:
    return [arg for path in sorted((root / "ledger").glob("*.journal")) for arg in ("-f", str(path))]


def hledger_balances(root: Path, *extra: str) -> dict[str, Decimal]:
    """Every account's balance as hledger 1.25 reads the very same journal files."""
    files = journal_args(root)
    if not files:
        return {}
    done = subprocess.run(["hledger", *files, "bal", "--flat", "-O", "csv", "--no-total", *extra], capture_output=True, text=True, check=True)
    rows = list(csv.reader(io.StringIO(done.stdout)))[1:]
    return {account: _amount(amount) for account, amount in rows}


def ledger_balances(root: Path) -> dict[str, Decimal]:
    """Every account's balance as ledger 3.3 reads the same files."""
    files = journal_args(root)
    done = subprocess.run(["ledger", *files, "bal", "--flat", "--no-total", "--balance-format", "%(account)\t%(quantity(display_total))\n"], capture_output=True, text=True, check=True)
    table = {}
    for line in done.stdout.splitlines():
        account, amount = line.split("\t")
        table[account] = Decimal(amount)
    return table


def _amount(text: str) -> Decimal:
    text = text.strip()
    return Decimal(0) if text in ("0", "") else Decimal(text.split()[0])


def nonzero(table: dict[str, Decimal]) -> dict[str, Decimal]:
    return {account: amount for account, amount in table.items() if amount != 0}
