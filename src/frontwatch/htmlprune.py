"""trafilatura's costliest XPath selections, as Python functions that select the same elements.

trafilatura 2.3 finds the page's comment sections, infinite-scroll add-ons, boilerplate blocks
and the article's container with XPath expressions that test ``id`` and ``class`` attributes
with EXSLT regular expressions (``re:test``).  lxml runs each ``re:test`` as a call back into
Python that first wraps the attribute in a string object holding a proxy of its element: on the
181 real pages these selections took about a third of the extraction's CPU time.  The functions
here walk the same elements (``iterdescendants`` with the same tag names) and search the same
regular expressions in the attribute values directly, a few times faster.

Each one mirrors one expression of ``trafilatura.xpaths``, whose text it was written for
(``EXPECTED``); ``selectors()`` gives them only when trafilatura's expressions are still those,
so that another trafilatura version falls back to its own XPath.  The XPath rules followed:

* ``.//*[self::a or self::b]`` is every descendant element with one of those tags, in document
  order; ``[...][1]`` or ``(...)[1]`` keeps the first of them, as ``next()`` does;
* ``re:test(@x, P)`` is ``re.search(P, value)``, with ``""`` for a missing attribute;
* ``@x|@y`` as a string is the value of whichever of the two attributes the tag writes first;
* ``@x='v'`` needs the attribute, with exactly that value.

``tests/test_htmlprune.py`` holds every function to its XPath on realistic pages.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lxml.etree import _Element

__all__ = ["EXPECTED", "selectors"]

Selector = Callable[["_Element"], list["_Element"]]


def _first(el: _Element, a: str, b: str) -> str:
    """The string value of the XPath ``@a|@b``: the attribute written first on the tag, or ``""``."""
    va, vb = el.get(a), el.get(b)
    if va is None:
        return vb or ""
    if vb is None:
        return va
    for name in el.keys():  # both present: lxml lists attributes in source order, as XPath does
        if name == a:
            return va
        if name == b:
            return vb
    return va  # not reached


# --- RAW_TREE_PRUNE_XPATH ---------------------------------------------------------------------

_SCROLL = re.compile(r"mvp-post-add-(?:box|wrap)|infinite-?scroll")
_MVP = re.compile(r"mvp-post-add-(?:box|wrap)")


def raw_scroll_boxes(tree: _Element) -> list[_Element]:
    """RAW_TREE_PRUNE_XPATH[0]: infinite-scroll containers of appended articles."""
    found = []
    for el in tree.iterdescendants("div", "section", "aside"):
        id_, cls = el.get("id") or "", el.get("class") or ""
        if not (_SCROLL.search(id_) or _SCROLL.search(cls)):
            continue
        if next(el.iterdescendants("h1"), None) is None or _MVP.search(id_) or _MVP.search(cls):
            found.append(el)
    return found


def raw_share_buttons(tree: _Element) -> list[_Element]:
    """RAW_TREE_PRUNE_XPATH[1]: Elementor share-button blocks."""
    return [el for el in tree.iterdescendants("div", "section", "aside")
            if "elementor-share-buttons" in (el.get("class") or "")]


# --- REMOVE_COMMENTS_AND_LISTS_XPATH ------------------------------------------------------------

_COMMENTS_ID = re.compile(r"^(?:[Cc]omment(?!ary)|comol|disqus_thread|dsq-comments)")
_COMMENTS_CLASS = re.compile(r"^[Cc]omment(?!ary)|(?:article|post)-comments")
_COMMENTS_LIST_ID = re.compile(r"^(?:[Cc]omment(?!ary)|comol)")


def comment_sections(tree: _Element) -> list[_Element]:
    """REMOVE_COMMENTS_AND_LISTS_XPATH[0]: comment sections, and lists of comments."""
    found = []
    for el in tree.iterdescendants("div", "list", "section", "details", "ol", "ul"):
        id_, cls = el.get("id"), el.get("class")
        if id_ is None and cls is None:
            continue
        id_, cls = id_ or "", cls or ""
        in_class = _COMMENTS_CLASS.search(cls) is not None
        if not (in_class or _COMMENTS_ID.search(id_)):
            continue
        if el.tag not in ("ol", "ul") or in_class or _COMMENTS_LIST_ID.search(id_):
            found.append(el)
    return found


# --- OVERALL_DISCARD_XPATH ------------------------------------------------------------------------

_DISCARD_ID = re.compile(
    r"^shar|social|viral|newsletter|syndication|tags|sidebar|banner|bread-?crumb|button|author|"
    r"^(?:jp-|dpsp-content)|bmdh|footer|Footer|share|Share|nav|Nav|menu|related|message-container|"
    r"premium|^ad-")
_DISCARD_CLASS = re.compile(
    r"^shar|social|viral|newsletter|syndication|tags|sidebar|banner|bread-?crumb|button|author|"
    r"^(?:nav|post-nav|ZendeskForm)|subnav|avigation|navbar|navbox|menu|bar| ad |-ad-|(?:^| )ad-|"
    r"dfp[Aa]d|outbrain|taboola|criteo|paid-?content|widget|footer|Footer|byline|Byline|share-|"
    r"sociable|embedded|embed|tag-list|consent|modal-content|permission|elated|next-|-stories|"
    r"most-popular|more-on|meta|rating|attachment|timestamp|user-info|user-profile|-icon|"
    r"article-infos|message-container|slide|viewport|overlay|options|expand|obfuscated|blurred|"
    r"mol-factbox|yin|zlylin|nfoline")
_HIDDEN_ID = re.compile(r"reader-comments|akismet")
_HIDDEN_CLASS = re.compile(
    r"^hide-|comments-title|nocomments|-reply-|message|akismet|suggest-links|-hide-|hide-print|"
    r" hidden| hide|noprint|notloaded")


def boilerplate_blocks(tree: _Element) -> list[_Element]:
    """OVERALL_DISCARD_XPATH[0]: navigation, sharing, advertising, metadata ... blocks."""
    found = []
    for el in tree.iterdescendants(*_BLOCKS):
        id_, cls = el.get("id"), el.get("class")
        if ((id_ is not None and _DISCARD_ID.search(id_)) or (cls is not None and _DISCARD_CLASS.search(cls))
                or el.get("data-lp-replacement-content") is not None
                or "nav" in (el.get("role") or "").replace("N", "n")
                or "MostPopularStories" in (el.get("data-component") or "")
                or (id_ is not None or cls is not None) and "cookie" in _first(el, "id", "class")):
            found.append(el)
    return found


def hidden_blocks(tree: _Element) -> list[_Element]:
    """OVERALL_DISCARD_XPATH[1]: hidden elements, comment titles and reply widgets."""
    found = []
    for el in tree.iterdescendants("*"):
        id_, cls, style = el.get("id"), el.get("class"), el.get("style")
        if ((cls is not None and (cls == "comments-title" or _HIDDEN_CLASS.search(cls)))
                or (id_ is not None and _HIDDEN_ID.search(id_))
                or (style is not None and ("display:none" in style or "display: none" in style))
                or el.get("aria-hidden") == "true"
                or (id_ is not None or cls is not None) and _first(el, "id", "class").startswith("reply-")
                or (id_ is not None or style is not None) and "hidden" in _first(el, "id", "style")):
            found.append(el)
    return found


# --- TEASER_DISCARD_XPATH, DISCARD_IMAGE_ELEMENTS (no regular expressions, but on every page) ----

_BLOCKS = ("div", "item", "list", "p", "section", "span")


def teaser_blocks(tree: _Element) -> list[_Element]:
    """TEASER_DISCARD_XPATH[0]: teasers (of other articles)."""
    return [el for el in tree.iterdescendants(*_BLOCKS)
            if "teaser" in (el.get("id") or "").replace("T", "t") or "teaser" in (el.get("class") or "").replace("T", "t")]


def caption_blocks(tree: _Element) -> list[_Element]:
    """DISCARD_IMAGE_ELEMENTS[0]: image captions."""
    return [el for el in tree.iterdescendants(*_BLOCKS)
            if "caption" in (el.get("id") or "") or "caption" in (el.get("class") or "")]


# --- BODY_XPATH: the first element of each ---------------------------------------------------------

_ARTICLE_ID = re.compile(r"(?:entry|article|art)-content|article__content|article(?:-|__)?body|articleBody|body-text")
_ARTICLE_CLASS = re.compile(
    r"post[-_]text|post-body|post-?entry|post[-_]?content|postContent|post_inner_wrapper|article-?text|"
    r"articleText|(?:entry|page|text|article|art)-content|article__content|article(?:-|__)?body|"
    r"articleBody|ArticleContent|body-text|article__container")
_STORY_ID = re.compile(r"^primary|story-body")
_STORY_CLASS = re.compile(
    r"^article |post-bodycopy|story-?content|(?:theme|blog|section|single)-content|single-post|"
    r"main-column|wpb_text_column|story-body|field-body")
_FULLTEXT = re.compile(r"fulltext", re.IGNORECASE)
_MAIN_ID = re.compile(r"content-main|content-body|contentBody")
_MAIN_CLASS = re.compile(r"content[-_]main|content(?:-|__)body")
_CONTAINERS = ("article", "div", "main", "section")


def article_body(tree: _Element) -> list[_Element]:
    """BODY_XPATH[0]: the first container named as the article's body."""
    for el in tree.iterdescendants(*_CONTAINERS):
        id_, cls = el.get("id"), el.get("class")
        if id_ is None and cls is None and el.get("itemprop") is None:
            continue
        if (cls in ("post", "entry") or el.get("itemprop") == "articleBody" or id_ == "articleContent"
                or (id_ is not None and _ARTICLE_ID.search(id_)) or (cls is not None and _ARTICLE_CLASS.search(cls))):
            return [el]
    return []


def first_article(tree: _Element) -> list[_Element]:
    """BODY_XPATH[1]: the first <article>."""
    el = next(tree.iterdescendants("article"), None)
    return [] if el is None else [el]


def story_body(tree: _Element) -> list[_Element]:
    """BODY_XPATH[2]: the first container named as a story or post."""
    for el in tree.iterdescendants(*_CONTAINERS):
        id_, cls = el.get("id"), el.get("class")
        if (el.get("role") == "article" or id_ in ("article", "story")
                or cls in ("postarea", "art-postcontent", "text", "cell", "story")
                or (id_ is not None and _STORY_ID.search(id_))
                or (cls is not None and (_FULLTEXT.search(cls) or _STORY_CLASS.search(cls)))):
            return [el]
    return []


def main_content(tree: _Element) -> list[_Element]:
    """BODY_XPATH[3]: the first container named as the page's main content."""
    for el in tree.iterdescendants(*_CONTAINERS):
        id_, cls = el.get("id"), el.get("class")
        if id_ is None and cls is None:
            continue
        id_, cls = id_ or "", cls or ""
        if (id_ == "content" or cls == "content" or _MAIN_ID.search(id_) or _MAIN_CLASS.search(cls)
                or "main-content" in id_.replace("C", "c").replace("M", "m")
                or "main-content" in cls.replace("C", "c").replace("M", "m")
                or "page-content" in cls.replace("C", "c").replace("P", "p")):
            return [el]
    return []


def main_element(tree: _Element) -> list[_Element]:
    """BODY_XPATH[4]: the first container whose class, id or role starts with "main", or <main>,
    whichever comes first."""
    for el in tree.iterdescendants("article", "div", "section", "main"):
        if (el.tag == "main" or (el.get("class") or "").startswith("main") or (el.get("id") or "").startswith("main")
                or (el.get("role") or "").startswith("main")):
            return [el]
    return []


# --- which expression each function stands for ----------------------------------------------------

# list name in trafilatura.xpaths -> the functions, in the list's order
_FUNCTIONS: dict[str, tuple[Selector, ...]] = {
    "RAW_TREE_PRUNE_XPATH": (raw_scroll_boxes, raw_share_buttons),
    "REMOVE_COMMENTS_AND_LISTS_XPATH": (comment_sections,),
    "OVERALL_DISCARD_XPATH": (boilerplate_blocks, hidden_blocks),
    "BODY_XPATH": (article_body, first_article, story_body, main_content, main_element),
    "TEASER_DISCARD_XPATH": (teaser_blocks,),
    "DISCARD_IMAGE_ELEMENTS": (caption_blocks,),
}
# the text of each expression in the trafilatura these functions were written for (2.3.1), split
# into lines for reading
EXPECTED: dict[str, tuple[str, ...]] = {
    "RAW_TREE_PRUNE_XPATH": (
        ('\n'
         '        .//*[self::div or self::section or self::aside][\n'
         "        re:test(@id, 'mvp-post-add-(?:box|wrap)|infinite-?scroll') or\n"
         "        re:test(@class, 'mvp-post-add-(?:box|wrap)|infinite-?scroll')][\n"
         "        not(.//h1) or re:test(@id, 'mvp-post-add-(?:box|wrap)') or re:test(@class, 'mvp-post"
         "-add-(?:box|wrap)')]\n"
         '        '),
        (".//*[self::div or self::section or self::aside][contains(@class, 'elementor-share-buttons')]"),
    ),
    "REMOVE_COMMENTS_AND_LISTS_XPATH": (
        ('\n'
         '        .//*[self::div or self::list or self::section or self::details or self::ol or self::'
         'ul][\n'
         "        re:test(@id, '^(?:[Cc]omment(?!ary)|comol|disqus_thread|dsq-comments)') or\n"
         "        re:test(@class, '^[Cc]omment(?!ary)|(?:article|post)-comments')][\n"
         "        not(self::ol or self::ul) or re:test(@id, '^(?:[Cc]omment(?!ary)|comol)') or re:test"
         "(@class, '^[Cc]omment(?!ary)|(?:article|post)-comments')]\n"
         '        '),
    ),
    "OVERALL_DISCARD_XPATH": (
        ('\n'
         '        .//*[self::div or self::item or self::list or self::p or self::section or self::span'
         '][\n'
         '        @data-lp-replacement-content or\n'
         "        contains(translate(@role, 'N', 'n'), 'nav') or\n"
         "        contains(@data-component, 'MostPopularStories') or\n"
         "        re:test(@id|@class, 'cookie') or\n"
         "        re:test(@id, '^shar|social|viral|newsletter|syndication|tags|sidebar|banner|bread-?c"
         'rumb|button|author|^(?:jp-|dpsp-content)|bmdh|footer|Footer|share|Share|nav|Nav|menu|related'
         "|message-container|premium|^ad-') or\n"
         "        re:test(@class, '^shar|social|viral|newsletter|syndication|tags|sidebar|banner|bread"
         '-?crumb|button|author|^(?:nav|post-nav|ZendeskForm)|subnav|avigation|navbar|navbox|menu|bar|'
         ' ad |-ad-|(?:^| )ad-|dfp[Aa]d|outbrain|taboola|criteo|paid-?content|widget|footer|Footer|byl'
         'ine|Byline|share-|sociable|embedded|embed|tag-list|consent|modal-content|permission|elated|n'
         'ext-|-stories|most-popular|more-on|meta|rating|attachment|timestamp|user-info|user-profile|-'
         'icon|article-infos|message-container|slide|viewport|overlay|options|expand|obfuscated|blurre'
         "d|mol-factbox|yin|zlylin|nfoline')]\n"
         '        '),
        ('\n'
         "        .//*[@class='comments-title' or\n"
         "        starts-with(@id|@class, 'reply-') or\n"
         "        re:test(@id|@style, 'hidden') or\n"
         "        contains(@style, 'display:none') or contains(@style, 'display: none') or\n"
         "        re:test(@id, 'reader-comments|akismet') or\n"
         "        re:test(@class, '^hide-|comments-title|nocomments|-reply-|message|akismet|suggest-li"
         "nks|-hide-|hide-print| hidden| hide|noprint|notloaded') or @aria-hidden='true']\n"
         '        '),
    ),
    "BODY_XPATH": (
        ('\n'
         '        .//*[self::article or self::div or self::main or self::section][\n'
         "        @class='post' or @class='entry' or\n"
         "        @itemprop='articleBody' or @id='articleContent' or\n"
         "        re:test(@id, '(?:entry|article|art)-content|article__content|article(?:-|__)?body|ar"
         "ticleBody|body-text') or\n"
         "        re:test(@class, 'post[-_]text|post-body|post-?entry|post[-_]?content|postContent|pos"
         't_inner_wrapper|article-?text|articleText|(?:entry|page|text|article|art)-content|article__c'
         "ontent|article(?:-|__)?body|articleBody|ArticleContent|body-text|article__container')\n"
         '        ][1]\n'
         '        '),
        ('(.//article)[1]'),
        ('\n'
         '        (.//*[self::article or self::div or self::main or self::section][\n'
         "        @role='article' or\n"
         "        @id='article' or @id='story' or\n"
         "        @class='postarea' or @class='art-postcontent' or @class='text' or @class='cell' or @"
         "class='story' or\n"
         "        re:test(@id, '^primary|story-body') or\n"
         "        re:test(@class, 'fulltext', 'i') or\n"
         "        re:test(@class, '^article |post-bodycopy|story-?content|(?:theme|blog|section|single"
         ")-content|single-post|main-column|wpb_text_column|story-body|field-body')\n"
         '        ])[1]\n'
         '        '),
        ('\n'
         '        (.//*[self::article or self::div or self::main or self::section][\n'
         "        @id='content' or @class='content' or\n"
         "        re:test(@id, 'content-main|content-body|contentBody') or\n"
         "        re:test(@class, 'content[-_]main|content(?:-|__)body') or\n"
         "        contains(translate(@id, 'CM','cm'), 'main-content') or contains(translate(@class, 'C"
         "M','cm'), 'main-content') or\n"
         "        contains(translate(@class, 'CP','cp'), 'page-content')\n"
         '        ])[1]\n'
         '        '),
        ('\n'
         '        (.//*[self::article or self::div or self::section][\n'
         "        starts-with(@class, 'main') or starts-with(@id, 'main') or starts-with(@role, 'main'"
         ')])[1]|(.//main)[1]\n'
         '        '),
    ),
    "TEASER_DISCARD_XPATH": (
        ('\n'
         '    .//*[self::div or self::item or self::list or self::p or self::section or self::span][\n'
         "    contains(translate(@id, 'T', 't'), 'teaser') or contains(translate(@class, 'T', 't'), 't"
         "easer')]\n"
         '    '),
    ),
    "DISCARD_IMAGE_ELEMENTS": (
        ('\n'
         '    .//*[self::div or self::item or self::list or self::p or self::section or self::span][\n'
         "    contains(@id, 'caption') or contains(@class, 'caption')]\n"
         '    '),
    ),
}


def selectors(name: str, expressions: Sequence) -> Sequence:
    """The Python functions for ``trafilatura.xpaths.<name>`` when ``expressions`` (that list) is
    still the text they were written for; else ``expressions`` itself.  Either is a list of
    callables taking a tree and giving the selected elements in document order."""
    try:
        same = tuple(x.path for x in expressions) == EXPECTED[name]
    except (AttributeError, KeyError):
        same = False
    return _FUNCTIONS[name] if same else expressions
