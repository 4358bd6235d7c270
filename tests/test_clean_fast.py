"""The cleaning stage's shortcuts give exactly what the slower documented calls give.

* HTML: ``htmlextract.extract_html`` runs only the metadata steps we use (title, site name, date) and
  must agree with ``trafilatura.bare_extraction(with_metadata=True)`` on text and those fields
  (except where trafilatura's recall escalation, which we leave out, would change the text);
* text: spam patterns are searched one by one instead of as one alternation, and only in
  lines holding one of the literals every match of the pattern contains; the opinion markers'
  regexes run only where a substring test allows a match; a paragraph is normalised only where
  its key can equal a title's; the verdict on a short line is kept and reused for the run; the
  whole-line lists try their ".*X" members only on lines holding the literals those need;
* the town -> country table of the annotator is cached in the data directory.

The pages below are written for these tests (invented outlets, places and events).
"""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from frontwatch import clean, cleanline
from frontwatch.annotate import _city_countries
from frontwatch.furniture import GuardedPattern, _needles, _required, fold_case, is_spam, load_vocab
from frontwatch.htmlextract import extract_html
from frontwatch.model import Page

LEDE = ("Artillery fire struck the eastern edge of Marwan town on Tuesday morning, killing four "
        "farmers who were working near the river, according to a local council official.")
SECOND = ("The official said the shells came from positions held by the Northern Brigade across the "
          "valley, and that families had begun leaving the outlying villages by truck.")
THIRD = ("A spokesman for the brigade denied firing at the town and blamed a rival militia for the "
         "attack; neither account could be independently confirmed.")

PAGES = {
    # <title> with the site after a separator, OpenGraph site name, article:published_time
    "og": ("<!doctype html><html><head><title>Shelling kills four farmers near Marwan | Valley Courier</title>"
           '<meta property="og:site_name" content="Valley Courier">'
           '<meta property="article:published_time" content="2021-03-09T08:30:00+00:00">'
           '<meta property="article:tag" content="shelling">'
           '<meta name="author" content="Samira Haddad">'
           "</head><body><nav><a href='/'>Home</a> <a href='/world'>World</a></nav><article>"
           "<h1>Shelling kills four farmers near Marwan</h1><p>{p1}</p><p>{p2}</p><p>{p3}</p></article>"
           "<footer><a rel='license' href='https://creativecommons.org/licenses/by/4.0/'>CC BY</a></footer>"
           "</body></html>"),
    # JSON-LD only, canonical link, a byline the author extractor would look at
    "jsonld": ("<html><head><title>Convoy ambushed on desert road</title>"
               '<link rel="canonical" href="https://example-gazette.test/2020/07/14/convoy-ambushed">'
               '<script type="application/ld+json">{{"@context": "https://schema.org", "@type": "NewsArticle", '
               '"headline": "Convoy ambushed on desert road", "datePublished": "2020-07-14", '
               '"publisher": {{"@type": "Organization", "name": "Example Gazette"}}}}</script>'
               "</head><body><div class='byline'>By Omar Said</div><main><p>{p1}</p><p>{p2}</p>"
               "<p>{p3}</p></main><div class='tags'><a href='/tag/ambush/'>ambush</a></div></body></html>"),
    # nothing but a title and a date in the text; no site name anywhere
    "bare": ("<html><head><title>Two checkpoints change hands</title></head><body>"
             "<p>Posted 2 February 2019</p><div><p>{p1}</p><p>{p2}</p><p>{p3}</p></div></body></html>"),
    # lower-case Twitter site name, two h1 headings
    "twitter": ("<html><head><title>Ceasefire holds in the north</title>"
                '<meta name="twitter:site" content="@hillpost">'
                "</head><body><h1>Menu</h1><h1>Ceasefire holds in the north</h1>"
                "<p>{p1}</p><p>{p2}</p><p>{p3}</p></body></html>"),
    # XHTML with an encoding declaration (lxml refuses it in a str: the bytes fallback parses it)
    "xhtml": ('<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" '
              '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">\n<html xmlns="http://www.w3.org/1999/xhtml">'
              "<head><title>Bridge shelled at dawn</title></head><body><div id='story'><p>{p1}</p><p>{p2}</p>"
              "<p>{p3}</p></div></body></html>"),
    # the whole page inside one <form> (ASP.NET style), a search box, a comment form: the form
    # controls are the elements whose lxml classes the C-level lookup does not give
    "form": ("<html><head><title>Market hit in the south</title></head><body><form id='aspnetForm' method='post'>"
             "<input type='hidden' name='state' value='x'><div class='search'><label for='q'>Search</label>"
             "<input id='q' name='q'><select name='s'><option>All</option></select></div>"
             "<div class='story'><p>{p1}</p><p>{p2}</p><p>{p3}</p></div>"
             "<div class='reply'><label>Comment</label><textarea name='c'>Your comment</textarea></div>"
             "</form></body></html>"),
    # characters XML forbids (a form feed, a vertical tab, U+FFFE), which the repair step deletes
    "controls": ("<html><head><title>Two checkpoints\x0c change hands</title></head><body>"
                 "<div><p>{p1}\x0b</p><p>{p2}\ufffe</p><p>{p3}</p></div></body></html>"),
}


def _full(html: str, url: str | None):
    import trafilatura

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return trafilatura.bare_extraction(
            html, url=url, fast=True, include_comments=False, include_tables=False,
            with_metadata=True, date_extraction_params={"extensive_search": False},
        )


@pytest.mark.parametrize("name", sorted(PAGES))
@pytest.mark.parametrize("url", [None, "https://news.example.test/a/b"])
def test_html_shortcut_matches_trafilatura_with_metadata(name, url):
    html = PAGES[name].format(p1=LEDE, p2=SECOND, p3=THIRD)
    full = _full(html, url)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = extract_html(html, url)
    assert full is not None and ours is not None
    assert (ours.text, ours.title, ours.sitename, ours.date) == (full.text, full.title, full.sitename, full.date)
    assert LEDE[:40] in ours.text


def test_html_shortcut_fields_on_a_known_page():
    html = PAGES["og"].format(p1=LEDE, p2=SECOND, p3=THIRD)
    ours = extract_html(html, None)
    assert ours.sitename == "Valley Courier"
    assert ours.date == "2021-03-09"
    assert ours.title.startswith("Shelling kills four farmers")


@pytest.mark.parametrize("html", ["", "<html></html>", "<p>one line</p>", "not markup at all",
                                  "<html/>\n<p>" + LEDE + "</p>", "\x00\x01<div>" + LEDE + "</div>"])
def test_html_shortcut_gives_none_where_trafilatura_finds_nothing(html):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert (extract_html(html, None) is None) == (_full(html, None) is None)


@pytest.mark.parametrize("html", [
    '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0//EN" />\n<html><body><p>x</p></body></html>',
    '<html lang="en"/>\n<body><p>x</p></body>',
    "<html><body><p>a\x00b\x1fc\x0bd\x0ce\ufffef\uffffg\t\r\n</p></body></html>",
    "<html><body><p>caf\u00e9 \u0915 \U0001f600 \udc80</p></body></html>",
    "",
])
def test_repair_matches_trafilatura(html):
    from trafilatura.utils import repair_faulty_html

    from frontwatch.htmlextract import _repair

    beginning = html[:50].lower()
    assert _repair(html, beginning) == repair_faulty_html(html, beginning)


_JSON_PIECES = ['{', '}', '[', ']', ':', ',', ' ', '  ', '\n', '\t', '\u00a0', '"', '\\"', '\\', '\\n', '\\t', '\\r',
                '\\u00e9', '\\ud83d', '\\ude00', '\\u003cb\\u003e', '<b>', '</b>', '&amp;', 'name', 'Valley Courier', '1']


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_JSON_PIECES), max_size=40))
def test_json_ld_passes_match_trafilatura(pieces):
    """The JSON-LD minifying and normalising passes give what trafilatura's give, on strings mixing
    JSON syntax, escapes, lone surrogates, markup and entities."""
    from trafilatura.json_metadata import normalize_json
    from trafilatura.metadata import JSON_MINIFY

    from frontwatch.htmlextract import _minify, _normalize_json

    text = "".join(pieces)
    assert _minify(text) == JSON_MINIFY.sub(r"\1", text)
    assert _normalize_json(text) == normalize_json(text)
    assert _normalize_json(_minify(text)) == normalize_json(JSON_MINIFY.sub(r"\1", text))


def test_recall_escalation_is_left_out():
    """trafilatura's stage 4 (a recall-mode retry when the extraction covers little of the page)
    is skipped on purpose (see ``htmlextract._cascade``): on a page of teasers around a short
    article, trafilatura keeps the teasers, we keep the article."""
    html = ("<html><head><title>Front line reports</title></head><body><article><p>" + LEDE + "</p></article>"
            + "".join(f"<div class='item'><span>Report {i}: {SECOND}</span></div>" for i in range(12))
            + "</body></html>")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        full = _full(html, None)
        ours = extract_html(html, None)
    assert SECOND in full.text  # trafilatura's retry took the teasers
    assert ours.text == LEDE
    assert ours.title == full.title == "Front line reports"


# --- spam: patterns one by one, prefiltered by required literals == the old single alternation ------

_SPAM_WORDS = ["I", "earn", "made", "$", "5", "per", "hour", "work", "from", "home", "jobs", "check", "my",
               "profile", "for", "copy", "this", "link", "weekly", "payout", "forex", "signals", "viagra",
               "full", "details", "here", "online-based", "job", "the", "army", "shelled", "Marwan", "\n",
               # characters a case-insensitive regex equates with ASCII letters
               "\u0130", "\u0131", "\u017f", "\u212a", "ſignals", "vıagra", "\u212aeep", "COPY THİS LINK"]
# User patterns of shapes the built-in list lacks: flags turned off inside, repeats, look-arounds,
# alternatives with nothing literal, a backreference.
_USER_SPAM = [r"(?-i:ABC)def", r"(?:ab|cd)+xyz", r"a{2,}bcd", r"x(?=yzw)", r"(?!foo)bar baz", r"(hour|\d+)s? paid",
              r"\$\d+", r"(sig)nals? \1", r"link|", r"[a-z]+ home", r"k\w{3}", r"s{2}ignals", r"(?:klmn)?xyz"]


@pytest.fixture(scope="module")
def vocab():
    return load_vocab()


@pytest.fixture(scope="module")
def user_spam():
    return [GuardedPattern.of(re.compile(p, re.IGNORECASE)) for p in _USER_SPAM]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_SPAM_WORDS + ["abc", "ABC", "DEF", "ab", "xyz", "aabcd", "yzw", "bar", "baz",
                                               "foo", "sig", "kiss"]), max_size=14),
       st.sampled_from([" ", "", "-"]), st.booleans())
def test_prefiltered_spam_search_equals_plain_search(vocab, user_spam, words, sep, upper):
    line = sep.join(words)
    line = line.upper() if upper else line
    folded = fold_case(line)
    for sp in (*vocab.spam, *user_spam):
        assert sp.search(line, folded) == (sp.pattern.search(line) is not None), sp.pattern.pattern
    combined = re.compile("|".join(f"(?:{p.pattern.pattern})" for p in vocab.spam), re.IGNORECASE)
    assert is_spam(vocab, line) == any(p.search(line, folded) for p in vocab.spam) == bool(combined.search(line))


def test_every_required_set_of_literals_is_read_off_the_pattern():
    sets = _required(r"(full|more) (details|info) (here|on my page)", re.IGNORECASE)
    assert sets[0] == ("full", "more")
    assert ("details", "info") in sets[1:] and ("here", "on my page") in sets[1:]
    assert _required(r"(?:ab|cd)+x(?:klmn)?y", re.IGNORECASE) == ()  # too short to look for
    earn = GuardedPattern.of(re.compile(r"i (earn|make) \$\d+", re.IGNORECASE))
    assert earn.needles == ("earn", "make") and any("$" in n for needles in earn.also for n in needles)
    # a line with the first literal but not the others is not searched, and is no match
    sp = GuardedPattern.of(re.compile(r"(full|more) (details|info) here", re.IGNORECASE))
    assert not sp.search("more troops arrived", "more troops arrived")
    assert sp.search("More details here", "more details here")


def test_a_dateline_is_tried_only_on_paragraphs_with_its_literals(vocab):
    agency = GuardedPattern.of(re.compile(r"(?P<city>[A-Z]{3,}) \((?P<agency>[A-Za-z]+)\) ?[-–—] ?"), min_chars=1)
    assert (agency.needles, agency.also) == ((" (",), ((")",),))
    assert not agency.holds(fold_case(LEDE)) and agency.holds(fold_case("BAGHDAD (Reuters) - " + LEDE))
    assert clean._dateline("BAGHDAD (Reuters) - " + LEDE, vocab)[:2] == (True, True)
    assert clean._dateline(LEDE, vocab) == (False, False, None)


def test_needles_are_read_off_the_pattern():
    assert _needles(r"weekly payouts?", re.IGNORECASE) == ("weekly payout",)
    assert _needles(r"\b(viagra|forex signals)\b", re.IGNORECASE) == ("forex signals", "viagra")
    assert _needles(r"(?:ab|cd)+xyz", re.IGNORECASE) == ("xyz",)
    assert _needles(r"xyz(?:klmn)*", re.IGNORECASE) == ("xyz",)  # an optional part is not required
    # nothing every match must contain (or too short to be worth it): no prefilter
    for pattern in (r"link|", r"\$\d+", r"x(?=yzw)", r"[a-z]+ h", r"(a|bcd)e", r"(?:klmn)?xy"):
        assert _needles(pattern, re.IGNORECASE) is None, pattern


def test_case_folding_covers_every_character_regex_takes_for_an_ascii_letter():
    everything = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF)
    for letter in "abcdefghijklmnopqrstuvwxyz0123456789":
        for m in re.finditer(re.escape(letter), everything, re.IGNORECASE):
            assert letter in fold_case(m.group()), (letter, hex(ord(m.group())))


def test_spam_line_is_a_comment_and_news_line_is_not(vocab):
    units = clean._units("I made $ 450 a day working from home, check my profile for details\n"
                         "The army shelled the outskirts of Marwan on Monday.")
    for u in units:
        clean._static(u, vocab)
    assert units[0].rule == "spam"
    assert units[1].rule != "spam"


# --- whole-line lists: the costly members apart, prefiltered == the one alternation ----------------

_LINE_WORDS = ["we", "use", "uses", "cookies", "this", "site", "website", "by", "continuing", "using", "you", "agree",
               "consent", "sign", "up", "subscribe", "for", "to", "our", "the", "daily", "newsletter", "newsletters",
               "briefing", "clicking", "here", "comments", "powered", "disqus", "photo", "(photo: AP)", "(", ")",
               "Photo", "SIGN UP", "shelled", "Marwan", "\u0130", "\u017f", "share", "Reply", "2"]


@pytest.fixture(scope="module")
def line_lists(vocab):
    from importlib import resources

    from frontwatch import yamlio

    data = yamlio.load_mapping(resources.files("frontwatch.data").joinpath("furniture.yaml").read_text("utf-8"), "t")
    plain = {g: re.compile("(?:" + "|".join(f"(?:{p})" for p in pats) + r")\Z", re.IGNORECASE)
             for g, pats in data["furniture"].items()}
    plain["widgets"] = re.compile("(?:" + "|".join(f"(?:{p})" for p in data["comment_widgets"]) + r")\Z",
                                  re.IGNORECASE)
    return [(plain[g], lst) for g, lst in (*vocab.furniture, ("widgets", vocab.comment_widgets))]


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(_LINE_WORDS), max_size=16), st.sampled_from([" ", "", ", "]), st.booleans())
def test_line_lists_match_what_one_alternation_matches(line_lists, words, sep, upper):
    line = sep.join(words)
    line = line.upper() if upper else line
    for plain, lst in line_lists:
        assert lst.match(line, fold_case(line)) == (plain.match(line) is not None), (plain.pattern[:60], line)


def test_costly_members_are_kept_apart(vocab):
    groups = dict(vocab.furniture)
    assert groups["cookies"].costly and groups["newsletter"].costly and vocab.comment_widgets.costly
    assert not groups["share"].costly  # nothing there opens with "any characters"
    line = "We use cookies to improve your experience. By continuing you accept our cookie policy."
    assert groups["cookies"].match(line, fold_case(line))
    assert not groups["cookies"].match(LEDE, fold_case(LEDE))


# --- one-paragraph rules: the shortcuts give what the plain rules give -------------------------------

_OPINION_WORDS = ["I", "you", "said", "told", "idiot", "we", "our", ":)", ";-(", "=P", ":d", "lol", "LOL", "haha",
                  "http://news.test", "WWW.example", "NATO", "USAF", "ISIS", "ABCD", "“We won!”", "\"why?\"", "!",
                  "?", "\u0130", "\u017f", "ht", "tp", "ww", "the", "army", "shelled", "Marwan", ":", "=", ";",
                  "3said", "-you", "you_2", "i’m", "X-RAY"]


def _plain_opinion_score(text: str, vocab) -> tuple[int, int]:
    """The opinion score as first written: every regex on every paragraph."""
    bare = text
    words = re.findall(r"[a-z’'][\w’'\-]*", text.lower())
    rep = sum(1 for w in words if w in vocab.reporting)
    if rep:
        text = re.sub(r"“[^”]*”|\"[^\"]*\"|‘[^’]*’(?!\w)", " ", text)
        words = re.findall(r"[a-z’'][\w’'\-]*", text.lower())
    op = sum(1 for w in words if w in vocab.opinion_words or w in vocab.insults)
    op += text.count("!") + text.count("?") + len(re.findall(r"(?::|;|=)-?[)(DPp]|\blol\b|\bhaha\b", text, re.I))
    op += len(re.findall(r"\b[A-Z]{4,}\b", text)) >= 3
    op += bare[:1].islower()
    op += bool(re.search(r"https?://|www\.\w", text, re.I))
    return op, rep


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_OPINION_WORDS), max_size=14), st.sampled_from([" ", "", "-"]), st.booleans())
def test_prefiltered_opinion_score_equals_plain_rules(vocab, words, sep, upper):
    text = sep.join(words)
    text = text.upper() if upper else text
    assert cleanline.opinion_score(text, vocab) == _plain_opinion_score(text, vocab)


def test_opinion_score_counts_markers_of_a_comment(vocab):
    comment = "you are an idiot!!! read THIS BEFORE YOU post www.example.test lol :)"
    op, rep = cleanline.opinion_score(comment, vocab)
    assert op > rep == 0
    assert cleanline.opinion_score(LEDE, vocab)[0] == 0


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=" -*•–’'_.,aBcXyZ09é\u0130\u017f\n", max_size=40))
def test_a_paragraph_key_has_the_word_count_the_shortcut_assumes(text):
    for u in clean._units(text):
        assert clean._key_may_have(u, {len(u.key.split())}), (u.text, u.words, u.key)


@settings(max_examples=600, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("aZq09_'-’ .,;:!?/()\t@#$%*+=<>[]{}|~`^&\\\"") + ["é", "ß", "\u0130", "中"]),
               max_size=40))
def test_words_counted_without_the_regex_are_the_regex_matches(text):
    assert cleanline.count_words(text) == len(cleanline.WORD.findall(text))


def test_words_of_a_news_line():
    assert cleanline.count_words("At least 3 al-Shabaab fighters were killed near Bardhere's market.") == 9
    assert cleanline.count_words("2,500 $ -- 10:45") == 0


_LINES = ["Share this article", "Posted on May 4, 2019 by admin", "Leave a reply", "Support Valley Courier",
          "2 Comments", "Tweet", "By Omar Said | 9 March 2021", "I made $ 450 a day working from home",
          "12,500 $", "Source: Valley Courier.", LEDE, SECOND]


def test_line_memo_gives_the_verdict_of_the_rules(monkeypatch):
    vocab = load_vocab()
    monkeypatch.setattr(cleanline, "LINE_MEMO_MAX", 4)  # full several times over: starts afresh
    verdicts = set()
    for _ in range(3):
        for line in _LINES:
            words = clean._units(line)[0].words
            verdict = cleanline.line_verdict(line, words, vocab)
            assert verdict == cleanline._judge(line, words, vocab), line
            verdicts.add(verdict.rule)
    assert 0 < len(vocab.line_memo) <= 4
    assert {"furniture:share", "byline:date", "comment_widget", "furniture:support", "spam",
            "shape:no-letters", "credit", ""} <= verdicts


def test_pages_cleaned_with_a_filled_memo_are_cleaned_alike():
    text = "\n\n".join(["Valley Courier", "Shelling kills four farmers near Marwan", "Posted on May 4, 2019 by admin",
                       "Share this article", LEDE, SECOND, THIRD, "Tweet", "2 Comments", "Leave a reply",
                       "jim_b says:", "you are all idiots!!! lol", "Support Valley Courier"])
    used = load_vocab()
    first = clean.clean_page(Page(id="a", source="t", format="txt", text=text), used)
    assert used.line_memo
    again = clean.clean_page(Page(id="a", source="t", format="txt", text=text), used)
    fresh = clean.clean_page(Page(id="a", source="t", format="txt", text=text), load_vocab())
    assert [d.segments for d in first] == [d.segments for d in again] == [d.segments for d in fresh]
    assert {s.rule for s in fresh[0].segments} >= {"body:prose", "furniture:share", "comment_widget"}


# --- the town -> country table cache --------------------------------------------------------------


def test_city_table_is_cached_and_reused(tmp_path: Path):
    built = _city_countries(tmp_path)
    files = list(tmp_path.glob("city-countries-*.json"))
    assert len(files) == 1
    assert not list(tmp_path.glob("*.tmp"))  # written atomically, nothing left behind
    assert json.loads(files[0].read_text(encoding="utf-8")) == dict(built)
    # a second load reads the file: prove it by planting a marker in it
    table = json.loads(files[0].read_text(encoding="utf-8"))
    table["zz-test-town"] = "ZZ"
    files[0].write_text(json.dumps(table), encoding="utf-8")
    again = _city_countries(tmp_path)
    assert again["zz-test-town"] == "ZZ"
    assert {k: v for k, v in again.items() if k != "zz-test-town"} == dict(built)


@pytest.mark.parametrize("garbage", ["", "{not json", "[1, 2]", '{"a": 1}'])
def test_damaged_city_cache_is_rebuilt(tmp_path: Path, garbage: str):
    built = _city_countries(tmp_path)
    cache = next(tmp_path.glob("city-countries-*.json"))
    cache.write_text(garbage, encoding="utf-8")
    assert dict(_city_countries(tmp_path)) == dict(built)
    assert json.loads(cache.read_text(encoding="utf-8")) == dict(built)  # and written again


def test_unwritable_data_dir_still_gives_the_table(tmp_path: Path):
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    table = _city_countries(blocker / "sub")  # cannot create a folder under a file
    assert table.get("baghdad") == "IQ"


def test_city_cache_that_is_not_utf8_is_rebuilt(tmp_path: Path):
    built = _city_countries(tmp_path)
    cache = next(tmp_path.glob("city-countries-*.json"))
    cache.write_bytes(b'{"baghdad": "\xff\xfe"}')
    assert dict(_city_countries(tmp_path)) == dict(built)
    assert json.loads(cache.read_text(encoding="utf-8")) == dict(built)
