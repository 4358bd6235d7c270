"""``htmlprune``'s functions select exactly what the trafilatura XPath expressions they stand for
select: on a page written for these tests, on the same page after trafilatura's tag conversion,
and on generated trees whose attributes mix the expressions' own tokens."""

from __future__ import annotations

import warnings
from copy import copy

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import html as lxml_html

from frontwatch import htmlextract, htmlprune

xpaths = pytest.importorskip("trafilatura.xpaths")
NAMES = ("RAW_TREE_PRUNE_XPATH", "REMOVE_COMMENTS_AND_LISTS_XPATH", "OVERALL_DISCARD_XPATH", "BODY_XPATH",
         "TEASER_DISCARD_XPATH", "DISCARD_IMAGE_ELEMENTS")

PARA = ("Shells landed near the grain depot of a border town on Monday, a district official said, "
        "adding that two warehouses burned through the night before firefighters reached them.")

PAGE = f"""<html><head><title>Depot shelled</title></head><body>
<div id="menu-top" class="site-nav"><a href="/">Home</a></div>
<div role="Navigation">Sections</div>
<div class="cookie-banner" id="consent">Cookies</div>
<div id="cookie-box" class="notice">Cookies again</div>
<div data-lp-replacement-content="">Paywall</div>
<main class="main-wrap">
 <article class="post">
  <h1>Depot shelled</h1>
  <div class="entry-content"><p>{PARA}</p><p class="byline">By a correspondent</p>
   <span class=" hidden">hidden span</span><p style="display: none">gone</p>
   <div aria-hidden="true">icon</div><div class="reply-box" id="r1">reply</div>
   <div id="reply-2" class="box">reply too</div><div style="color:red" id="hidden-x">x</div>
   <div class="share-buttons elementor-share-buttons">Share</div>
   <p class="Commentary">Commentary stays</p>
   <div class="related-Teaser"><p>Read next</p></div><span id="img-caption">A caption</span>
  </div>
  <ul class="comment-list"><li>first comment</li></ul>
  <ol id="commentary"><li>not comments</li></ol>
  <div id="comments" class="area"><p>A comment</p></div>
  <section class="post-comments"><p>More</p></section>
  <div class="infinite-scroll"><h1>Next article</h1><p>{PARA}</p></div>
  <div id="mvp-post-add-box"><h1>Another</h1></div>
  <aside class="infinite_scroll infinitescroll"><p>loader</p></aside>
 </article>
 <div id="story"><p>{PARA}</p></div>
 <section class="FullText body"><p>{PARA}</p></section>
 <div class="content-main"><p>{PARA}</p></div>
 <div id="Main-Content"><p>{PARA}</p></div>
 <div data-component="MostPopularStories">Popular</div>
</main>
<footer id="footer">Footer</footer>
</body></html>"""


def _tree(markup: str):
    return lxml_html.fromstring(markup)


def _converted(markup: str):
    """The page as trafilatura's extractor sees it: cleaned, tags converted (ul -> list ...)."""
    from trafilatura.htmlprocessing import convert_tags, tree_cleaning
    from trafilatura.settings import Extractor

    options = Extractor(output_format="python", fast=True, comments=False, tables=False)
    return convert_tags(tree_cleaning(copy(_tree(markup)), options), options, None)


def _assert_same(tree) -> int:
    found = 0
    for name in NAMES:
        expressions = getattr(xpaths, name)
        functions = htmlprune.selectors(name, expressions)
        assert functions is not expressions, f"{name} changed in trafilatura: htmlprune falls back to it"
        for expr, func in zip(expressions, functions, strict=True):
            expected = list(expr(tree))
            if name == "BODY_XPATH":  # the extractor takes the first element only
                expected = expected[:1]
            got = func(tree)
            assert got == expected, (name, func.__name__, [e.attrib for e in got], [e.attrib for e in expected])
            found += len(got)
    return found


def test_page_selections_match_the_xpaths():
    assert _assert_same(_tree(PAGE)) > 20  # the page exercises the selections, not only the misses


def test_converted_page_selections_match_the_xpaths():
    assert _assert_same(_converted(PAGE)) > 10


def test_attribute_order_decides_id_or_class():
    """``re:test(@id|@class, 'cookie')`` reads the attribute written first."""
    tree = _tree('<html><body><div class="cookie-x" id="a">1</div><div id="a" class="cookie-x">2</div>'
                 '<div id="cookie" class="b">3</div></body></html>')
    blocks = htmlprune.selectors("OVERALL_DISCARD_XPATH", xpaths.OVERALL_DISCARD_XPATH)[0]
    assert [e.text for e in blocks(tree)] == ["1", "3"]
    _assert_same(tree)


def test_other_expressions_fall_back_to_the_xpath():
    changed = [*xpaths.BODY_XPATH[:-1], xpaths.BODY_XPATH[0]]
    assert htmlprune.selectors("BODY_XPATH", changed) is changed


def test_cascade_with_functions_equals_cascade_with_xpaths():
    """extract_html gives the same text whichever of the two selects."""
    page = PAGE.replace("<main", f"<div class='teaser'>{PARA}</div><main")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fast = htmlextract.extract_html(page, None)
        original = htmlextract._cascade
        try:
            htmlextract._cascade = lambda *args, **kw: original(*args, **kw, select=lambda n, x: x)
            slow = htmlextract.extract_html(page, None)
        finally:
            htmlextract._cascade = original
    assert fast is not None and fast == slow
    assert "Shells landed" in fast.text and "first comment" not in fast.text


# generated trees: tags the expressions name, attribute values built from their own tokens
_TAGS = ["div", "section", "aside", "article", "main", "span", "p", "ul", "ol", "list", "item", "details", "h1"]
_TOKENS = ["comment", "Comment", "commentary", "comol", "disqus_thread", "post-comments", "share", "^shar",
           "social", "nav", "Nav", "navbar", "menu", "ad", " ad ", "ad-", "-ad-", "shar", "cookie", "hidden", "hide-",
           " hide", "reply-", "-reply-", "akismet", "main", "content", "main-content", "Main-Content",
           "page-Content", "content-main", "content__body", "post", "entry", "entry-content", "articleBody",
           "article ", "story", "story-body", "primary", "FULLTEXT", "text", "mvp-post-add-box", "infinite-scroll",
           "elementor-share-buttons", "display:none", "display: none", "article", "yin", "meta", "true", "teaser", "TeaserBox",
           "caption", "x", ""]
_ATTRS = ["id", "class", "style", "role", "itemprop", "aria-hidden", "data-component", "data-lp-replacement-content"]


@st.composite
def _markup(draw, depth: int = 0) -> str:
    tag = draw(st.sampled_from(_TAGS))
    attrs = draw(st.lists(st.tuples(st.sampled_from(_ATTRS), st.lists(st.sampled_from(_TOKENS), max_size=3),
                                    st.sampled_from([" ", ""])), max_size=3, unique_by=lambda a: a[0]))
    rendered = "".join(f' {name}="{sep.join(tokens)}"' for name, tokens, sep in attrs)
    children = draw(st.lists(_markup(depth + 1), max_size=3)) if depth < 3 else []
    return f"<{tag}{rendered}>t{''.join(children)}</{tag}>"


@settings(max_examples=300, deadline=None)
@given(st.lists(_markup(), min_size=1, max_size=4))
def test_generated_trees_match_the_xpaths(parts):
    page = f"<html><body>{''.join(parts)}</body></html>"
    _assert_same(_tree(page))


def test_baseline_rescue_parses_the_page_again_instead_of_copying():
    """Stage 3 (baseline) on a page whose main extraction is short: cleaning the tree in place and
    pruning a new parse for the rescue gives what cleaning a copy gives."""
    from trafilatura.settings import Extractor

    page = ("<html><body><div class='entry-content'><p>Short line here.</p></div>"
            f"<div><span>{PARA} {PARA}</span></div><div class='comments-area'><p>Nice post</p></div></body></html>")
    options = Extractor(output_format="python", fast=True, comments=False, tables=False)
    parses = []

    def reload():
        parses.append(1)
        return htmlextract._load_html(page)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        in_place = htmlextract._cascade(htmlextract._load_html(page), options, None, reload=reload)
        copied = htmlextract._cascade(htmlextract._load_html(page), options, None)
    assert parses == [1]  # the rescue ran, on a new parse
    assert in_place[1] == copied[1]
    assert in_place[1].startswith("Short line here.") and "Shells landed" in in_place[1]
    assert "Nice post" not in in_place[1]
