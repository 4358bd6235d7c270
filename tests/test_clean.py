"""Tests of clean.py on pages written for these tests in the shapes of several kinds of site."""

from __future__ import annotations

import importlib.util
import json
import re
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from frontwatch.clean import clean_page, load_vocab
from frontwatch.errors import ConfigError
from frontwatch.model import DateSource, Page, SegmentKind

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


@pytest.fixture(scope="module")
def vocab():
    return load_vocab()


def page(text: str, pid: str = "p", **kw) -> Page:
    return Page(id=pid, source="test", format="txt", text=text, **kw)


def kinds(doc) -> dict[str, SegmentKind]:
    """First line of each segment -> its kind."""
    return {doc.page_text[s.start:s.end].strip().split("\n")[0].strip(): s.kind for s in doc.segments}


LEDE = ("Iraqi troops entered the western town of Rawa on Friday after a two-day push along the "
        "Euphrates, a military spokesman said.")
SECOND = ("The spokesman told reporters in Baghdad that engineers were clearing roadside bombs left "
          "behind by the retreating militants.")
THIRD = ("Local officials said about 300 families had fled toward the desert before the assault began "
         "and were being screened at a camp near Anah.")

WORDPRESS = f"""Skip to content
Home
World
Iraqi troops enter Rawa after two-day push
Posted on March 12, 2019 by frontdesk

{LEDE}

{SECOND}

{THIRD}

Share this:
Twitter
Facebook
Like this:
Like Loading...
Related

3 thoughts on “Iraqi troops enter Rawa after two-day push”

Abu Karim
March 12, 2019 at 10:14 pm
Finally!! I have waited for this news for months, thank you for posting it.
Reply

Sandra P
March 13, 2019 at 8:02 am
You people never report what the coalition jets did there. Shameful.
Reply

Leave a Reply Cancel reply
Your email address will not be published.
"""


def test_wordpress_comments_start_at_widget_and_date_from_byline(vocab):
    docs = clean_page(page(WORDPRESS), vocab)
    assert len(docs) == 1
    doc = docs[0]
    assert doc.text == "\n\n".join([LEDE, SECOND, THIRD])
    assert doc.title == "Iraqi troops enter Rawa after two-day push"
    assert doc.published == date(2019, 3, 12) and doc.published_source is DateSource.PAGE
    k = kinds(doc)
    assert k["Share this:"] is SegmentKind.FURNITURE
    assert k["Finally!! I have waited for this news for months, thank you for posting it."] is SegmentKind.COMMENT
    assert k["Skip to content"] is SegmentKind.FURNITURE
    # the comment dates are not the page's date
    assert "Shameful" not in doc.text


NEWS_SITE = f"""We use cookies to give you the best experience on our website.
Accept cookies
Politics | World | Middle East

Kurdish forces report heavy clashes near Tal Afar

By Jane Doe | 4 September 2017

{LEDE}

Read more: Militants retreat from river towns as offensive widens

{SECOND}

Related: What the fall of Mosul means for the region

Sign up for our daily newsletter to get the news first.
Enter your email address

{THIRD}

Most read
Tags: Iraq, Anbar, Islamic State
© 2017 Levant Ledger. All rights reserved.
"""


def test_news_site_related_links_newsletter_and_cookies_are_furniture(vocab):
    doc = clean_page(page(NEWS_SITE), vocab)[0]
    assert doc.text == "\n\n".join([LEDE, SECOND, THIRD])
    assert doc.published == date(2017, 9, 4)
    assert doc.outlet == "Levant Ledger"
    rules = {doc.segment_text(s).strip(): s.rule for s in doc.segments}
    assert rules["Read more: Militants retreat from river towns as offensive widens"] == "furniture:related"
    assert rules["Accept cookies"].startswith("furniture:")
    assert rules["Sign up for our daily newsletter to get the news first."] == "furniture:newsletter"


DISQUS = f"""Militia convoy hit by drone strike near Qaim

{LEDE}

{SECOND}

12 Comments
Sort by Best
Join the discussion…

Marcus_88
2 hours ago
lol you really believe their numbers? they always lie
Reply
14

desert_fox
an hour ago
This site is the only place that covers these battles. Keep it up!!
"""


def test_disqus_thread_is_comments(vocab):
    doc = clean_page(page(DISQUS), vocab)[0]
    assert doc.text == "\n\n".join([LEDE, SECOND])
    k = kinds(doc)
    assert k["lol you really believe their numbers? they always lie"] is SegmentKind.COMMENT
    assert k["12 Comments"] is SegmentKind.FURNITURE


WIRE = """Iraqi forces retake border crossing from Islamic State

BAGHDAD (Reuters) - Iraqi forces recaptured the Husaybah border crossing with Syria on Friday, the
military said in a statement, pressing an offensive against one of the last enclaves held by the group.

The crossing had been closed since the militants overran the area in 2014, officials said.

Reporting by Somebody Else; Editing by Another Person
"""


def test_wire_dateline_gives_outlet_and_wrapped_lines_join(vocab):
    doc = clean_page(page(WIRE), vocab)[0]
    assert doc.outlet == "Reuters"
    assert doc.text.startswith("BAGHDAD (Reuters) - Iraqi forces recaptured the Husaybah border crossing with Syria on "
                               "Friday, the military said")
    assert "The crossing had been closed" in doc.text
    assert doc.title == "Iraqi forces retake border crossing from Islamic State"


def test_no_comment_page_keeps_everything_of_the_article(vocab):
    text = f"Army pushes into Rawa\n\n{LEDE}\n\n{SECOND}\n\n{THIRD}\n"
    doc = clean_page(page(text), vocab)[0]
    assert doc.text == "\n\n".join([LEDE, SECOND, THIRD])
    assert not [s for s in doc.segments if s.kind is SegmentKind.COMMENT]


def test_short_lede_byline_and_photo_caption(vocab):
    lede = "Iraqi forces retook Rawa on Friday."
    text = (f"Rawa falls\n\n{lede}\n\n{LEDE}\n\nBy Jane Doe in Erbil\n\n"
            f"Soldiers raise a flag over the town hall. (Photo: Handout)\n\n{SECOND}\n")
    doc = clean_page(page(text), vocab)[0]
    assert doc.text == "\n\n".join([lede, LEDE, SECOND])
    rules = {doc.segment_text(s): s.rule for s in doc.segments}
    assert rules["By Jane Doe in Erbil"] == "furniture:bylines"


def test_title_case_city_dateline_names_the_agency(vocab):
    doc = clean_page(page(f"Baghdad (AFP) - {LEDE}\n\n{SECOND}\n"), vocab)[0]
    assert doc.outlet == "Agence France-Presse"


def test_all_furniture_page_gives_empty_body_with_warning(vocab):
    text = "Home\nNews\nShare this:\nFacebook\nTwitter\n\n2,500 $\n\nLoading...\nAdvertisement\n"
    docs = clean_page(page(text), vocab)
    assert len(docs) == 1
    assert docs[0].text == ""
    assert any("no article text" in w for w in docs[0].warnings)


BULLETS = f"""Government forces advance on the last river towns

{LEDE} The army listed the places it had taken:

  • Rawa town;
  • the Anah bridge;
  • three villages north of the river.

{SECOND}

  • Wadi_Watcher

    I drove that road in 2015 and you could not go a kilometre without a checkpoint.

    • Omar K

      You must be joking, half of them were abandoned by then.

  • Nora

    Good news at last.
"""


def test_in_article_bullets_kept_and_comment_threads_dropped(vocab):
    doc = clean_page(page(BULLETS), vocab)[0]
    assert "• Rawa town;" in doc.text and "• three villages north of the river." in doc.text
    assert doc.text.endswith(SECOND)
    assert "checkpoint" not in doc.text and "Good news" not in doc.text
    thread = [s for s in doc.segments if s.rule == "comments:thread"]
    assert len(thread) == 1 and doc.segment_text(thread[0]).strip() == "• Wadi_Watcher"


AUTHOR_LINES = f"""Popular Mobilization Units move toward Akashat

{LEDE}

{SECOND}

{THIRD}

Harold Benning

Why are you always repeating what the militias say? Nobody believes it!

Selim Ozturk

finally some real action, go get them

Greta Lindqvist

I hope the civilians got out first.
"""


def test_comment_start_by_author_line_shape_without_widget(vocab):
    doc = clean_page(page(AUTHOR_LINES), vocab)[0]
    assert doc.text == "\n\n".join([LEDE, SECOND, THIRD])
    start = [s for s in doc.segments if s.rule == "comments:author-line"]
    assert len(start) == 1 and doc.segment_text(start[0]) == "Harold Benning"


def test_comment_start_by_opinion_without_author_lines(vocab):
    text = (f"Army reaches the border\n\n{LEDE}\n\n{SECOND}\n\n{THIRD}\n\n"
            "Took them long enough! Where were they two years ago?\n\n"
            "you guys always believe the ministry, lol\n\n"
            "I bet the militants just shaved and went home. Wake up!\n")
    doc = clean_page(page(text), vocab)[0]
    assert doc.text == "\n\n".join([LEDE, SECOND, THIRD])
    assert any(s.rule == "comments:opinion-tail" for s in doc.segments)


def test_article_ending_in_quoted_reactions_is_not_cut(vocab):
    quotes = ["“We have waited three years for this day!” said a shopkeeper in the market.",
              "“Why did nobody come sooner?” asked one teacher, who told reporters her school had burned.",
              "“I am going home,” a farmer said, pointing at the road to the east."]
    text = f"Residents return\n\n{LEDE}\n\n{SECOND}\n\n{THIRD}\n\n" + "\n\n".join(quotes) + "\n"
    doc = clean_page(page(text), vocab)[0]
    assert all(q in doc.text for q in quotes)


def test_article_subheadings_do_not_start_comments(vocab):
    text = (f"Offensive widens\n\n{LEDE}\n\nFighting Near Anah\n\n{SECOND}\n\nCivilian Toll\n\n{THIRD}\n\n"
            "The ministry said further operations were planned for the coming week, according to a statement.\n")
    doc = clean_page(page(text), vocab)[0]
    assert THIRD in doc.text and "further operations" in doc.text
    assert not [s for s in doc.segments if s.kind is SegmentKind.COMMENT]
    rules = {doc.segment_text(s): s.rule for s in doc.segments}
    assert rules["Fighting Near Anah"] == rules["Civilian Toll"] == "body:subheading"


def test_first_person_blog_is_not_taken_for_comments(vocab):
    para = ("I spent the week in Anbar with an army unit, and I can tell you the mood was grim: "
            "we drove for hours past burned trucks while my driver kept asking why nobody came sooner.")
    text = (f"My week on the front\n\n{para}\n\nThe Road West\n\n{para}\n\nAhmed Said\n\n"
            f"{para}\n\nA Last Word\n\n{para}\n")
    doc = clean_page(page(text), vocab)[0]
    assert doc.text.count("I spent the week") == 4


def test_spam_is_never_body(vocab):
    spam = "My neighbour earns $85 per hour working from home, see the link on my profile for details."
    text = f"Army secures desert highway\n\n{LEDE}\n\n{spam}\n\n{SECOND}\n"
    doc = clean_page(page(text), vocab)[0]
    assert "per hour" not in doc.text
    assert LEDE in doc.text
    assert any(s.rule == "spam" for s in doc.segments)


REPOST = f"""Posted on 26 October 2017 by desert_blogger

Levant Dispatch

{LEDE}

{SECOND}

DAMASCUS, SYRIA (11:05 A.M.) – Syrian troops crossed the Euphrates near Deir Ezzor this morning and
seized two villages on the eastern bank, a field commander said.

Share this:
Facebook
"""


def test_repost_split_into_two_documents_with_outlets(vocab, tmp_path):
    extra = tmp_path / "mine.yaml"
    extra.write_text("version: 1\noutlets:\n  - {name: Levant Dispatch, aliases: [levantdispatch.net]}\n")
    v = load_vocab([extra])
    docs = clean_page(page(REPOST, pid="blog"), v)
    assert [d.id for d in docs] == ["blog", "blog#2"]
    assert docs[0].outlet == "Levant Dispatch"
    assert docs[0].text == "\n\n".join([LEDE, SECOND])
    assert docs[1].text.startswith("DAMASCUS, SYRIA (11:05 A.M.) – Syrian troops crossed")
    assert docs[1].outlet == "Al-Masdar News"  # from the documented dateline-style list
    assert all(d.published == date(2017, 10, 26) for d in docs)


def test_credit_line_between_articles_splits(vocab):
    text = f"{LEDE}\n\n{SECOND}\n\nSource: Reuters\n\n{THIRD}\n"
    docs = clean_page(page(text), vocab)
    assert len(docs) == 2
    assert docs[0].outlet == "Reuters" and docs[0].text.endswith(SECOND)
    assert docs[1].text == THIRD


def test_capitalised_word_and_dash_mid_article_does_not_split(vocab):
    text = (f"Militants regroup\n\n{LEDE}\n\nISIS – which once held a third of the country – still has cells "
            "in the desert, officials said.\n\nMOSUL – Residents reported gunfire in the old city overnight.\n")
    docs = clean_page(page(text), vocab)
    assert len(docs) == 1 and "ISIS – which" in docs[0].text and "MOSUL –" in docs[0].text


def test_published_line_beats_updated_line(vocab):
    text = f"Army pushes on\nUpdated: 14 March 2019\nPublished: 12 March 2019\n\n{LEDE}\n"
    assert clean_page(page(text), vocab)[0].published == date(2019, 3, 12)


def test_outlet_name_alone_after_the_article_credits_it(vocab):
    doc = clean_page(page(f"{LEDE}\n\n{SECOND}\n\nAl Masdar News\n"), vocab)[0]
    assert doc.outlet == "Al-Masdar News" and doc.text.endswith(SECOND)


def test_dates_in_article_prose_are_not_publication_dates(vocab):
    text = ("Army marks anniversary\n\nOn 10 July 2017 the government declared victory in Mosul, and "
            "officials said on Tuesday that reconstruction would take a decade.\n\n" + SECOND + "\n")
    doc = clean_page(page(text), vocab)[0]
    assert doc.published is None and doc.published_source is DateSource.NONE


def test_page_metadata_wins_over_text(vocab):
    p = page(NEWS_SITE, title="Given title", outlet="Given Outlet", published=date(2020, 1, 2),
             published_source=DateSource.METADATA)
    doc = clean_page(p, vocab)[0]
    assert (doc.title, doc.outlet, doc.published, doc.published_source) == (
        "Given title", "Given Outlet", date(2020, 1, 2), DateSource.METADATA)


def test_user_file_errors_are_config_errors(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("furniture:\n  mine: ['(unclosed']\n")
    with pytest.raises(ConfigError):
        load_vocab([bad])
    with pytest.raises(ConfigError):
        load_vocab([tmp_path / "missing.yaml"])


def test_user_file_extends_furniture(tmp_path):
    extra = tmp_path / "extra.yaml"
    extra.write_text("version: 1\nfurniture:\n  mine:\n    - 'listen to our podcast.*'\n")
    text = f"Army pushes on\n\n{LEDE}\n\nListen to our podcast on the war in Iraq every Friday.\n\n{SECOND}\n"
    assert "podcast" in clean_page(page(text), load_vocab())[0].text
    doc = clean_page(page(text), load_vocab([extra]))[0]
    assert "podcast" not in doc.text
    assert any(s.rule == "furniture:mine" for s in doc.segments)


HTML = """<!doctype html><html><head><title>Drone strike hits convoy | Levant Ledger</title>
<meta property="og:site_name" content="Levant Ledger">
<meta property="article:published_time" content="2019-05-14T08:30:00+00:00">
</head><body><nav><a href="/">Home</a> <a href="/world">World</a></nav>
<article><h1>Drone strike hits convoy near Qaim</h1>
<p>{p1}</p><p>{p2}</p><p>{p3}</p></article>
<div class="comments"><h3>2 comments</h3><p>This is nonsense, you copied it from a Telegram channel.</p></div>
<footer>Copyright 2019 Levant Ledger</footer></body></html>
"""


def test_html_goes_through_trafilatura_and_htmldate(vocab):
    html = HTML.format(p1=LEDE, p2=SECOND, p3=THIRD)
    p = Page(id="h", source="test.html", format="html", html=html)
    doc = clean_page(p, vocab)[0]
    assert LEDE in doc.text and THIRD in doc.text
    assert "Telegram channel" not in doc.text
    assert doc.published == date(2019, 5, 14) and doc.published_source is DateSource.METADATA
    assert doc.outlet == "Levant Ledger"
    assert doc.segments[0].kind is SegmentKind.TITLE
    for s in doc.segments:
        assert 0 <= s.start < s.end <= len(doc.page_text)


_lines = st.one_of(
    st.text(max_size=60),
    st.sampled_from(["", "  ", "• Name", "    indented reply text here.", "Share this:", "Notify of",
                     "Support SouthFront", "2,500 $", "date 2017-10-26 Posted on by x", "South Front",
                     "BEIRUT, LEBANON (4:45 P.M.) – Something happened here today in the city.",
                     LEDE, SECOND, "A Heading Line", "items:", "  • an item;", "Richard Roe",
                     "Related posts:", "Read more:", "Share   Tweet   Email", "Posted by someone",
                     "Is The Front Moving?", "Reposted from Some Outlet:"]),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(_lines, max_size=25).map("\n".join))
@example("000000000000000000000000000000000000000A\na")  # a title wrapped over two lines (found by hypothesis)
def test_segments_cover_every_nonblank_line_once(vocab, text):
    docs = clean_page(page(text), vocab)
    assert docs
    segs = docs[0].segments
    prev_end = 0
    for s in segs:
        assert prev_end <= s.start < s.end <= len(text)
        prev_end = s.end
    pos = 0
    for line in text.split("\n"):
        start, pos = pos, pos + len(line) + 1
        if not line.strip():
            assert not any(s.start <= start and start + len(line) <= s.end and s.start >= start for s in segs)
            continue
        covering = [s for s in segs if s.start < start + len(line) and start < s.end]
        assert len(covering) == 1
    for d in docs:
        for para in filter(None, d.text.split("\n\n")):
            assert para.strip()
    # a title found in the text is a line kept as TITLE, never one the vocabulary calls furniture
    # (a title wrapped over two lines is joined with a space)
    title = docs[0].title
    if title is not None:
        assert any(s.kind is SegmentKind.TITLE and " ".join(title.split()) in " ".join(docs[0].segment_text(s).split())
                   for s in segs)
    assert all(d.title is None for d in docs[1:])


def test_large_pages_stay_linear(vocab):
    # thousands of author-like lines and hard-wrapped lines: once quadratic, now well under a second
    import time

    names = "\n\n".join(f"Some Person{i % 7}\n\nThe convoy moved north along the river road." for i in range(2000))
    wrapped = "\n".join("the convoy moved north along the river road toward the" for _ in range(5000))
    t = time.perf_counter()
    clean_page(page(f"{LEDE}\n\n{names}\n\n{wrapped}\n"), vocab)
    assert time.perf_counter() - t < 8.0


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(st.text(max_size=200), st.sampled_from(["<html>", "<p>", "<html><body></body></html>", "\x00<a>"])))
def test_html_path_never_raises(vocab, html):
    docs = clean_page(Page(id="h", source="x", format="html", html=html), vocab)
    assert len(docs) == 1
    for s in docs[0].segments:
        assert 0 <= s.start <= s.end <= len(docs[0].page_text)
    if docs[0].title and docs[0].text:
        assert docs[0].text.split("\n\n")[0] != docs[0].title.strip()


# --- the dev seeds, scored as shared/tools/score.py does --------------------------------------


def _load_score():
    path = SHARED / "tools" / "score.py"
    spec = importlib.util.spec_from_file_location("fw_score", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_seeds_line_recall_and_precision(vocab, tmp_path):
    seeds = SHARED / "corpus" / "seeds"
    gold = SHARED / "gold" / "seeds_documents.json"
    if not seeds.is_dir() or not gold.is_file():
        pytest.skip("../shared (dev seeds and gold) is not beside the checkout")
    out = tmp_path / "documents.jsonl"
    with out.open("w", encoding="utf-8") as f:
        for path in sorted(seeds.glob("*.txt")):
            p = Page(id=path.stem, source=str(path), format="txt", text=path.read_text(encoding="utf-8"))
            for d in clean_page(p, vocab):
                f.write(json.dumps({"id": d.id, "body": d.text, "outlet": d.outlet,
                                    "published": d.published.isoformat() if d.published else None}) + "\n")
    res = _load_score().score_docs(str(out), str(gold), str(seeds))
    assert res["line_recall"] == 1.0
    assert res["line_precision"] >= 0.97
    per = json.loads(gold.read_text(encoding="utf-8"))["documents"]
    assert int(res["published_correct"].split("/")[0]) >= sum(1 for g in per.values() if g["published_in_text"])
    assert int(res["outlet_found"].split("/")[0]) >= sum(1 for g in per.values() if g["outlet_in_text"])
    assert re.fullmatch(r"\d+/\d+", res["outlet_found"])


# --- titles, related links, HTML headline repeats, repost credits ------------------------------

BLOG_TOP = """Northern Front Notes
Home | Archive | About
{title}
{byline}
{buttons}

""" + f"{LEDE}\n\n{SECOND}\n"


@pytest.mark.parametrize("buttons", [
    "Share   Tweet   Email",
    "Share on Facebook   Share on X   Share on WhatsApp",
    "Follow @frontnotes",
    "Follow Northern Front Notes on Telegram",
    "Posted by river_watch",
    "Written by Dana Ruiz",
])
def test_title_is_never_a_furniture_line(vocab, buttons):
    text = BLOG_TOP.format(title="Troops Reach The Edge Of Rawa", byline="Published: 3 May 2019", buttons=buttons)
    doc = clean_page(page(text), vocab)[0]
    assert doc.title == "Troops Reach The Edge Of Rawa"
    seg = next(s for s in doc.segments if doc.segment_text(s).strip() == buttons)
    assert seg.kind is SegmentKind.FURNITURE
    assert doc.text == f"{LEDE}\n\n{SECOND}"


def test_posted_by_line_gives_neither_title_nor_outlet(vocab):
    doc = clean_page(page(f"Posted by river_watch\n\n{LEDE}\n\n{SECOND}\n"), vocab)[0]
    assert doc.title is None and doc.outlet is None


def test_repeated_headline_wins_over_a_nearer_heading(vocab):
    # the post's title is quoted again by the comment widget; a kicker line sits right above the text
    text = (f"Army Columns Close On Rawa\nBy the desk\nAnalysis And Maps\n\n{LEDE}\n\n{SECOND}\n\n"
            "2 thoughts on “Army Columns Close On Rawa”\n\nSam T\nGreat map, thanks!\n")
    doc = clean_page(page(text), vocab)[0]
    assert doc.title == "Army Columns Close On Rawa"


def test_site_name_from_support_line_is_not_the_title(vocab):
    text = f"Some headline about the fighting near Anah\nStrait Line Monitor\n\n{LEDE}\n\nSupport Strait Line Monitor\n"
    doc = clean_page(page(text), vocab)[0]
    assert doc.title == "Some headline about the fighting near Anah"
    assert doc.outlet == "Strait Line Monitor"


REPOST_LINKS = f"""The River Post – notes from the valley

Two accounts of the push on Rawa

Posted by riverwatch
Share this:
Facebook

Reposted from Valley Courier:

{LEDE}

{SECOND}

BAGHDAD (Reuters) – Iraqi units said on Friday they controlled the town centre after
overnight clashes in which several militants were killed.

Related posts:
Troops take the old bridge at Anah
Is the desert campaign nearly over?
Ten things to know about the valley

Leave a Reply
"""


def test_related_posts_list_is_furniture_and_repost_credits_give_outlets(vocab):
    docs = clean_page(page(REPOST_LINKS, pid="rv"), vocab)
    assert [d.id for d in docs] == ["rv", "rv#2"]
    first, second = docs
    assert first.title == "Two accounts of the push on Rawa"
    assert first.outlet == "Valley Courier"
    assert first.text == f"{LEDE}\n\n{SECOND}"
    assert second.title is None and second.outlet == "Reuters"
    assert second.text.endswith("several militants were killed.")
    for link in ("old bridge at Anah", "nearly over?", "Ten things"):
        assert link not in second.text
    rules = {first.segment_text(s).strip(): s.rule for s in first.segments}
    assert rules["Is the desert campaign nearly over?"] == "related:link"


def test_related_list_stops_where_prose_resumes(vocab):
    text = (f"Troops Advance\n\n{LEDE}\n\nRead more:\nEngineers clear the highway\n"
            f"Residents return to Anah\n\n{SECOND}\n\n{THIRD}\n")
    doc = clean_page(page(text), vocab)[0]
    assert "Engineers clear" not in doc.text and "Residents return" not in doc.text
    assert doc.text == f"{LEDE}\n\n{SECOND}\n\n{THIRD}"


def test_headline_right_after_a_related_box_stays_the_title(vocab):
    text = f"You may also like:\nOlder story on the border\n\nDrone Strike Hits Convoy Near Qaim\n\n{LEDE}\n\n{SECOND}\n"
    doc = clean_page(page(text), vocab)[0]
    assert doc.title == "Drone Strike Hits Convoy Near Qaim"


def test_html_headline_repeated_as_first_paragraph_is_dropped(vocab):
    html = HTML.format(p1=LEDE, p2=SECOND, p3=THIRD).replace(
        "<title>Drone strike hits convoy | Levant Ledger</title>", "<title>Drone strike hits convoy near Qaim</title>")
    doc = clean_page(Page(id="h", source="t.html", format="html", html=html), vocab)[0]
    assert doc.title == "Drone strike hits convoy near Qaim"
    assert doc.text.startswith(LEDE)
    assert [s.rule for s in doc.segments[:2]] == ["html:title", "html:title-repeat"]
    # a JSON Lines record with html and a given title: the same
    rec = Page(id="r", source="x.jsonl:1", format="jsonl", html=html, title="Drone Strike Hits Convoy Near Qaim!")
    assert clean_page(rec, vocab)[0].text.startswith(LEDE)


def test_html_related_box_and_widget_lines_are_dropped(vocab):
    html = ("<html><head><title>Militants shell Anah</title></head><body><article><h1>Militants shell Anah</h1>"
            f"<p>{LEDE}</p><p>{SECOND}</p><p>Don't miss</p><p>Market reopens in Haditha [VIDEO]</p>"
            "<p>Floods hit the south after heavy rain</p>"
            "<p>Sam Doe contributed reporting from Erbil.</p><p>Thanks for signing up!</p>"
            f"<p>{THIRD}</p><p>Your email list can be a source for tips, the editor said in a note to readers.</p>"
            "</article></body></html>")
    doc = clean_page(Page(id="h2", source="t.html", format="html", html=html), vocab)[0]
    assert doc.text.startswith(LEDE)
    for gone in ("Don't miss", "Haditha", "Floods", "contributed reporting", "signing up"):
        assert gone not in doc.text
    assert THIRD in doc.text and "Your email list" in doc.text


def _html_article(extra_after: str = "", before: str = "") -> str:
    return ("<html><head><title>Militants shell Anah</title></head><body>" + before +
            f"<article><h1>Militants shell Anah</h1><p>{LEDE}</p><p>{SECOND}</p>{extra_after}</article></body></html>")


HEADLINES = ["Engineers Reopen The Anah Bridge", "Why The Desert Push Stalled", "Five Maps Of The Valley Front"]


def test_html_trailing_bulleted_headlines_are_related_links(vocab):
    items = "".join(f"<li>{t}</li>" for t in HEADLINES)
    doc = clean_page(Page(id="h", source="t.html", format="html", html=_html_article(f"<ul>{items}</ul>")), vocab)[0]
    assert doc.text == f"{LEDE}\n\n{SECOND}"
    assert [s.rule for s in doc.segments].count("related:trailing-links") == 3
    # the same list introduced by the article ("...the following:") is the article's own
    intro = "<p>The ministry listed the places its units entered on the following:</p>"
    doc = clean_page(Page(id="h", source="t.html", format="html",
                          html=_html_article(f"{intro}<ul>{items}</ul>")), vocab)[0]
    assert all(t in doc.text for t in HEADLINES)


def test_html_navigation_menu_taken_for_text_is_furniture(vocab):
    menu = "".join(f"<p>{t}</p>" for t in ["World", "Iraq", "Syria", "Opinion", "Video", "Maps",
                                           "Podcasts", "About us", "Contact", "Archive", "Jobs"])
    html = ("<html><head><title>Militants shell Anah</title></head><body>"
            f"<div>{menu}</div><div><p>{LEDE}</p><p>{SECOND}</p></div></body></html>")
    doc = clean_page(Page(id="m", source="t.html", format="html", html=html), vocab)[0]
    assert doc.text == f"{LEDE}\n\n{SECOND}"
    # an article's own bulleted list of short items stays
    specs = "".join(f"<li>{t}</li>" for t in ["Anah", "Rawa", "Qaim", "Husaybah", "Karabila", "Ubaydi",
                                              "Haditha", "Hit", "Baghdadi", "Akashat", "Rutba"])
    doc = clean_page(Page(id="m2", source="t.html", format="html",
                          html=_html_article(f"<p>Towns named in the statement:</p><ul>{specs}</ul>")), vocab)[0]
    assert "Husaybah" in doc.text and "Rutba" in doc.text


_words = st.sampled_from(["Army", "retakes", "Rawa", "after", "clashes", "Drone", "strike", "near", "Qaim", "the"])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(_words, min_size=2, max_size=9).map(" ".join),
       st.lists(st.sampled_from([LEDE, SECOND, THIRD, "Related posts:", "Share Tweet Email", "Read more"]),
                min_size=1, max_size=6))
def test_html_headline_never_opens_the_body(vocab, headline, paras):
    body = "".join(f"<p>{p}</p>" for p in paras)
    html = (f"<html><head><title>{headline}</title></head><body><article><h1>{headline}</h1>{body}"
            "</article></body></html>")
    doc = clean_page(Page(id="g", source="x", format="html", html=html), vocab)[0]
    if doc.text:
        assert doc.text.split("\n\n")[0].lower() != headline.lower()
        assert not doc.text.startswith(("Related posts", "Share Tweet"))


@pytest.mark.parametrize("given", ["Militants shell Anah | Valley Ledger", "World – Militants shell Anah – Valley Ledger",
                                   "Opinion | Militants shell Anah", "Militants shell Anah"])
def test_html_record_title_with_site_name_still_drops_the_headline(vocab, given):
    # a record's title ("Headline | Site") wins as the title, and the <h1> repeating its headline
    # part is not body text
    rec = Page(id="s", source="x.jsonl:3", format="jsonl", html=_html_article(), title=given)
    doc = clean_page(rec, vocab)[0]
    assert doc.title == given
    assert doc.text == f"{LEDE}\n\n{SECOND}"
    other = Page(id="s", source="x.jsonl:4", format="jsonl", html=_html_article(), title="Valley Ledger | Home")
    assert clean_page(other, vocab)[0].text.startswith("Militants shell Anah")
