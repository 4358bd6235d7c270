"""Compiled regular expressions of the data files, kept on disk between runs.

Why: every process compiles the lexicon, place and date patterns (tens of thousands of
characters of alternations) before its first page, and Python compiles a pattern in pure Python
(``re._parser`` then ``re._compiler``): that was the largest part of loading the resources, paid
again by every run and every worker.  The compiled form (the engine's code array, its flags and
group tables) depends only on the pattern text, its flags and the Python build, so it is kept in
the data directory, in a file named by the Python build, and handed straight to the C engine
(``_sre.compile``) on the next run.  The resulting pattern objects are the ones ``re.compile``
builds (``==`` on patterns compares the code array); the engine checks a code array before
taking it, and anything unexpected (an unreadable or foreign file, internals of another Python
version) falls back to ``re.compile``.
"""

from __future__ import annotations

import hashlib
import marshal
import re
import sys
from array import array
from pathlib import Path

from .cachefile import write_atomic

try:  # CPython's regex internals; without them every pattern goes through re.compile
    import _sre
    from re import _compiler, _parser
except ImportError:  # pragma: no cover - other Python implementations
    _sre = None

FORMAT = 1
# The code array is stored as machine words of the engine's code size (compact, read in C).
_CODE_TYPE = next((t for t in "IL" if array(t).itemsize == getattr(_sre, "CODESIZE", 0)), None)


def cache_path(folder: Path) -> Path | None:
    """The cache file in ``folder`` for this Python build (another build gets another file)."""
    if _sre is None or _CODE_TYPE is None:
        return None
    ident = repr((FORMAT, sys.implementation.name, sys.version, _sre.MAGIC, _sre.CODESIZE))
    return folder / f"regex-{hashlib.sha256(ident.encode()).hexdigest()[:16]}.marshal"


class RegexCache:
    """``compile`` as ``re.compile``, from the cache file when it holds the pattern.

    Owned by one resource load: :meth:`save` writes back the patterns this load compiled, so
    the file follows the data files (patterns no longer built drop out).
    """

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self._stored: dict = {}
        self._used: dict = {}
        self._new = 0
        if path is not None:
            try:
                data = marshal.loads(path.read_bytes())
            except (OSError, EOFError, ValueError, TypeError):
                data = None
            if isinstance(data, dict):
                self._stored = data

    def compile(self, pattern: str, flags: int = 0) -> re.Pattern[str]:
        """``re.compile(pattern, flags)`` for a ``str`` pattern."""
        key = (pattern, int(flags))
        entry = self._stored.get(key)
        if entry is not None:
            try:
                compiled = _sre.compile(pattern, entry[0], array(_CODE_TYPE, entry[1]).tolist(), *entry[2:])
            except (TypeError, ValueError, RuntimeError, IndexError, OverflowError):
                pass  # not this build's code after all: compile afresh below
            else:
                self._used[key] = entry
                return compiled
        if self.path is None or _sre is None or _CODE_TYPE is None:
            return re.compile(pattern, flags)
        # What re._compiler.compile does, keeping the code array it builds.
        flags = int(flags)
        parsed = _parser.parse(pattern, flags)
        code = _compiler._code(parsed, flags)
        groupindex = dict(parsed.state.groupdict)
        indexgroup = [None] * parsed.state.groups
        for name, i in groupindex.items():
            indexgroup[i] = name
        entry = (flags | parsed.state.flags, array(_CODE_TYPE, code).tobytes(),
                 parsed.state.groups - 1, groupindex, tuple(indexgroup))
        self._used[key] = entry
        self._new += 1
        return _sre.compile(pattern, entry[0], list(code), *entry[2:])

    def save(self) -> None:
        """Write the patterns of this load back when they differ from the file's; atomically (a
        temporary file renamed into place), so parallel workers never read half a file.  A
        folder that cannot be written to only costs the compiling next time."""
        if self.path is None or (not self._new and len(self._used) == len(self._stored)):
            return
        write_atomic(self.path, marshal.dumps(self._used))
