"""The domain errors every layer of coop raises.

Each carries one plain sentence for the user; the CLI turns them into `error: ...` and an exit code.
"""


class CoopError(Exception):
    """A refused operation or a failed check: exit status 1."""

    exit_code = 1

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class BadInput(CoopError):
    """Something the user typed cannot be understood: exit status 2, like a usage error."""

    exit_code = 2


class SigningError(CoopError):
    """A key could not be read or used, or a signature does not verify."""
