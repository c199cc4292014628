"""coop: the signed, plain-text book of a time-bank cooperative.

The core (model, formats, checks, reports, repo) is a library; `coop_cli.cli` is the command line over it.
"""

__version__ = "0.1.0"
