"""YAML as coop reads and rewrites it: safe, bounded, and keeping the humans' comments.

ruamel.yaml's round-trip mode builds only plain mappings, lists and scalars (no object construction); PyYAML's safe loader reads fast.
"""

from __future__ import annotations

import io
from typing import Any

from coop_cli.errors import CoopError
from coop_cli.i18n import _

MAX_YAML_BYTES = 1_000_000


def _yaml():
    from ruamel.yaml import YAML  # imported here: it costs start-up time that read-only commands may not need

    yaml = YAML(typ="rt")
    yaml.allow_unicode = True
    yaml.width = 4096  # never fold an SSH key or a name across lines
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.preserve_quotes = True
    return yaml


def load(text: str, what: str) -> Any:
    """Parse YAML text; any problem becomes one sentence naming `what` and the line."""
    if len(text.encode("utf-8")) > MAX_YAML_BYTES:
        raise CoopError(_("{what} is larger than {n} bytes; coop refuses to read it").format(what=what, n=MAX_YAML_BYTES))
    from ruamel.yaml.error import YAMLError

    try:
        return _yaml().load(text)
    except YAMLError as problem:
        mark = getattr(problem, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        reason = getattr(problem, "problem", None) or str(problem).splitlines()[0]
        raise CoopError(_("{what}{line} is not valid YAML: {reason}").format(what=what, line=line, reason=reason)) from None
    except (ValueError, TypeError, LookupError, RecursionError) as problem:  # ruamel trips on some scalars: `-_` raises IndexError
        raise CoopError(_("{what} is not valid YAML: {reason}").format(what=what, reason=problem)) from None


def load_fast(text: str, what: str) -> Any:
    """Plain data through PyYAML's C safe loader, for reading only: no comments, no lines, five to twenty times faster.

    Callers read with this first and, when the data does not validate, again with `load` to name the line.
    """
    import yaml

    if len(text.encode("utf-8")) > MAX_YAML_BYTES:
        raise CoopError(_("{what} is larger than {n} bytes; coop refuses to read it").format(what=what, n=MAX_YAML_BYTES))
    try:
        return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (yaml.YAMLError, ValueError, TypeError, RecursionError):
        return load(text, what)  # ruamel names the line of the problem


def dump(document: Any) -> str:
    stream = io.StringIO()
    _yaml().dump(document, stream)
    return stream.getvalue()


def line_of(node: Any, index: int | str | None = None) -> int | None:
    """The 1-based line of a mapping or list item in the source, when ruamel knows it."""
    try:
        if index is None:
            return node.lc.line + 1
        return (node.lc.item(index) if isinstance(index, int) else node.lc.key(index))[0] + 1
    except (AttributeError, KeyError, IndexError, TypeError):
        return None
