"""Start-up loading: the collector pause around it, and the trie alternations it builds."""

from __future__ import annotations

import gc
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from frontwatch import annotate, extract
from frontwatch.gcpause import gc_paused
from frontwatch.lexicon import _char_pattern, _char_trie, _trie_pattern, alternation


def test_gc_is_paused_inside_and_restored_after() -> None:
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_gc_pause_restores_after_an_error_and_keeps_an_outer_pause() -> None:
    with pytest.raises(KeyError), gc_paused():
        raise KeyError("x")
    assert gc.isenabled()
    with gc_paused():
        with gc_paused():
            pass
        assert not gc.isenabled()  # the inner block does not end the outer pause
    assert gc.isenabled()


def test_loaders_leave_the_collector_on() -> None:
    annotate.load_resources(())
    extract.load_rules()
    assert gc.isenabled()


def _reference_trie(node: dict) -> str:
    """The trie pattern by plain recursion over every node (the definition)."""
    alts = [_char_pattern(ch) + _reference_trie(sub) for ch, sub in sorted(node.items()) if ch]
    if not alts:
        return ""
    body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
    if "" in node:
        return body + "?" if len(alts) > 1 else "(?:" + body + ")?"
    return body


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet="ab -'’.", max_size=7), max_size=8))
def test_trie_pattern_is_the_recursive_definition(forms: list[str]) -> None:
    trie = _char_trie(f for f in forms if f)
    assert _trie_pattern(trie) == _reference_trie(trie)


def test_alternation_prefers_the_longest_form_and_tolerates_variants() -> None:
    pat = re.compile(r"(?<!\w)" + alternation(["al-Qa'im", "al-Qa", "Popular Mobilization Forces",
                                                 "Popular Mobilization"], fold=True) + r"(?!\w)")
    text = "Fighters of the popular  mobilization forces entered Al–Qa’im; al-Qa is not a town."
    assert [m.group() for m in pat.finditer(text)] == ["popular  mobilization forces", "Al–Qa’im", "al-Qa"]


def test_long_lived_freezes_what_is_kept_and_hands_it_back() -> None:
    from frontwatch.gcpause import long_lived

    gc.unfreeze()
    resources = {"patterns": [object() for _ in range(10)]}
    with long_lived() as keep:
        assert keep(resources) is resources
        assert gc.get_freeze_count() > 0  # out of the collector's sight for the run
    assert gc.get_freeze_count() == 0
    try:
        with long_lived() as keep:
            keep(resources)
            raise RuntimeError("a failed run")
    except RuntimeError:
        pass
    assert gc.get_freeze_count() == 0  # handed back whatever happens
