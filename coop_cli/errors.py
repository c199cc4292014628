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


class BadField(CoopError):
    """One field of what was typed (an argument, a cell of a batch file) is refused: `field` says which.

    It keeps the message and the exit status of the problem found in it, so a single exchange reads as before
    and a batch can name the file's own column.
    """

    def __init__(self, field: str, problem: CoopError):
        super().__init__(problem.message)
        self.field = field
        self.exit_code = problem.exit_code


class Refusals(CoopError):
    """Several problems found at once (a batch): each is printed on its own line."""

    def __init__(self, messages: list[str]):
        super().__init__("\n".join(messages))
        self.messages = messages
