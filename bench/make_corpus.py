"""Build a reproducible synthetic corpus of war-reporting pages for throughput benchmarks.

    python bench/make_corpus.py --pages 1000 --format txt --out /tmp/corpus-1k
    python bench/make_corpus.py --pages 10000 --format warc --out /tmp/corpus-10k --seed 7

Every sentence comes from the templates below, written for this benchmark (never taken from
any real page).  Pages mix what real crawled pages mix: article paragraphs (captures, clashes,
airstrikes, shelling, IEDs, suicide attacks, abductions, arrests, protests, riots) over many
countries, with background sentences that are not events, plus page furniture (navigation,
share buttons, donation widgets, newsletter boxes), comment sections with spam, and reposts of
a second outlet's article on the same page.

The same ``--seed`` and ``--pages`` always give the same pages, byte for byte, in every format
(the RNG is seeded per page, so page 517 is the same page in a 1k and in a 10k corpus).
"""

from __future__ import annotations

import argparse
import html
import io
import random
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

DEFAULT_SEED = 2017
PAGES_PER_DIR = 1000  # txt/html files per sub-directory, so no directory gets 100k entries
RECORDS_PER_WARC = 1000  # response records per .warc.gz file
FIRST_DAY = date(2014, 1, 1)
DAYS = 365 * 9
REPOST_RATE = 0.12  # share of pages that carry a second outlet's article
COMMENTS_RATE = 0.6  # share of pages with a comment section
UNDATED_RATE = 0.15  # share of pages whose date is nowhere on the page

# Each theatre: (ISO alpha-2, country adjective, towns, state forces, opposing armed groups,
# who flies air strikes there).  Names of places and groups are public facts, not prose.
THEATRES = [
    ("IQ", "Iraqi", ["Mosul", "Tal Afar", "Hawija", "Ramadi", "Fallujah", "Baiji", "Rawa", "Sinjar"],
     ["Iraqi troops", "the Iraqi army", "Iraqi counter-terrorism units", "federal police"],
     ["Islamic State militants", "IS fighters", "jihadists"], ["US-led coalition jets", "Iraqi aircraft"]),
    ("SY", "Syrian", ["Deir ez-Zor", "Raqqa", "Manbij", "Palmyra", "Idlib", "Daraa", "Hama", "Mayadin"],
     ["Syrian government forces", "the Syrian army", "pro-government militias"],
     ["Hayat Tahrir al-Sham fighters", "rebels", "Islamic State militants", "the Syrian Democratic Forces"],
     ["Russian warplanes", "Syrian helicopters", "coalition aircraft"]),
    ("AF", "Afghan", ["Kunduz", "Lashkar Gah", "Ghazni", "Farah", "Sangin", "Maimana", "Tarin Kot"],
     ["Afghan security forces", "Afghan commandos", "the Afghan National Army"],
     ["Taliban fighters", "insurgents", "the Taliban"], ["US drones", "Afghan air force planes"]),
    ("YE", "Yemeni", ["Hodeidah", "Taiz", "Marib", "Saada", "Mukalla", "Dhale", "Hajjah"],
     ["government troops", "forces loyal to the president"],
     ["Houthi rebels", "the Houthis", "al-Qaeda militants"], ["Saudi-led coalition aircraft"]),
    ("NG", "Nigerian", ["Maiduguri", "Bama", "Gwoza", "Damboa", "Monguno", "Konduga", "Dikwa"],
     ["Nigerian soldiers", "the Nigerian army", "vigilantes of the civilian joint task force"],
     ["Boko Haram fighters", "ISWAP militants", "suspected jihadists"], ["Nigerian air force jets"]),
    ("SO", "Somali", ["Kismayo", "Baidoa", "Beledweyne", "Afgoye", "Marka", "Jowhar", "Bardhere"],
     ["Somali troops", "African Union peacekeepers", "the Somali National Army"],
     ["al-Shabaab militants", "al-Shabaab", "Islamist insurgents"], ["US drones"]),
    ("ML", "Malian", ["Gao", "Timbuktu", "Mopti", "Menaka", "Kidal", "Sevare", "Douentza"],
     ["Malian soldiers", "the Malian army", "French troops"],
     ["JNIM fighters", "jihadists", "armed men on motorbikes"], ["French helicopters"]),
    ("UA", "Ukrainian", ["Avdiivka", "Bakhmut", "Mariupol", "Marinka", "Debaltseve", "Horlivka"],
     ["Ukrainian forces", "Ukrainian troops", "the Ukrainian army"],
     ["Russian-backed separatists", "Russian forces", "separatist fighters"], ["Russian jets"]),
    ("LY", "Libyan", ["Sirte", "Derna", "Benghazi", "Gharyan", "Sabha", "Misrata", "Tarhuna"],
     ["forces of the Tripoli government", "Misrata brigades"],
     ["Haftar's forces", "the Libyan National Army", "Islamic State militants"], ["unidentified drones"]),
    ("PH", "Philippine", ["Marawi", "Jolo", "Patikul", "Cotabato", "Maguindanao"],
     ["Philippine troops", "the Philippine army", "marines"],
     ["Abu Sayyaf gunmen", "Maute group fighters", "communist rebels"], ["Philippine air force planes"]),
    ("CD", "Congolese", ["Beni", "Bunia", "Rutshuru", "Butembo", "Djugu", "Kiwanja"],
     ["Congolese soldiers", "the FARDC", "UN peacekeepers"],
     ["ADF rebels", "M23 fighters", "militiamen"], ["Congolese army helicopters"]),
    ("SD", "Sudanese", ["El Fasher", "Nyala", "Geneina", "Kadugli", "El Obeid"],
     ["the Sudanese army", "government troops"],
     ["Rapid Support Forces fighters", "the RSF", "armed tribesmen"], ["Sudanese air force jets"]),
]

# Capitals and big cities where protests, riots and arrests are reported.
CITIES = [
    ("IQ", "Baghdad"), ("IQ", "Basra"), ("LB", "Beirut"), ("SD", "Khartoum"), ("VE", "Caracas"),
    ("CD", "Kinshasa"), ("ET", "Addis Ababa"), ("KE", "Nairobi"), ("NG", "Lagos"), ("PK", "Karachi"),
    ("BD", "Dhaka"), ("CL", "Santiago"), ("HK", "Hong Kong"), ("IR", "Tehran"), ("DZ", "Algiers"),
    ("ZW", "Harare"), ("MM", "Yangon"), ("TH", "Bangkok"), ("CO", "Bogota"), ("HT", "Port-au-Prince"),
]

OUTLETS = [
    ("Frontline Dispatch", "frontline-dispatch.example"), ("The Daily Monitor", "dailymonitor.example"),
    ("Conflict Wire", "conflictwire.example"), ("Regional Observer", "regionalobserver.example"),
    ("Crisis Bulletin", "crisisbulletin.example"), ("The Evening Ledger", "eveningledger.example"),
    ("Borderlands News", "borderlands.example"), ("World Desk Today", "worlddesk.example"),
]

UNITS_KILLED = ["civilians", "soldiers", "militants", "fighters", "people", "policemen", "villagers"]
NUMBER_WORDS = ["two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "a dozen",
                "dozens of", "scores of", "at least 12", "at least 20", "more than 30", "about 40"]
TARGETS = ["a market", "a school used as a shelter", "a wedding party", "a bakery", "a convoy of trucks",
           "a hospital", "a weapons depot", "a command post", "a mosque", "a bus station"]
DIRECTIONS = ["north", "south", "east", "west", "northwest", "southeast", "northeast", "southwest"]
SOURCES = ["a military spokesman said", "local officials said", "residents told reporters",
           "a monitoring group reported", "medics at the local hospital said", "the interior ministry said",
           "a statement from the group claimed", "two security sources said"]
GRIEVANCES = ["rising fuel prices", "power cuts", "the arrest of an opposition leader", "corruption",
              "unpaid salaries", "the killing of a student by police", "a disputed election result",
              "the closure of a university", "shortages of bread"]

# --- event sentences (written for this benchmark) -------------------------------------------
CAPTURE = [
    "{state} retook {town} from {armed} on {day}, {source}.",
    "{armed} seized control of {town} after {n} days of heavy fighting, {source}.",
    "After a week-long push, {state} said they had driven {armed} out of the centre of {town}.",
    "{state} entered {town} on {day} and raised the national flag over the municipal building.",
    "{armed} overran an army outpost {km} kilometres {dir} of {town} late on {day}.",
]
CLASH = [
    "At least {n} {unit} were killed in clashes between {state} and {armed} near {town} on {day}.",
    "Fighting between {armed} and {state} on the outskirts of {town} left {num} {unit} dead, {source}.",
    "{state} and {armed} exchanged fire for several hours around {town}, {source}.",
    "Heavy fighting broke out on {day} in villages {dir} of {town}, where {armed} attacked army positions.",
]
AIR = [
    "An air strike by {air} hit {target} in {town} on {day}, killing {n} civilians, {source}.",
    "{air} bombed positions held by {armed} {km} km {dir} of {town}, {source}.",
    "{num} people died when {air} struck {target} on the edge of {town}.",
    "Drone strikes on {day} killed {n} suspected members of {armed} in a village near {town}.",
]
SHELLING = [
    "{armed} shelled residential districts of {town} overnight, wounding {n} people, {source}.",
    "Artillery fire hit {target} in {town} on {day}; {n} civilians were among the dead.",
    "Rockets fired by {armed} landed near {target} in {town}, causing no casualties, {source}.",
]
IED = [
    "A roadside bomb struck an army patrol on the road between {town} and {town2}, wounding {n} soldiers.",
    "{n} policemen died when their vehicle drove over a landmine near {town} on {day}, {source}.",
    "An improvised explosive device went off at {target} in {town}, killing {n} people.",
]
SUICIDE = [
    "A suicide bomber blew himself up at a checkpoint at the entrance of {town} on {day}, killing {n} people.",
    "{armed} claimed a car bomb attack on {target} in {town} that killed {num} people.",
]
ABDUCTION = [
    "Gunmen abducted {n} aid workers on the road to {town} on {day}, {source}.",
    "{armed} kidnapped {num} villagers from a farming settlement {dir} of {town}.",
]
ARREST = [
    "Police in {city} arrested {n} people suspected of planning attacks for {armed}, {source}.",
    "Security forces detained {num} suspects in dawn raids across {city} on {day}.",
    "A prominent activist was arrested at her home in {city} on {day}, her lawyer said.",
]
PROTEST = [
    "Thousands of people marched through {city} on {day} to protest against {grievance}.",
    "Hundreds of demonstrators gathered outside parliament in {city} to denounce {grievance}.",
    "Teachers and nurses staged a peaceful sit-in in central {city} over {grievance}.",
]
RIOT = [
    "Police fired tear gas at stone-throwing protesters in {city} on {day}; {n} people were injured.",
    "Rioters set fire to tyres and a police station in {city} after a demonstration over {grievance} turned violent.",
    "Security forces opened fire on demonstrators in {city}, killing {n}, {source}.",
]
BACKGROUND = [
    "The town lies on a main supply route and has changed hands several times since the war began.",
    "Aid agencies warned that thousands of families had fled the fighting with few belongings.",
    "Analysts say the group has lost most of the territory it held two years ago but can still mount raids.",
    "The government has repeatedly promised to restore services in areas retaken from the insurgents.",
    "Independent verification of casualty figures was not possible because journalists have limited access.",
    "A spokesman for the United Nations called on all parties to protect civilians and allow aid in.",
    "Electricity and water have been cut in parts of the province for more than a month.",
    "The defence ministry said operations would continue until the area was fully secured.",
    "Local farmers said they had not been able to reach their fields since the spring.",
    "The offensive is expected to be followed by a long effort to clear mines and rebuild homes.",
    "Officials did not say how many troops were taking part in the operation.",
    "Talks between the two sides broke down last month without agreement on a ceasefire.",
]
FAMILIES = [(CAPTURE, 3), (CLASH, 4), (AIR, 3), (SHELLING, 2), (IED, 2), (SUICIDE, 1), (ABDUCTION, 1)]
CITY_FAMILIES = [(ARREST, 2), (PROTEST, 3), (RIOT, 2)]

TITLES = [
    "{state_cap} push into {town} as fighting intensifies",
    "Dozens dead in {country} violence",
    "{town}: what we know about the latest fighting",
    "Fresh clashes reported near {town}",
    "Civilians caught in crossfire around {town}",
    "Protests spread in {city}",
]

# --- page furniture (menus, widgets, footers) and comments -----------------------------------
NAV = ["Home", "World", "Middle East", "Africa", "Asia", "Opinion", "Video", "Podcasts", "Search"]
FURNITURE = [
    "Share this article on Facebook", "Tweet", "Share on WhatsApp", "Email this story", "Print",
    "Subscribe to our newsletter for the day's top stories", "Sign up", "Advertisement",
    "Related stories", "Most read", "Read more", "Click here to read more",
    "Support independent reporting: donate $5 a month", "Donate now", "Become a member",
    "We use cookies to improve your experience. By continuing you accept our cookie policy.",
    "Follow us on Twitter and Instagram", "Download our app", "Tags: conflict, security, politics",
    "Comments are moderated and may take a while to appear.",
]
COMMENT_NAMES = ["observer77", "Karim", "J. Smith", "peace_now", "anon", "M. Okafor", "Lena"]
COMMENTS = [
    "Thanks for the clear report, hard to find elsewhere.",
    "Where are the numbers from? Nobody can check them.",
    "This is the third time this town has been taken this year.",
    "Praying for the families who lost everything.",
    "The media never tells the whole story.",
    "Good piece, but the map in the previous article was wrong.",
]
SPAM = [
    "Earn $400 a day from home with this one trick, visit cash-fast.example now!!!",
    "Cheap replica watches, free shipping worldwide, best-watches.example",
    "I made $9,000 last month on crypto signals, message me on Telegram",
    "Hot singles in your area, click my profile",
]


@dataclass
class Article:
    title: str
    outlet: str
    domain: str
    published: date | None
    author: str
    paragraphs: list[str] = field(default_factory=list)


@dataclass
class SynthPage:
    """One generated page: the main article, an optional repost, furniture and comments."""

    number: int
    article: Article
    repost: Article | None
    nav: list[str]
    furniture_top: list[str]
    furniture_bottom: list[str]
    comments: list[tuple[str, str]]

    @property
    def url(self) -> str:
        return f"https://{self.article.domain}/news/{self.number:07d}"


def _number(rng: random.Random) -> int:
    return rng.choice([2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 14, 17, 19, 23, 26, 31, 40])


def _fill(rng: random.Random, template: str, theatre: tuple, day: date, city: str) -> str:
    iso, adj, towns, states, armeds, airs = theatre
    town, town2 = rng.sample(towns, 2)
    text = template.format(
        state=rng.choice(states), armed=rng.choice(armeds), air=rng.choice(airs), town=town, town2=town2,
        day=_day_phrase(rng, day), n=_number(rng), num=rng.choice(NUMBER_WORDS), unit=rng.choice(UNITS_KILLED),
        target=rng.choice(TARGETS), km=rng.choice([5, 8, 10, 15, 20, 30, 45]), dir=rng.choice(DIRECTIONS),
        source=rng.choice(SOURCES), city=city, grievance=rng.choice(GRIEVANCES),
    )
    return text[0].upper() + text[1:]


def _day_phrase(rng: random.Random, day: date) -> str:
    style = rng.randrange(3)
    if style == 0:
        return day.strftime("%A")
    if style == 1:
        return f"{day.strftime('%B')} {day.day}"
    return f"{day.day} {day.strftime('%B')}"


def _weighted(rng: random.Random, families: list[tuple[list[str], int]]) -> str:
    templates = rng.choices([f for f, _ in families], weights=[w for _, w in families])[0]
    return rng.choice(templates)


def _article(rng: random.Random, outlet: tuple[str, str], published: date | None) -> Article:
    theatre = rng.choice(THEATRES)
    iso, adj, towns, states, _, _ = theatre
    city = rng.choice([c for i, c in CITIES if i == iso] or [c for _, c in CITIES])
    urban = rng.random() < 0.25  # a protest/arrest story rather than a battlefield one
    anchor = published or (FIRST_DAY + timedelta(days=rng.randrange(DAYS)))
    paragraphs = []
    for _ in range(rng.randint(4, 10)):
        sentences = []
        for _ in range(rng.randint(2, 4)):
            if rng.random() < 0.35:
                sentences.append(rng.choice(BACKGROUND))
                continue
            families = CITY_FAMILIES if urban else FAMILIES
            day = anchor - timedelta(days=rng.randrange(4))
            sentences.append(_fill(rng, _weighted(rng, families), theatre, day, city))
        paragraphs.append(" ".join(sentences))
    title = rng.choice(TITLES).format(state_cap=states[0][0].upper() + states[0][1:], town=rng.choice(towns),
                                      country=adj, city=city)
    author = rng.choice(["Staff reporter", "Agencies", "Nadia Haddad", "Tom Brennan", "Amina Yusuf"])
    return Article(title, outlet[0], outlet[1], published, author, paragraphs)


def make_page(number: int, seed: int = DEFAULT_SEED) -> SynthPage:
    """Page ``number`` of the corpus of ``seed``: the same inputs always give the same page."""
    rng = random.Random(seed * 1_000_003 + number)
    outlet, other = rng.sample(OUTLETS, 2)
    day = FIRST_DAY + timedelta(days=rng.randrange(DAYS))
    published = None if rng.random() < UNDATED_RATE else day
    article = _article(rng, outlet, published)
    repost = _article(rng, other, day - timedelta(days=rng.randrange(3))) if rng.random() < REPOST_RATE else None
    comments: list[tuple[str, str]] = []
    if rng.random() < COMMENTS_RATE:
        for _ in range(rng.randint(1, 8)):
            pool = SPAM if rng.random() < 0.3 else COMMENTS
            comments.append((rng.choice(COMMENT_NAMES), rng.choice(pool)))
    return SynthPage(
        number=number, article=article, repost=repost, nav=rng.sample(NAV, 6),
        furniture_top=rng.sample(FURNITURE, 3), furniture_bottom=rng.sample(FURNITURE, 5), comments=comments,
    )


def iter_corpus(pages: int, seed: int = DEFAULT_SEED) -> Iterator[SynthPage]:
    """Pages 0 .. ``pages``-1 of the corpus of ``seed``."""
    for i in range(pages):
        yield make_page(i, seed)


# --- renderers --------------------------------------------------------------------------------


def _date_line(a: Article) -> str:
    if a.published is None:
        return f"By {a.author}"
    return f"Posted on {a.published.strftime('%B')} {a.published.day}, {a.published.year} by {a.author}"


def to_text(p: SynthPage) -> str:
    """The page as a crawler's text dump: menus, article, widgets, repost, comments, footer."""
    a = p.article
    lines = [" | ".join(p.nav), a.outlet, "", a.title, _date_line(a), "", *p.furniture_top, ""]
    for para in a.paragraphs:
        lines += [para, ""]
    if p.repost is not None:
        r = p.repost
        lines += [f"Reposted from {r.outlet}", r.title, _date_line(r), ""]
        for para in r.paragraphs:
            lines += [para, ""]
    lines += p.furniture_bottom
    if p.comments:
        lines += ["", f"{len(p.comments)} Comments", "Leave a reply", ""]
        for name, text in p.comments:
            lines += [f"{name} says:", text, "Reply", ""]
    lines += [f"Copyright {(a.published or date(2020, 1, 1)).year} {a.outlet}. All rights reserved."]
    return "\n".join(lines) + "\n"


def to_html(p: SynthPage) -> str:
    """The page as a news site serves it, with meta tags, nav, article, aside, comments, footer."""
    a = p.article
    e = html.escape
    meta = ""
    if a.published is not None:
        meta = f'<meta property="article:published_time" content="{a.published.isoformat()}T08:00:00Z">'
    nav = "".join(f'<li><a href="/{e(n.lower())}">{e(n)}</a></li>' for n in p.nav)
    share = "".join(f'<div class="widget">{e(f)}</div>' for f in p.furniture_top)
    body = "".join(f"<p>{e(x)}</p>" for x in a.paragraphs)
    repost = ""
    if p.repost is not None:
        r = p.repost
        repost = (f'<div class="repost"><p><em>Reposted from {e(r.outlet)}</em></p><h2>{e(r.title)}</h2>'
                  f"<p>{e(_date_line(r))}</p>" + "".join(f"<p>{e(x)}</p>" for x in r.paragraphs) + "</div>")
    bottom = "".join(f'<div class="widget">{e(f)}</div>' for f in p.furniture_bottom)
    comments = ""
    if p.comments:
        items = "".join(f'<li class="comment"><cite>{e(n)}</cite> says:<p>{e(t)}</p><a href="#">Reply</a></li>'
                        for n, t in p.comments)
        comments = (f'<section id="comments"><h3>{len(p.comments)} Comments</h3><ol>{items}</ol>'
                    '<form><label>Leave a reply</label><textarea></textarea></form></section>')
    year = (a.published or date(2020, 1, 1)).year
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{e(a.title)} | {e(a.outlet)}</title>'
        f'<meta property="og:site_name" content="{e(a.outlet)}">{meta}</head><body>'
        f'<header><div class="logo">{e(a.outlet)}</div><nav><ul>{nav}</ul></nav></header>'
        f'<main><article><h1>{e(a.title)}</h1><p class="byline">{e(_date_line(a))}</p>{share}'
        f'<div class="entry-content">{body}{repost}</div></article>'
        f'<aside class="sidebar">{bottom}</aside>{comments}</main>'
        f"<footer><p>Copyright {year} {e(a.outlet)}. All rights reserved.</p></footer></body></html>\n"
    )


def _file_path(out: Path, number: int, suffix: str) -> Path:
    return out / f"{number // PAGES_PER_DIR:04d}" / f"page-{number:07d}{suffix}"


def write_corpus(out: Path, pages: int, fmt: str, seed: int = DEFAULT_SEED) -> int:
    """Write the corpus under ``out`` in ``fmt`` (txt | html | warc); returns bytes written."""
    out.mkdir(parents=True, exist_ok=True)
    total = 0
    if fmt in ("txt", "html"):
        render, suffix = (to_text, ".txt") if fmt == "txt" else (to_html, ".html")
        for p in iter_corpus(pages, seed):
            path = _file_path(out, p.number, suffix)
            path.parent.mkdir(exist_ok=True)
            data = render(p).encode("utf-8")
            path.write_bytes(data)
            total += len(data)
        return total
    if fmt == "warc":
        return _write_warcs(out, pages, seed)
    raise SystemExit(f"make_corpus: unknown format {fmt!r} (txt, html or warc)")


def _write_warcs(out: Path, pages: int, seed: int) -> int:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    total = 0
    corpus = iter_corpus(pages, seed)
    for file_no in range((pages + RECORDS_PER_WARC - 1) // RECORDS_PER_WARC):
        path = out / f"crawl-{file_no:05d}.warc.gz"
        with path.open("wb") as fh:
            writer = WARCWriter(fh, gzip=True)
            for _ in range(min(RECORDS_PER_WARC, pages - file_no * RECORDS_PER_WARC)):
                p = next(corpus)
                payload = to_html(p).encode("utf-8")
                headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8"),
                                                      ("Content-Length", str(len(payload)))],
                                           protocol="HTTP/1.1")
                crawled = (p.article.published or date(2020, 1, 1)) + timedelta(days=2)
                record = writer.create_warc_record(
                    p.url, "response", payload=io.BytesIO(payload), http_headers=headers,
                    warc_headers_dict={"WARC-Date": f"{crawled.isoformat()}T12:00:00Z"},
                )
                writer.write_record(record)
        total += path.stat().st_size
    return total


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pages", type=int, required=True, help="number of pages (e.g. 1000, 10000, 100000)")
    ap.add_argument("--format", choices=["txt", "html", "warc"], default="txt")
    ap.add_argument("--out", type=Path, required=True, help="output directory")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = ap.parse_args(argv)
    if args.pages < 1:
        ap.error("--pages must be at least 1")
    size = write_corpus(args.out, args.pages, args.format, args.seed)
    print(f"wrote {args.pages} {args.format} pages ({size / 1e6:.1f} MB) to {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
