"""trafilatura's main text and the three metadata fields the cleaning stage uses, for less CPU.

``extract_html(html, url)`` gives what ``trafilatura.bare_extraction(html, url=url, fast=True,
include_comments=False, include_tables=False, with_metadata=True)`` gives for text, title, site
name and date (``tests/test_clean_fast.py`` holds it to that), skipping work whose result is
thrown away; on a news page the extraction itself stays about three quarters of the cost:

* metadata: trafilatura's ``extract_metadata`` also looks for the author (on a deep copy of the
  whole tree), categories, tags and licence, which nothing here uses.  The steps we need run in
  its order on the one parsed tree (they only read it; the date is htmldate's ``find_date`` on
  that tree, as trafilatura calls it);
* parsing: the page is parsed as trafilatura's ``load_html`` parses it (same repairs, same parser
  options, same fallbacks), but the parser finds the Python class of each element with lxml's
  C-level lookup instead of ``lxml.html``'s Python one, which runs for every element object lxml
  hands out — hundreds of thousands of calls on these pages (~7% of the extraction).  The classes
  are the same except for the form controls' (``<form>``, ``<input>``, ``<label>``, ``<select>``,
  ``<textarea>``), which only add form-handling properties that trafilatura and htmldate never use;
* the text: ``bare_extraction`` copies the tree it is given before working on it, as the
  caller may still need it; ours is not used after the extraction, so its cascade
  (``trafilatura_sequence``) runs on the tree itself, followed by ``bare_extraction``'s own
  checks and text conversion;
* the selections that trafilatura makes with XPath expressions testing attributes against regular
  expressions (comment sections, boilerplate blocks, the article's container: a third of the
  cascade's time, most of it in lxml's calls back into Python) are made by ``htmlprune``'s
  functions, which select the same elements; the tree is cleaned in place rather than copied
  (see ``_cascade``), and the slow mode's backup copy is not made;
* JSON-LD metadata: two of trafilatura's passes over each script run in C (``_meta_json``);
* the recall escalation (the cascade's stage 4) is left out — the one step here that can change
  the text, on pages that are not articles: see ``_cascade``.

The libraries are imported on first use: the plain-text path should not pay for lxml/trafilatura.
If the trafilatura in use lacks these helpers, the plain ``bare_extraction`` call is made instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from copy import copy
from dataclasses import dataclass
from types import FunctionType, ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lxml.etree import _Element
    from lxml.html import HtmlElement, HTMLParser
    from trafilatura.settings import Document, Extractor

__all__ = ["HtmlExtract", "extract_html"]


@dataclass(frozen=True, slots=True)
class HtmlExtract:
    """What the cleaning stage takes from trafilatura: the main text and three metadata fields."""

    text: str
    title: str | None
    sitename: str | None
    date: str | None  # ISO date as htmldate gives it


def _documented_call(html: str, url: str | None) -> HtmlExtract | None:
    """The slower documented call: for a trafilatura whose internals are laid out otherwise."""
    import trafilatura

    full = trafilatura.bare_extraction(
        html, url=url, fast=True, include_comments=False, include_tables=False,
        with_metadata=True, date_extraction_params={"extensive_search": False},
    )
    if full is None:
        return None
    return HtmlExtract(getattr(full, "text", None) or "", getattr(full, "title", None),
                       getattr(full, "sitename", None), getattr(full, "date", None))


def extract_html(html: str, url: str | None) -> HtmlExtract | None:
    """trafilatura's main text, title, site name and date of a page; None when it finds no article."""
    import htmldate

    try:
        from trafilatura.core import trafilatura_sequence
        from trafilatura.metadata import (
            META_URL,
            examine_meta,
            extract_sitename,
            extract_title,
            extract_url,
        )
        from trafilatura.settings import Extractor
        from trafilatura.xml import xmltotxt
    except ImportError:  # another trafilatura layout
        return _documented_call(html, url)
    tree = _load_html(html)
    if tree is None:
        return None
    # trafilatura.metadata.extract_metadata, less author, hostname, categories, tags and licence
    meta = examine_meta(tree)
    try:
        meta = _meta_json(tree, meta)
    except Exception:  # noqa: BLE001 - trafilatura guards this step the same way
        pass
    if not meta.title:
        meta.title = extract_title(tree)
    if not meta.url:
        meta.url = extract_url(tree, url)
    meta.date = htmldate.find_date(tree, extensive_search=False, url=meta.url)
    if not meta.sitename:
        meta.sitename = extract_sitename(tree)
    if meta.sitename:
        meta.sitename = meta.sitename.lstrip("@")
        if meta.sitename and "." not in meta.sitename and not meta.sitename[0].isupper():
            meta.sitename = meta.sitename.title()
    elif meta.url:
        m = META_URL.match(meta.url)
        if m:
            meta.sitename = m[1]
    meta.clean_and_trim()
    # trafilatura.bare_extraction(tree, url=url or meta.url, fast=True, include_comments=False,
    # include_tables=False) from its cascade on: the options it builds, its checks, its text
    options = Extractor(output_format="python", fast=True, comments=False, tables=False, url=url or meta.url)
    try:
        postbody, text, comments_text = _cascade(tree, options, trafilatura_sequence, reload=lambda: _load_html(html))
        if options.max_tree_size and len(postbody) > options.max_tree_size:
            from lxml.etree import strip_tags

            strip_tags(postbody, "hi")
            if len(postbody) > options.max_tree_size:
                return None
        if len(text) < options.min_output_size and len(comments_text) < options.min_output_comm_size:
            return None
    except (TypeError, ValueError):  # bare_extraction's "discarding data"
        return None
    return HtmlExtract(xmltotxt(postbody, options.formatting) or "", meta.title, meta.sitename, meta.date)


def _meta_json(tree: HtmlElement, meta: Document) -> Document:
    """``trafilatura.metadata.extract_meta_json``, with two of its passes over each JSON-LD script
    made in C instead of Python: the minifying substitution (``_minify``) and ``normalize_json``'s
    removal of lone surrogates (``_normalize_json``).  On a trafilatura whose minifying pattern is
    not the one ``_minify`` follows, its own function."""
    import json

    from trafilatura.json_metadata import extract_json, extract_json_parse_error
    from trafilatura.metadata import JSON_MINIFY, extract_meta_json

    if JSON_MINIFY.pattern != _JSON_MINIFY_PATTERN:
        return extract_meta_json(tree, meta)
    for elem in tree.xpath('.//script[@type="application/ld+json" or @type="application/settings+json"]'):
        if not elem.text:
            continue
        element_text = _normalize_json(_minify(elem.text))
        try:
            schema = json.loads(element_text, strict=False)
            meta = extract_json(schema, meta)
        except json.JSONDecodeError:
            meta = extract_json_parse_error(element_text, meta)
    return meta


# trafilatura.metadata.JSON_MINIFY, substituted by r"\1": strings are kept, whitespace outside them deleted
_JSON_MINIFY_PATTERN = r'("(?:\\.|[^"\\])*")|\s'
# the same with whitespace runs: deleting a run at once deletes what deleting each character does
_JSON_TOKENS = re.compile(r'("(?:\\.|[^"\\])*")|\s+')
_SURROGATES = re.compile("[\ud800-\udfff]")


def _minify(text: str) -> str:
    """``JSON_MINIFY.sub(r"\1", text)``: ``split`` gives the text between matches and each match's
    string (None for whitespace), joined without the Nones, with no template expanded per match."""
    return "".join(filter(None, _JSON_TOKENS.split(text)))


def _normalize_json(string: str) -> str:
    """``trafilatura.json_metadata.normalize_json``, its lone surrogates removed by a regex instead
    of a Python test of every character."""
    from html import unescape

    from trafilatura.json_metadata import JSON_UNICODE_REPLACE
    from trafilatura.utils import HTML_STRIP_TAGS, trim

    if "\\" in string:
        string = string.replace("\\n", "").replace("\\r", "").replace("\\t", "")
        string = JSON_UNICODE_REPLACE.sub(lambda match: chr(int(match[1], 16)), string)
        string = _SURROGATES.sub("", string)
        string = unescape(string)
    return trim(HTML_STRIP_TAGS.sub("", string))


def _parser() -> HTMLParser:
    """trafilatura's parser settings (``trafilatura.utils.HTML_PARSER``) with lxml's C-level
    element class lookup.  A new parser per page: it takes microseconds, and a parser holds state
    that must not be shared between threads."""
    from lxml import etree
    from lxml import html as lxml_html

    parser = lxml_html.HTMLParser(collect_ids=False, default_doctype=False, encoding="utf-8",
                                  remove_comments=True, remove_pis=True)
    parser.set_element_class_lookup(etree.ElementDefaultClassLookup(
        element=lxml_html.HtmlElement, comment=lxml_html.HtmlComment,
        pi=lxml_html.HtmlProcessingInstruction, entity=lxml_html.HtmlEntity))
    return parser


def _load_html(html: str) -> HtmlElement | None:
    """``trafilatura.utils.load_html`` of a string, step for step, with ``_parser()``."""
    from lxml.html import fromstring
    from trafilatura.utils import is_dubious_html

    parser = _parser()

    def from_bytes(text: str) -> HtmlElement | None:  # trafilatura.utils.fromstring_bytes
        try:
            return fromstring(text.encode("utf8", "surrogatepass"), parser=parser)
        except Exception:  # noqa: BLE001 - trafilatura logs and gives up the same way
            return None

    beginning = html[:50].lower()
    dubious = is_dubious_html(beginning)
    html = _repair(html, beginning)
    tree = None
    from_bytes_done = False
    try:
        tree = fromstring(html, parser=parser)
    except ValueError:  # "Unicode strings with encoding declaration are not supported."
        tree = from_bytes(html)
        from_bytes_done = True
    except Exception:  # noqa: BLE001 - lxml raises many kinds on broken markup; trafilatura logs them
        tree = None
    if (tree is None or len(tree) < 1) and not from_bytes_done:
        tree = from_bytes(html)
    if tree is not None and dubious and len(tree) < 2:  # not (well-formed) HTML at all
        return None
    return tree


# trafilatura.utils.INVALID_XML_CHARS, the characters its repair step deletes before parsing
_INVALID_XML_PATTERN = r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]"
# every byte except the ASCII ones among them (in UTF-8, any other character is bytes >= 0x80)
_NOT_INVALID_BYTES = bytes(b for b in range(256) if not (b <= 0x08 or b in (0x0B, 0x0C) or 0x0E <= b <= 0x1F))


def _repair(html: str, beginning: str) -> str:
    """``trafilatura.utils.repair_faulty_html``, without its regex pass over the whole page when
    the page holds none of the characters that pass deletes — nearly always.  Finding that out
    on the UTF-8 bytes (``bytes.translate``, in C) takes a third of the regex's time."""
    from trafilatura.utils import DOCTYPE_TAG, FAULTY_HTML, INVALID_XML_CHARS, repair_faulty_html

    if (INVALID_XML_CHARS.pattern != _INVALID_XML_PATTERN or "\ufffe" in html or "\uffff" in html
            or html.encode("utf-8", "surrogatepass").translate(None, _NOT_INVALID_BYTES)):
        return repair_faulty_html(html, beginning)
    # the rest of repair_faulty_html, as it is written there
    if "doctype" in beginning:
        firstline, _, rest = html.partition("\n")
        html = DOCTYPE_TAG.sub("", firstline, count=1) + "\n" + rest
    for line in html[:4096].splitlines()[:4]:
        if "<html" in line and line.endswith("/>"):
            html = FAULTY_HTML.sub(r"\1>", html, count=1)
            break
    return html


def _cascade(tree: HtmlElement, options: Extractor, sequence: Callable,
             select: Callable[[str, Sequence], Sequence] | None = None,
             reload: Callable[[], HtmlElement | None] | None = None) -> tuple[_Element, str, str]:
    """(body, its text, comments' text) of ``trafilatura_sequence(tree, options, options.url)``,
    less its stage 4, the "recall escalation".

    That stage measures the whole page's text (``html2txt`` on another copy of the tree) whenever
    the extracted text is under 3,000 characters, and if the extraction covers under a fifth of
    it, extracts again in recall mode and keeps the retry if it is half as long again.  It is
    meant for pages that are not articles (listings, forums); on the 181 real news pages it
    measured 80 pages, retried 9 and kept none, for a fifth of the extraction's CPU time.  Left out
    here, knowingly: a page it would have rescued gets the main extractor's shorter text.

    With comments off, trafilatura's balanced focus and fast mode (the ``options`` of
    ``extract_html``), its stages 1-3 are: the raw-tree prunes (comment sections too, except on a
    forum), tree cleaning and tag conversion, the main extractor, and the baseline rescue when that
    found too little.  Its XPath selections that test attributes with regular expressions are made
    by ``htmlprune``'s functions instead (``select``: ``htmlprune.selectors``, which gives them only
    for the expressions they were written for).

    trafilatura cleans a copy of the pruned tree, because its stage 3 needs the pruned tree
    again.  That stage runs on few pages (3 of the 181 real ones), so when ``reload`` (the page
    parsed anew) is given and ``tree`` is its document's root, the tree is cleaned in place and
    stage 3 prunes a new parse instead: a copy per page saved for a parse on the rare page.  (A
    tree that is not its document's root, an HTML fragment's, is copied as trafilatura does: the
    extractor's absolute XPaths would otherwise see the rest of the document.)
    """
    try:
        from trafilatura import main_extractor
        from trafilatura.baseline import baseline
        from trafilatura.core import _forum_thread_page
        from trafilatura.htmlprocessing import convert_tags, prune_unwanted_nodes, tree_cleaning
        from trafilatura.xpaths import RAW_TREE_PRUNE_XPATH, REMOVE_COMMENTS_AND_LISTS_XPATH
    except ImportError:  # another trafilatura layout: its whole sequence
        body, text, _comments, comments_text = sequence(tree, options, options.url)
        return body, text, comments_text
    if options.comments or options.focus != "balanced" or not options.fast:
        raise ValueError("_cascade follows trafilatura_sequence for comments off, balanced focus, fast mode only")
    if select is None:
        from frontwatch.htmlprune import selectors as select

    def raw_prunes(tree: HtmlElement) -> HtmlElement:
        is_forum = _forum_thread_page(tree)
        tree = prune_unwanted_nodes(tree, select("RAW_TREE_PRUNE_XPATH", RAW_TREE_PRUNE_XPATH))
        if not is_forum:  # on a thread forum the "comments" are the posts
            tree = prune_unwanted_nodes(tree, select("REMOVE_COMMENTS_AND_LISTS_XPATH", REMOVE_COMMENTS_AND_LISTS_XPATH))
        return tree

    tree = raw_prunes(tree)
    in_place = reload is not None and tree.getparent() is None and tree is tree.getroottree().getroot()
    # trafilatura.core._prepare_tree less its backup copy, which only the slow mode's comparison uses
    cleaned = convert_tags(tree_cleaning(tree if in_place else copy(tree), options), options, options.url)
    # trafilatura.core._extract_and_compare in fast mode: extract_content alone
    body, text = _extract_content(main_extractor, select)(cleaned, options)
    if len(text) < options.min_extracted_size:  # stage 3: baseline on the pruned tree, if it adds text
        if in_place:
            tree = raw_prunes(reload())  # type: ignore[misc]  # the same page parses again
        b_body, b_text, b_len = baseline(tree)
        if b_len > len(text):
            body, text = b_body, b_text
    return body, text, ""


def _extract_content(module: ModuleType, select: Callable[[str, Sequence], Sequence]) -> Callable:
    """``trafilatura.main_extractor.extract_content`` with ``select``'s stand-ins for the XPath
    lists BODY_XPATH, OVERALL_DISCARD_XPATH, TEASER_DISCARD_XPATH and DISCARD_IMAGE_ELEMENTS.

    Those lists are globals of that module, read by ``_extract`` and ``prune_unwanted_sections``.
    Rather than copy the functions, their own code objects are run with a copy of the module's
    namespace in which the lists are replaced (the module itself is left as it is):
    ``extract_content`` calls that namespace's ``_extract`` and, when the main pass finds too
    little, its ``recover_wild_text``; both call its ``prune_unwanted_sections``.
    """
    names = ("BODY_XPATH", "OVERALL_DISCARD_XPATH", "TEASER_DISCARD_XPATH", "DISCARD_IMAGE_ELEMENTS")
    functions = ("prune_unwanted_sections", "_extract", "recover_wild_text", "extract_content")
    namespace = dict(vars(module))
    if not all(isinstance(namespace.get(n), list) for n in names) or not all(
            isinstance(namespace.get(f), FunctionType) for f in functions):
        return module.extract_content  # another layout: its own
    for name in names:
        namespace[name] = select(name, namespace[name])
    for name in functions:
        func = namespace[name]
        rebound = FunctionType(func.__code__, namespace, func.__name__, func.__defaults__, func.__closure__)
        rebound.__kwdefaults__ = func.__kwdefaults__
        namespace[name] = rebound
    return namespace["extract_content"]
