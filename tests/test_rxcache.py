"""The compiled-pattern cache: the patterns it hands back are re.compile's, from a file or not."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from frontwatch import annotate, pipeline, rxcache
from frontwatch.rxcache import RegexCache

PATTERNS = [
    (r"(?<!\w)(?:Hay(?:'|’)at Tahrir al-Sham|HTS|Islamic State)(?!\w)", 0),
    (r"(?P<num>\d+(?:\.\d+)?)\s*(?P<unit>km|kilomet(?:er|re)s?)\s+(?P<dir>north|south)(?:-?east|-?west)?", re.I),
    (r"(?!(?:The|According)(?![\w’'-]))[A-Z][\w’']*(?:\s+[A-Z][\w’']*){0,3}", 0),
    (r"[.!?]+[\"”’)\]]*(?=\s+[\"“‘(\[]?[A-Z0-9•])", 0),
]
TEXT = ("Hay'at Tahrir al-Sham said on Monday that 12 km north-east of Idlib, The Syrian Army shelled "
        "two villages. According to HTS, islamic state cells withdrew. 3.5 Kilometres South of Al Bab.")


def _cache(folder: Path) -> Path:
    path = rxcache.cache_path(folder)
    assert path is not None  # CPython: the cache is in use
    return path


def test_patterns_from_the_file_are_re_compiles(tmp_path: Path) -> None:
    path = _cache(tmp_path)
    first = RegexCache(path)
    fresh = [first.compile(p, f) for p, f in PATTERNS]
    first.save()
    assert path.exists()
    second = RegexCache(path)
    cached = [second.compile(p, f) for p, f in PATTERNS]
    assert second._new == 0  # all came from the file
    for (p, f), a, b in zip(PATTERNS, fresh, cached, strict=True):
        ref = re.compile(p, f)
        # Pattern equality compares pattern text, flags and the engine's code array.
        assert a == ref and b == ref
        assert b.groupindex == ref.groupindex and b.groups == ref.groups and b.flags == ref.flags
        got = [(m.span(), m.groups(), m.groupdict()) for m in b.finditer(TEXT)]
        assert got == [(m.span(), m.groups(), m.groupdict()) for m in ref.finditer(TEXT)]
        assert got or p.startswith("(?<!")  # the sample text exercises the patterns


def test_a_broken_or_foreign_file_falls_back_to_compiling(tmp_path: Path) -> None:
    path = _cache(tmp_path)
    path.write_bytes(b"not a marshal stream")
    cache = RegexCache(path)
    assert cache.compile(*PATTERNS[0]) == re.compile(*PATTERNS[0])
    cache.save()  # replaces the broken file
    # An entry whose code the engine refuses is compiled afresh.
    stored = RegexCache(path)
    key = (PATTERNS[0][0], PATTERNS[0][1])
    flags, _code, *rest = stored._stored[key]
    stored._stored[key] = (flags, b"\x00\x00\x00\x00", *rest)
    assert stored.compile(*PATTERNS[0]) == re.compile(*PATTERNS[0])


def test_save_writes_only_when_the_patterns_changed(tmp_path: Path) -> None:
    path = _cache(tmp_path)
    one = RegexCache(path)
    one.compile(*PATTERNS[0])
    one.compile(*PATTERNS[1])
    one.save()
    mtime = path.stat().st_mtime_ns
    same = RegexCache(path)
    same.compile(*PATTERNS[0])
    same.compile(*PATTERNS[1])
    same.save()
    assert path.stat().st_mtime_ns == mtime
    fewer = RegexCache(path)
    fewer.compile(*PATTERNS[1])
    fewer.save()  # the dropped pattern leaves the file
    assert list(RegexCache(path)._stored) == [(PATTERNS[1][0], PATTERNS[1][1])]


def test_no_path_means_plain_re_compile() -> None:
    cache = RegexCache(None)
    assert cache.compile(*PATTERNS[1]) == re.compile(*PATTERNS[1])
    cache.save()  # nothing to write to


def _patterns(obj: object, seen: set[int] | None = None) -> list[re.Pattern]:
    """Every compiled pattern reachable from a resource object, in a fixed order."""
    seen = set() if seen is None else seen
    if id(obj) in seen or isinstance(obj, (str, bytes, int, float, type(None))):
        return []
    seen.add(id(obj))
    if isinstance(obj, re.Pattern):
        return [obj]
    if isinstance(obj, dict) or type(obj).__name__ == "mappingproxy":
        items = list(obj.values())
    elif isinstance(obj, (list, tuple, set, frozenset)):
        items = list(obj) if not isinstance(obj, (set, frozenset)) else []
    else:
        # (a class compiled by mypyc has neither __dict__ nor __slots__: it lists __mypyc_attrs__)
        names = {*getattr(obj, "__dict__", {}), *getattr(type(obj), "__slots__", ()),
                 *getattr(type(obj), "__mypyc_attrs__", ())}
        items = [getattr(obj, n) for n in sorted(names) if hasattr(obj, n)]
    return [p for it in items for p in _patterns(it, seen)]


def test_annotation_resources_are_the_same_with_the_cache(tmp_path: Path) -> None:
    """Every pattern the annotators compile is equal (same code) with and without the cache."""
    plain = annotate.load_resources(())
    for _ in range(2):  # the first load fills the file, the second reads it
        cache = RegexCache(_cache(tmp_path))
        cached = annotate.load_resources((), rx=cache)
        cache.save()
    assert cache._new == 0 and len(cache._used) > 10
    for name in ("lexicon", "places", "dates", "quantities"):
        a, b = _patterns(getattr(plain, name)), _patterns(getattr(cached, name))
        assert len(a) > 1 and a == b, name


def test_pipeline_keeps_the_cache_in_the_data_dir(tmp_path: Path) -> None:
    opts = pipeline.RunOptions(inputs=(), out_dir=tmp_path / "out", data_dir=tmp_path / "data")
    pipeline.load_resources(opts)
    assert [p.name for p in (tmp_path / "data").glob("regex-*.marshal")] == [_cache(tmp_path / "data").name]


def test_place_patterns_do_not_depend_on_the_hash_seed() -> None:
    """The cache key is the pattern text: it must be the same in every process, whatever order
    the vocabulary's sets iterate in."""
    code = ("from frontwatch import annotate, rxcache\n"
            "c = rxcache.RegexCache(None)\n"
            "seen = []\n"
            "c.compile = lambda p, f=0: seen.append((p, int(f))) or __import__('re').compile(p, f)\n"
            "annotate.load_resources((), rx=c)\n"
            "import hashlib; print(hashlib.sha256(repr(seen).encode()).hexdigest(), len(seen))\n")
    outs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                           env={**os.environ, "PYTHONHASHSEED": seed}).stdout for seed in ("1", "2", "3")}
    assert len(outs) == 1 and int(next(iter(outs)).split()[1]) > 10


def test_the_tokeniser_is_spacys_blank_english(tmp_path: Path) -> None:
    """The tokeniser built with the cached affix regexes is spaCy's own, rules and regexes alike,
    and splits a text the same way."""
    import spacy

    from frontwatch.triggers import _blank_english

    ref = spacy.blank("en")
    for _ in range(2):  # compiled, then from the file
        cache = RegexCache(_cache(tmp_path))
        nlp = _blank_english(cache)
        cache.save()
    assert cache._new == 0 and len(cache._used) == 3
    assert nlp.tokenizer.to_bytes() == ref.tokenizer.to_bytes()
    for name in ("prefix_search", "suffix_search", "infix_finditer"):
        assert getattr(nlp.tokenizer, name).__self__ == getattr(ref.tokenizer, name).__self__
    text = "The U.S.-backed SDF's fighters (YPG) shelled al-Bab at 3:40am, e.g. 12km away; don't."
    assert [t.text for t in nlp.make_doc(text)] == [t.text for t in ref.make_doc(text)]
