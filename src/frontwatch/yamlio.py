"""YAML parsing for the data files: libyaml's C loader when PyYAML was built with it.

The pure-Python ``yaml.safe_load`` spent about a second of every process start on the bundled
lexicons; ``CSafeLoader`` builds the same Python values (same safe tag set) several times faster.
"""

from __future__ import annotations

from typing import Any

import yaml

# The C loader when libyaml is available, else the pure-Python one (same results, slower).
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def safe_load(text: str) -> Any:
    """``yaml.safe_load(text)`` through the fastest safe loader available; raises ``yaml.YAMLError``."""
    return yaml.load(text, Loader=_LOADER)  # noqa: S506 — a safe loader, chosen above


def load_mapping(text: str, where: str, *, need_version: bool = False) -> dict:
    """Parse one data file's text into a mapping, or raise ``ConfigError`` naming ``where``.

    Every loader of a data file (bundled or the user's own) goes through here, so a broken
    user file gets the same clear one-line message whichever stage reads it.
    """
    from .errors import ConfigError

    try:
        data = safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{where} is not valid YAML: {' '.join(str(exc).split())}") from None
    data = {} if data is None else data
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: expected a YAML mapping at the top level")
    if need_version and "version" not in data:
        raise ConfigError(f"{where}: a data file needs a 'version:' key")
    return data
