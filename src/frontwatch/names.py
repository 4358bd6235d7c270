"""Place-name normalisation: the keys the gazetteer index is built on and looked up by.

News spells the same Arabic, Persian, Pashto or Slavic name many ways ("al-Qa'im", "Al Qaim",
"Qaim"; "Deir ez-Zor", "Deir Ezzor", "Dayr az Zawr"; "Abu Kamal", "Albu Kamal", "al-Bukamal").
Two keys absorb most of that:

* ``normalise(name)`` — the *exact key*: diacritics, apostrophes and ayn/hamza marks gone,
  case folded, definite articles (al-/el-/ad-/ar-/as-/an-/ash-/at-/az-/ez- ...) dropped,
  "Albu"/"Abu" compounds unified, spaces and hyphens removed.  "al-Qa'im" and "Al Qaim" both
  give ``qaim``.
* ``skeleton(name)`` — a phonetic-ish key for the next lookup tier: the first letter, then the
  consonants only, with the usual transliteration pairs merged (q/k/kh, dh/z, th/t, ph/f),
  doubled letters collapsed and a final h dropped.  "Husibah" and "Husaybah" both give ``hsb``.

No library does this: unidecode-style folding handles diacritics but not Arabic articles or
transliteration variants, and phonetic algorithms (Soundex, Metaphone) are tuned to English
surnames and merge far too much.  These functions are pure, never raise, and are idempotent
(``normalise(normalise(x)) == normalise(x)``), which the property tests check.
"""

from __future__ import annotations

import re
import unicodedata
from itertools import groupby

# Marks that are part of a transliteration (ayn, hamza, apostrophes) rather than separators:
# they vanish, so "Qa'im" and "Qaim" meet.
_APOSTROPHES = "'’‘`´ʿʾʼʻ′ˈ\u02bd\u02be\u02bf\u0060\u00b4"
_APOS_RE = re.compile(f"[{re.escape(_APOSTROPHES)}]")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
# Letters NFKD leaves alone but that have an obvious Latin reading.
_FOLD = str.maketrans({"ø": "o", "æ": "ae", "œ": "oe", "ß": "ss", "ł": "l", "đ": "d", "ð": "d",
                       "þ": "th", "ı": "i", "ħ": "h", "ŧ": "t"})

# Arabic definite article in its sun-letter assimilations, and the forms other languages'
# transliterations use.  Dropped when it stands before another word.
ARTICLES = frozenset({"al", "el", "ad", "ar", "as", "an", "ash", "at", "az", "ath", "adh", "ed",
                      "er", "es", "en", "et", "ez", "ul", "il"})
# Written-together forms of "al-" before a sun letter are too ambiguous to split ("Asad"),
# so only the hyphen/space-separated article is dropped.

# "Albu Kamal", "Abu Kamal", "al-Bukamal", "Abukamal": tribal "Albu"/"Al Bu" and "Abu" unify.
_ABU_PREFIX = re.compile(r"^(?:albu|abu|bu)(?=[a-z]{3,})")

# Skeleton: vowels are dropped after the first letter, and so are y and w unless a vowel
# follows (before a consonant they write a vowel: Dayr/Deir, Zawr/Zor; Rawa keeps its w).
_DIGRAPHS = (("kh", "k"), ("gh", "g"), ("dh", "z"), ("th", "t"), ("ph", "f"), ("sh", "s"),
             ("ch", "s"), ("ck", "k"), ("q", "k"), ("c", "k"), ("x", "ks"))
_SKEL_VOWELS = re.compile(r"[aeiou]|[wy](?![aeiou])")
_DOUBLES = re.compile(r"(.)\1+")


def fold(name: str) -> str:
    """Lower-case ASCII letters/digits and single spaces: diacritics and marks removed."""
    if not isinstance(name, str):
        return ""
    s = _APOS_RE.sub("", name.casefold())
    if not s.isascii():
        # NFKD splits a letter from its accents; the ASCII encode drops the accents (and any
        # letter with no Latin reading, which has no key anyway).
        s = unicodedata.normalize("NFKD", s).translate(_FOLD).encode("ascii", "ignore").decode()
    return _NON_ALNUM.sub(" ", s).strip()


def tokens(name: str) -> list[str]:
    """Folded words of a name with Arabic-style articles dropped ("al-Qa'im" → ["qaim"])."""
    words = fold(name).split()
    if len(words) > 1 and not ARTICLES.isdisjoint(words[:-1]):
        # An article is dropped only before another word: a bare "Al" stays a name.
        words = [w for w in words[:-1] if w not in ARTICLES] + words[-1:]
    return words


def normalise(name: str) -> str:
    """The exact lookup key of a place name (empty for a name with no Latin letters or digits).

    >>> normalise("al-Qa'im"), normalise("Al Qaim"), normalise("Qaim")
    ('qaim', 'qaim', 'qaim')
    >>> normalise("Deir ez-Zor") == normalise("Deir Ez Zor")
    True
    """
    return _key(tokens(name))


def _key(words: list[str]) -> str:
    # Doubled letters are spelling noise in transliteration (Ezzor/Ezor, Rumanna/Rumana);
    # collapsed before the Abu rule so that the result is a fixed point (idempotence).
    key = _dedouble("".join(words))
    return _ABU_PREFIX.sub("bu", key) if key.startswith(("a", "b")) else key


def _dedouble(s: str) -> str:
    # groupby is several times faster than a back-referencing regex substitution here.
    return "".join(k for k, _ in groupby(s)) if _DOUBLES.search(s) else s


def skeleton(name: str) -> str:
    """Phonetic-ish key: first letter, then consonants with transliteration pairs merged.

    >>> skeleton("Husibah") == skeleton("Husaybah")
    True
    """
    return _skeleton_of_key(normalise(name))


def _skeleton_of_key(key: str) -> str:
    if not key:
        return ""
    if key.endswith("h") and len(key) > 3:  # Rawah/Rawa, Anah/Ana
        key = key[:-1]
    for a, b in _DIGRAPHS:
        if a in key:
            key = key.replace(a, b)
    return _dedouble(key[0] + _SKEL_VOWELS.sub("", key[1:]))


def index_keys(name: str) -> tuple[str, str, set[str]]:
    """(exact key, skeleton, all exact keys) of a gazetteer name, computed in one pass."""
    words = tokens(name)
    key = _key(words)
    return key, _skeleton_of_key(key), _variants(words, key)


def variant_keys(name: str) -> set[str]:
    """Extra exact keys under which a gazetteer name is also indexed.

    A name like "Al Waleed border crossing" or "Anbar Governorate" is also reachable as
    "Al Waleed"/"Anbar": the generic head word is what the descriptor says, not the name.
    """
    words = tokens(name)
    return _variants(words, _key(words))


def _variants(words: list[str], key: str) -> set[str]:
    keys = {key}
    if len(words) > 1:
        if words[-1] in GENERIC_TAIL_WORDS:
            while len(words) > 1 and words[-1] in GENERIC_TAIL_WORDS:
                words = words[:-1]
            keys.add(_key(words))
        if len(words) > 1 and words[0] in GENERIC_HEAD_WORDS:
            keys.add(_key(words[1:]))
    keys.discard("")
    return keys


# Head/tail words that name the kind of place rather than the place: indexed without them too.
GENERIC_TAIL_WORDS = frozenset({
    "province", "governorate", "region", "state", "oblast", "county", "district", "municipality",
    "prefecture", "department", "city", "town", "village", "crossing", "border", "airbase",
    "air", "base", "airport", "international", "muhafazat", "wilayah", "raion", "rayon",
    "krai", "kray", "territory", "division", "emirate", "parish", "voivodeship", "canton",
})
GENERIC_HEAD_WORDS = frozenset({"muhafazat", "wilayat", "province", "governorate", "state",
                                "city", "mount", "jabal", "jebel", "wadi", "lake"})
