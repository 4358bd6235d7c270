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
