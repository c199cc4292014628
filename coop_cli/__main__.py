"""`python -m coop_cli` runs the command line, as the `coop` script does."""

from coop_cli.cli import main

main()
