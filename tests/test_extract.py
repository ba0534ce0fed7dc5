"""Extraction: titles, the metadata header, boilerplate rules, HTML through trafilatura."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from precis.errors import ConfigError, ExtractionError
from precis.extract import Rules, extract
from precis.extract.html import has_prose, one_paragraph_per_line
from precis.extract.text import normalise_newlines
from precis.models import RawDocument

GOLDEN = Path(__file__).parent / "data" / "golden"

# Real-looking article text with the promo and navigation lines outlets wrap around it.
WRAPPED = """\
Massive fire destroys Pier 9 warehouse; 12 injured
Source: Harbor Herald
Author: Marisol Grant
Published: 2026-10-16T12:40:00Z
URL: https://harborherald.example/2026/10/16/pier-9-warehouse-fire

Accept cookies
No time to read? Get a summary
Share this article

A five-alarm fire tore through a warehouse at Pier 9 overnight, injuring 12 people,
Harbor City officials said Friday.

"When the first crews arrived, the roof was already fully involved," Fire Chief Ronald
Baptiste said. Readers can share tips with the newsletter team at the fire marshal's office.

Subscribe to our newsletter
The Harbor Herald Morning Briefing: everything you need to know, before 7 a.m.

Advertisement

Bayline said it would share its records with investigators and that it had signed up to
a cookie-cutter safety program in 2024. Print editions will carry a full list of road closures.

Share this article
Previous Article
Ferry fares to rise 50 cents in January
Next Article
Harbor City FC signs midfielder on two-year deal
"""

BODY = (
    "A five-alarm fire tore through a warehouse at Pier 9 overnight, injuring 12 people, "
    "Harbor City officials said Friday.\n"
    '"When the first crews arrived, the roof was already fully involved," Fire Chief Ronald '
    "Baptiste said. Readers can share tips with the newsletter team at the fire marshal's office.\n"
    "Bayline said it would share its records with investigators and that it had signed up to "
    "a cookie-cutter safety program in 2024. Print editions will carry a full list of road closures."
)


def text_doc(content: str, **metadata: str) -> RawDocument:
    return RawDocument("test.txt", content, "text", metadata)


@pytest.fixture(scope="module")
def rules() -> Rules:
    return Rules.load()


def test_wrapped_article_keeps_exactly_the_article(rules: Rules) -> None:
    article = extract(text_doc(WRAPPED), rules)
    assert article.title == "Massive fire destroys Pier 9 warehouse; 12 injured"
    assert article.text == BODY
    assert article.source == "Harbor Herald"
    assert article.author == "Marisol Grant"
    assert article.published == datetime(2026, 10, 16, 12, 40, tzinfo=UTC)
    assert article.url == "https://harborherald.example/2026/10/16/pier-9-warehouse-fire"
    assert article.raw == WRAPPED
    assert article.raw_type == "text"


@pytest.mark.parametrize(
    "sentence",
    [
        "Subscribers to the newsletter rose by a third after the paper began covering the strike.",
        "Share prices fell 4 per cent on the news.",
        "Print shops and email marketers said the cookie law had cost them customers.",
        "Next, the council will debate the library budget.",
        "Related costs, the mayor said, would fall on taxpayers.",
        "Comments from residents at the meeting were mostly hostile.",
    ],
)
def test_article_sentences_mentioning_promo_words_are_kept(rules: Rules, sentence: str) -> None:
    content = f"Headline of the day\n\nThe first paragraph of the story runs here.\n\n{sentence}\n"
    assert sentence in extract(text_doc(content), rules).text.split("\n")


def test_previous_next_only_take_a_headline_not_a_paragraph(rules: Rules) -> None:
    paragraph = " ".join(["The council met again on Monday to discuss the plan."] * 4)
    content = f"A title\nFirst paragraph here.\nNext article\n{paragraph}\n"
    assert extract(text_doc(content), rules).text == f"First paragraph here.\n{paragraph}"


def test_subscribe_blurb_goes_only_when_adjacent(rules: Rules) -> None:
    content = (
        "A title\n\nFirst paragraph here.\n\nSubscribe to our newsletter\n\n"
        "Short paragraph after a break.\n"
    )
    assert extract(text_doc(content), rules).text == (
        "First paragraph here.\nShort paragraph after a break."
    )


def test_title_detection(rules: Rules) -> None:
    prose = "The mayor said on Tuesday that the budget would pass. It did, narrowly.\n\nMore text."
    untitled = extract(text_doc(prose), rules)
    assert untitled.text.startswith("The mayor said")
    assert untitled.title.startswith("The mayor said on Tuesday")
    titled = extract(text_doc("Budget passes narrowly\n" + prose), rules)
    assert titled.title == "Budget passes narrowly"
    assert titled.text.startswith("The mayor said")
    given = extract(text_doc(prose, title="Given title"), rules)
    assert (given.title, given.text.split("\n")[0]) == ("Given title", prose.split("\n")[0])


def test_hard_wrapped_lines_are_joined_into_paragraphs(rules: Rules) -> None:
    content = "Title\n\nOne paragraph\nwrapped over\nthree lines.\n\nSecond one.\n"
    assert (
        extract(text_doc(content), rules).text
        == "One paragraph wrapped over three lines.\nSecond one."
    )


def test_metadata_given_with_the_input_wins_over_the_header(rules: Rules) -> None:
    content = "Title\nSource: Header Outlet\n\nBody sentence here."
    article = extract(text_doc(content, source="JSONL Outlet", published="2026-01-02"), rules)
    assert article.source == "JSONL Outlet"
    assert article.published == datetime(2026, 1, 2, tzinfo=UTC)


def test_boilerplate_only_text_is_an_extraction_error(rules: Rules) -> None:
    with pytest.raises(ExtractionError, match="no article text"):
        extract(text_doc("Share this article\nAccept cookies\nNext article\n"), rules)


def test_user_rule_file_adds_rules(tmp_path: Path) -> None:
    custom = tmp_path / "rules.toml"
    custom.write_text(
        "[[rule]]\nname = \"listen\"\npattern = '''listen to this (story|article)'''\n"
        '\n[[rule]]\nname = "tail"\npattern = "more on this story"\ncut_rest = true\n'
    )
    content = (
        "Title\n\nListen to this story\nFirst paragraph.\nMore on this story\nLink one\nLink two\n"
    )
    assert extract(text_doc(content), Rules.load()).text.startswith("Listen to this story")
    assert extract(text_doc(content), Rules.load(custom)).text == "First paragraph."


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("not [valid toml", "not valid TOML"),
        ('[[rule]]\nname = "x"\n', "needs a valid 'pattern'"),
        ('[[rule]]\npattern = "(unclosed"\n', "needs a valid 'pattern'"),
        ('[[rule]]\npattern = "x"\ndrop_next = "two"\n', "bad value"),
        ('rule = "x"\n', "use \\[\\[rule\\]\\] tables"),
    ],
)
def test_bad_rule_files_name_the_setting(tmp_path: Path, body: str, message: str) -> None:
    custom = tmp_path / "rules.toml"
    custom.write_text(body)
    with pytest.raises(ConfigError, match=message) as caught:
        Rules.load(custom)
    assert caught.value.key == "PRECIS_BOILERPLATE_RULES"


def test_missing_rule_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        Rules.load(tmp_path / "missing.toml")


# -- HTML ----------------------------------------------------------------------------------


NO_ARTICLE = [
    "<html><head><title>Home</title></head><body><nav><a href='/'>Home</a></nav></body></html>",
    "<html><body><nav><ul><li><a href='/'>Home</a></li><li><a href='/a'>About us</a></li>"
    "<li><a href='/c'>Contact</a></li></ul></nav><div class='grid'><a href='/p/1'>Blue shirt $20</a>"
    "<a href='/p/2'>Red shirt $25</a></div><footer>© 2026 Shop Ltd</footer></body></html>",
    "<html><body><script>document.write('Loading the article for you now.')</script></body></html>",
    "<html><body></body></html>",
]


@pytest.mark.parametrize("page", NO_ARTICLE)
def test_html_without_an_article_is_an_extraction_error(rules: Rules, page: str) -> None:
    with pytest.raises(ExtractionError, match="no article text"):
        extract(RawDocument("p.html", page, "html"), rules)


def test_html_with_a_single_sentence_is_an_article(rules: Rules) -> None:
    page = "<html><body><article><p>The bridge reopens on Monday, officials said.</p></article></body></html>"
    article = extract(RawDocument("p.html", page, "html"), rules)
    assert article.text == "The bridge reopens on Monday, officials said."
    assert (article.raw, article.raw_type) == (page, "html")


@pytest.mark.parametrize("page", sorted(GOLDEN.glob("*.html")), ids=lambda p: p.stem)
def test_golden_pages(page: Path, rules: Rules) -> None:
    """Regenerate with ``PYTHONPATH=src python scripts/regen_golden.py`` after an intended change."""
    expected = json.loads(page.with_suffix(".json").read_text("utf-8"))
    article = extract(RawDocument(page.name, page.read_text("utf-8"), "html"), rules)
    got = {
        "title": article.title,
        "source": article.source,
        "author": article.author,
        "published": article.published.isoformat() if article.published else None,
        "url": article.url,
        "text": article.text,
    }
    assert got == expected
    for leaked in ("<script", "onerror", "alert(", "trackScroll", "cookie", "Related stories"):
        assert leaked not in article.text
    assert "Most read" not in article.text
    assert "Sign up" not in article.text


def test_html_in_a_script_without_spaces_is_prose(rules: Rules) -> None:
    page = (
        "<html><body><article><p>今回はそのKindleデスクトップアプリの使い方を紹介します。</p>"
        "</article></body></html>"
    )
    assert extract(RawDocument("p.html", page, "html"), rules).text.endswith("紹介します。")


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=80),
            st.sampled_from(
                ["", "Share this article", "Next Article", "Subscribe to our newsletter"]
            ),
        ),
        max_size=12,
    )
)
def test_text_extraction_only_removes_words(lines: list[str]) -> None:
    """Any text either extracts or is refused with ExtractionError; the clean text and
    title never hold a word the input did not."""
    content = "\n".join(lines)
    try:
        article = extract(text_doc(content), Rules.load())
    except ExtractionError:
        return
    available = Counter(normalise_newlines(content).split())  # control characters go
    assert not Counter(article.text.split()) - available
    assert article.text.strip() == article.text
    assert article.title


def test_html_dates_never_load_dateparser() -> None:
    """htmldate's extensive search loads every dateparser locale on first use (seconds);
    a page whose only date is an odd string must not trigger it."""
    import subprocess
    import sys

    script = (
        "import sys\n"
        "from precis.extract import Rules, extract\n"
        "from precis.models import RawDocument\n"
        "body = '<p>Posted 3 de marzo de 2026, 10:00</p>' + '<p>The harbour board raised "
        "fees for cargo ships by four per cent, its chair said on Tuesday.</p>' * 3\n"
        "html = '<html><body><article>' + body + '</article></body></html>'\n"
        "extract(RawDocument('x.html', html, 'html', {}), Rules.load(None))\n"
        "print('dateparser' in sys.modules)\n"
    )
    src = str(Path(__file__).resolve().parents[1] / "src")
    done = subprocess.run(
        [sys.executable, "-c", script],
        env={"PYTHONPATH": src, "PATH": ""},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert done.stdout.strip() == "False", done.stderr


def test_html_paragraphs_stay_apart_around_a_whitespace_only_line(rules: Rules) -> None:
    """Trafilatura writes one paragraph per line; a stray whitespace-only line (here from a
    feed box's markup) must not make every line count as hard-wrapped and be joined."""
    paragraphs = [
        f"Paragraph {n} tells how the noodles were cooked, drained and mixed with vegetables."
        for n in range(1, 5)
    ]
    page = (
        "<html><body><article><h1>Noodlecakes</h1>"
        + "".join(f"<p>{p}</p>" for p in paragraphs)
        + "<p><span>Follow the feed</span>\n\t\t\t <span>\t </span><br/>Never miss a recipe.</p>"
        "</article></body></html>"
    )
    article = extract(RawDocument("p.html", page, "html"), rules)
    assert article.text.split("\n")[:4] == paragraphs
    assert all(line.strip() == line and line for line in article.text.split("\n"))


def test_html_article_ending_without_a_stop_is_prose(rules: Rules) -> None:
    """A one-paragraph brief that ends in a source tag has no final stop, but its
    sentences are prose: it is an article, not a menu."""
    brief = (
        "Chef Claude Bosi launched a tirade against his fellow countrymen, calling them "
        '"unimaginative in the kitchen." He plans to open six more pubs. [Telegraph]'
    )
    page = f"<html><body><article><p>{brief}</p></article></body></html>"
    assert extract(RawDocument("p.html", page, "html"), rules).text == brief


@pytest.mark.parametrize(
    "body",
    [
        "Home | News | Sport | Contact us",
        "Copyright 2012 Outlet Inc. All rights reserved",
        "U.S. World Business Tech Science Health",
    ],
)
def test_has_prose_still_refuses_menus_and_footers(body: str) -> None:
    assert not has_prose(body)


BLOG_POST = (
    "<p>Rapson-Inc. makes modern furniture in small batches, and its founder talked to us "
    "about the chair that started the company in 1960.</p>"
    "<p>The studio still builds every piece by hand, from the frame to the final finish.</p>"
)


def _blog_page(title_tag: str, url: str, heading: str = "") -> str:
    return (
        f"<html><head><title>{title_tag}</title>"
        f'<link rel="canonical" href="{url}"/></head><body>'
        f"<div id='content'>{heading}<div class='entry'>{BLOG_POST}</div></div>"
        "<div id='sidebar'><h2 class='widgettitle'>Follow Us!</h2>"
        "<ul><li><a href='/rss'>RSS</a></li><li><a href='/twitter'>Twitter</a></li></ul></div>"
        "</body></html>"
    )


def test_html_title_is_not_a_sidebar_heading(rules: Rules) -> None:
    """Trafilatura takes a sidebar widget's heading ("Follow Us!") for the title of a page
    without an <h1>; the page's <title> element names the post, and the site's name is
    then not the headline either."""
    page = _blog_page(
        "Designer Interview: Rapson-Inc. | Hatch: The Design Public Blog",
        "http://blog.designpublic.com/2012/10/10/designer-interview-rapson-inc/",
    )
    article = extract(RawDocument("p.html", page, "html"), rules)
    assert article.title == "Designer Interview: Rapson-Inc."
    # trafilatura named the site by the headline; the host is named as trafilatura names
    # the site of another post of the blog that has no site name either
    assert article.source == "blog.designpublic.com"


@pytest.mark.parametrize(
    ("title_tag", "url"),
    [
        # the <h1> rewords the <title> element's headline: the <h1> stays
        ("Rapson-Inc. founder on the chair that started it all - Design News", "http://x.test/a"),
        # a blog whose <title> is only its name
        ("The Curious Brain", "http://thecuriousbrain.com/post/1/rapson"),
        # one segment, and the URL does not carry its words
        ("Everything about chairs and tables", "http://x.test/2012/10/rapson-founder"),
    ],
)
def test_html_title_keeps_the_headline_when_the_title_element_does_not_contradict_it(
    rules: Rules, title_tag: str, url: str
) -> None:
    heading = "<h1>The founder of Rapson-Inc. on the chair that started it all</h1>"
    page = _blog_page(title_tag, url, heading)
    article = extract(RawDocument("p.html", page, "html"), rules)
    assert article.title == "The founder of Rapson-Inc. on the chair that started it all"


def test_html_title_headline_part_without_a_url(rules: Rules) -> None:
    """Without a URL, the headline is the first <title> segment that is not a short site
    name ("BBC News - Headline")."""
    page = _blog_page("BBC News - Rapson-Inc. founder talks about his first chair", "")
    page = page.replace('<link rel="canonical" href=""/>', "")
    article = extract(RawDocument("p.html", page, "html"), rules)
    assert article.title == "Rapson-Inc. founder talks about his first chair"


def test_html_title_is_not_the_blog_name_before_a_colon(rules: Rules) -> None:
    """A blog's <title> is often "Blog Name: Post Title" with the blog's name in the
    <h1>; the post's title is what follows the colon."""
    page = (
        "<html><head><title>Seth's Blog: The importance of going first</title></head><body>"
        "<h1>Seth's Blog</h1><div class='post'>"
        "<p>The second person to write a story about a river journey was never the first, "
        "and the first one is the one people remember years later.</p>"
        "<p>In more and more fields, the originator of the idea reaps an outsize share.</p>"
        "</div></body></html>"
    )
    article = extract(RawDocument("p.html", page, "html"), rules)
    assert article.title == "The importance of going first"


def test_html_title_shown_above_the_text_wins(rules: Rules) -> None:
    """A <title> segment that the page shows as the heading of the post is its headline,
    even where trafilatura took the site's name from the <h1>; that heading is not kept
    in the text either."""
    page = (
        "<html><head><title>Sanaa Notebook: al-Qaeda and Electricity | Waq al-Waq | Big Think"
        "</title></head><body><h1>Big Think</h1><div class='post'>"
        "<h2>Sanaa Notebook: al-Qaeda and Electricity</h2>"
        "<p>On Tuesday the lights in Sanaa went out, and this time they stayed off for two "
        "whole days while the city waited.</p>"
        "<p>Usually the lights came back on within hours, but this time they did not.</p>"
        "</div></body></html>"
    )
    article = extract(RawDocument("p.html", page, "html"), rules)
    assert article.title == "Sanaa Notebook: al-Qaeda and Electricity"
    assert not article.text.startswith("Sanaa Notebook")


def test_html_title_shown_first_beats_a_disagreeing_heading_below_it(rules: Rules) -> None:
    """Where the <title> element's headline is shown above the text and a different
    heading (trafilatura's pick) only after it, the first is the post's headline."""
    page = (
        "<html><head><title>Ginnifer Goodwin's Art and Film Gala Makeup</title></head><body>"
        "<div class='post'><p><b>Ginnifer Goodwin's Art and Film Gala Makeup</b></p>"
        "<h2 class='entry-title'>Why Strong Brows Are a Strong Beauty Statement</h2>"
        "<p>You don't have to wear bold colors to make a bold makeup statement, and the "
        "actress proved it at the gala on Saturday night.</p>"
        "<p>Looking to frame your eyes with full brows too? Opt for a brow pencil.</p>"
        "</div></body></html>"
    )
    article = extract(RawDocument("p.html", page, "html"), rules)
    assert article.title == "Ginnifer Goodwin's Art and Film Gala Makeup"


@pytest.mark.parametrize(
    ("line", "dropped"),
    [
        ("|---|---|", True),
        ("| |", True),
        ("| < Prev | | Next > |", True),
        ("| click to enlarge |", True),
        ("| Team | Points |", False),
        ("| Arsenal | 32 |", False),
        ("The score was 3 | 2 at half time.", False),
    ],
)
def test_table_skeleton_rows_go_and_table_data_stays(
    rules: Rules, line: str, dropped: bool
) -> None:
    """Trafilatura's table rows: separators, empty layout cells and paging links carry
    nothing; a results table's rows are facts."""
    text = f"The council met on Monday and approved the budget.\n{line}\nIt takes effect in May."
    assert (line not in rules.clean_lines(text.split("\n"))) is dropped


@pytest.mark.parametrize(
    "paragraph",
    [
        # a German dialogue: the last quote closes with "“"
        "„Ich weiß, ich bin betrunken und sollte das vielleicht nicht sagen…“",
        # Bengali news: sentences end with the danda
        "আজ শনিবার সকাল সাড়ে ৭টার দিকে দৌলতপুর উপজেলার ফিলিপনগর গ্রামে এ ঘটনা ঘটে।",
        # a French quote closed with a guillemet after the stop
        "« Nous ne reviendrons pas sur cette décision, a dit la ministre. »",
    ],
)
def test_html_prose_ends_in_other_scripts_and_quotes(rules: Rules, paragraph: str) -> None:
    """Sentence ends other than the English ones still make a paragraph prose: a page
    whose text ends that way is an article, not a menu."""
    page = f"<html><body><article><h1>Leo</h1><p>{paragraph}</p></article></body></html>"
    assert extract(RawDocument("p.html", page, "html"), rules).text == paragraph


@pytest.mark.parametrize("body", ["Weiterlesen »", "Alle Beiträge anzeigen »"])
def test_has_prose_refuses_a_more_link_ending_in_a_guillemet(body: str) -> None:
    assert not has_prose(body)


GERMAN_POST = (
    "<p>Die Stadt hat am Montag die neue Brücke über den Fluss eröffnet, nach zwei Jahren "
    "Bauzeit und vielen Umleitungen.</p>"
    "<p>Am Abend feierten die Anwohner mit einem Fest am Ufer, bis spät in die Nacht.</p>"
)


def _german_page(head: str, heading: str = "") -> str:
    return (
        f"<html><head>{head}</head><body><div id='content'>{heading}"
        f"<div class='entry'>{GERMAN_POST}</div></div></body></html>"
    )


def test_html_title_never_comes_from_a_script(rules: Rules) -> None:
    """A script that writes a popup's <title> before the page's own: the page's
    <title> element is the one outside the script."""
    script = (
        "<script>function popup(title, imgurl, w, h) { var doc = '';"
        " doc += '<title>' + title + ' - ' + basename(imgurl) + '(' + w + 'x' + h + ')"
        "</title>'; }</script>"
    )
    page = _german_page(f"{script}<title>Neue Brücke über den Fluss eröffnet</title>")
    article = extract(RawDocument("p.html", page, "html"), rules)
    assert article.title == "Neue Brücke über den Fluss eröffnet"


@pytest.mark.parametrize(
    ("head", "url", "title"),
    [
        # the site's name, as the page states it, after the headline
        (
            "<title>Brücke über den Fluss eröffnet - Netz Für Alle Netz Für Alle</title>"
            '<meta property="og:title" content="Brücke über den Fluss eröffnet - Netz Für Alle"/>'
            '<meta property="og:site_name" content="Netz Für Alle"/>',
            "",
            "Brücke über den Fluss eröffnet",
        ),
        # the host's name after the headline (a name made of two words)
        (
            "<title>Rasende Polizisten - Stadt Anzeiger</title>"
            '<meta property="og:title" content="Rasende Polizisten - Stadt Anzeiger"/>',
            "https://www.stadtanzeiger.ch/2019/polizei/",
            "Rasende Polizisten",
        ),
        # the host's name before it
        (
            "<title>BMAS - Impfnachweise geändert</title>"
            '<meta property="og:title" content="BMAS - Impfnachweise geändert"/>',
            "https://www.bmas.de/DE/Presse/regeln.html",
            "Impfnachweise geändert",
        ),
        # a separator left dangling where the site's name was
        ("<title>82 Gründe zum weiter hören |</title>", "", "82 Gründe zum weiter hören"),
        # a "site name" that is the end of the headline (trafilatura's guess from the
        # <title>, for a page that names no site) stays
        (
            "<title>Naschtüte: Love is War - Sehnsucht von R. K. Lilley</title>"
            '<meta property="og:title" content="Love is War - Sehnsucht von R. K. Lilley"/>',
            "",
            "Love is War - Sehnsucht von R. K. Lilley",
        ),
    ],
)
def test_html_title_without_the_site_name(rules: Rules, head: str, url: str, title: str) -> None:
    """Pages whose og:title (trafilatura's title) is the whole <title>, site name and
    all: the stored headline leaves the site's name out where the page names the site
    or the host spells it."""
    canonical = f'<link rel="canonical" href="{url}"/>' if url else ""
    page = _german_page(head + canonical)
    article = extract(RawDocument("p.html", page, "html"), rules)
    assert article.title == title


def test_html_text_and_title_are_nfc(rules: Rules) -> None:
    """A page typed with combining marks ("u" + U+0308) reads like one typed with the
    composed letters ("ü"), as trafilatura's own ``extract`` returns it: a search for
    "geprüft" finds it and the <title> agrees with the headline."""
    decomposed = "Babyschalen werden gepru\u0308ft, ob die Gurtla\u0308nge im Fahrzeug ausreicht."
    page = (
        "<html><head><title>Kindersitze gepru\u0308ft - ADAC</title></head><body><article>"
        f"<h1>Kindersitze gepru\u0308ft</h1><p>{decomposed}</p></article></body></html>"
    )
    article = extract(RawDocument("p.html", page, "html"), rules)
    assert article.text == "Babyschalen werden geprüft, ob die Gurtlänge im Fahrzeug ausreicht."
    assert article.title == "Kindersitze geprüft"


@pytest.mark.parametrize("space", ["\u00a0", "\u202f", "\u2009", "\u2007", "\u3000"])
def test_a_no_break_or_thin_space_separates_words(rules: Rules, space: str) -> None:
    # JSON feeds carry "the\u00a0Supreme Court\u00a0ruled": dropping the character as
    # unprintable glued "theSupreme Courtruled", which no search or story match finds
    text = f"On Monday the{space}Supreme Court{space}ruled for the officers."
    article = extract(text_doc(text, title="Court rules"), rules)
    assert article.text == "On Monday the Supreme Court ruled for the officers."


@pytest.mark.parametrize(
    ("line", "dropped"),
    [
        # A wire service's reprint notice around the article.
        ("This copy is for your personal, non-commercial use only.", True),
        (
            "To order presentation-ready copies for distribution to your colleagues, clients "
            "or customers, visit www.example-reprints.com.",
            True,
        ),
        ("Follow @examplenews for breaking news and headlines.", True),
        # A blog's tag list, and its entry navigation ("« older | Main | newer »").
        ("Labels: gardening, garden tools, spring planting", True),
        ("Filed under: Local News", True),
        ("« Our trip to Lisbon | Main | Notes from the harbour festival »", True),
        ("« Our trip to Lisbon | Main", True),
        ("Previous post: Our trip to Lisbon", True),
        ("Next post: Notes from the harbour festival", True),
        ("TrackBack URL for this entry: http://blog.example.com/trackback/6a00d8", True),
        # Calls to click or to follow the blog's feed, one sentence on their own line.
        ("Click here to see the original post in full.", True),
        ("Click here to get your free copy", True),
        (
            "If you would like to keep up with the daily updates, you can subscribe to the "
            "RSS feed by reader or e-mail.",
            True,
        ),
        ("Subscribe to comments on this entry Post a comment", True),
        ("Check back for news roundups and subscribe to our YouTube channel for video.", True),
        # Slashdot's joke department line under a story's headline.
        ("from the cats-walk-on-keyboards dept.", True),
        # Article sentences that start with the same words stay.
        ("Labels on food packages will change next year, the agency said.", False),
        ("from the dept. of transport, a letter arrived on Monday.", False),
        ("An investor does not have to subscribe to any one strategy.", False),
        ("Click here, the sign said, and thousands of readers did. The site crashed.", False),
        ("Follow the money, the senator told reporters on Tuesday.", False),
        ("Filed under a false name, the claim was rejected by the court.", False),
        ("The main hall | Main Street entrance was closed all week.", False),
    ],
)
def test_reprint_notices_tag_lists_and_entry_navigation_go(
    rules: Rules, line: str, dropped: bool
) -> None:
    """Lines that summaries of real pages picked (docs/benchmarks.md, "Summaries of real
    web pages"): they frame the article and say nothing about its story."""
    text = f"The council met on Monday and approved the budget.\n{line}\nIt takes effect in May."
    assert (line not in rules.clean_lines(text.split("\n"))) is dropped


def test_html_hard_wrapped_text_is_joined_into_paragraphs(rules: Rules) -> None:
    """A blog post written straight into a <div> keeps its source's line breaks, and
    trafilatura passes them on: a line that breaks off mid-sentence ("from this
    lovely") and a next line that carries on in lower case are one paragraph. As
    separate paragraphs, "makes beautiful clocks..." became a summary sentence that
    starts mid-thought, its subject (a link's text) left on the line before."""
    page = (
        "<html><head><title>A giveaway with Harbour Clocks</title></head><body><div>"
        "<h2>A giveaway with Harbour Clocks</h2><div class='entry-body'>"
        "We are so excited to bring you a giveaway from this lovely\r\n"
        "online clock store. <a href='http://example.com/'>Harbour Clocks</a>\r\n"
        "makes beautiful clocks inspired by the northern coast. They have six\r\n"
        "styles now, and they are looking to make even more available. Check\r\n"
        "out their <a href='http://example.com/k'>crowdfunding page</a>\r\n"
        "to see how you can get a new design before anyone else.<br/><br/>"
        "Today we are giving one lucky winner two clocks of their choosing. The giveaway\r\n"
        "is open until the end of the month.</div></div></body></html>"
    )
    article = extract(RawDocument("p.html", page, "html"), rules)
    assert article.text.split("\n") == [
        "We are so excited to bring you a giveaway from this lovely online clock store. "
        "Harbour Clocks makes beautiful clocks inspired by the northern coast. They have "
        "six styles now, and they are looking to make even more available. Check out their "
        "crowdfunding page to see how you can get a new design before anyone else.",
        "Today we are giving one lucky winner two clocks of their choosing. The giveaway is "
        "open until the end of the month.",
    ]


@pytest.mark.parametrize(
    "lines",
    [
        ["Ingredients", "- 2 cups flour", "- salt and pepper"],  # a list stays a list
        ["- olive oil", "salt to taste"],  # an item with its bullet lost after another
        ["pip install -r requirements.txt", "flask==1.0.3", "dateutils==0.6.6"],  # code
        ["The vote was close.", "iPhone sales fell 3% in May."],  # a sentence ends
        ["Results", "| team | points |"],  # a table row
        ["About Acme", "acme makes open source tools for newsrooms."],  # a heading
    ],
)
def test_html_lines_that_are_not_wrapped_stay_apart(lines: list[str]) -> None:
    assert one_paragraph_per_line(lines).split("\n") == lines


@pytest.mark.parametrize(
    ("site", "url", "source"),
    [
        # a copyright notice in the site-name field (seen on a news site's pages)
        ("Copyright (c) 2012 ABC Internet Ventures", "", "ABC Internet Ventures"),
        ("© 2010-2012 Harbour Media, Inc. All Rights Reserved.", "", "Harbour Media, Inc."),
        # nothing but the notice: the host, as for a page that names no site
        ("Copyright (c) 2012", "https://www.harbour.example/a/1", "harbour.example"),
        # the name before a long tagline
        (
            "Harbour Blog - Real Estate Market Stats, Celebrity Homes, and Harbour News",
            "",
            "Harbour Blog",
        ),
        # a sentence is a tagline, not a name
        (
            "We are marketing and customer strategy consultants with a passion for profit.",
            "https://consult.example/post",
            "consult.example",
        ),
        # names with years or separators of their own stay as they are
        ("1843 Magazine", "", "1843 Magazine"),
        ("Mady Morrison - Yoga Lifestyle", "", "Mady Morrison - Yoga Lifestyle"),
    ],
)
def test_html_source_is_the_sites_name_not_its_notice(
    rules: Rules, site: str, url: str, source: str
) -> None:
    """What pages put in og:site_name besides their name: the stored source is the name."""
    canonical = f'<link rel="canonical" href="{url}"/>' if url else ""
    head = (
        f'<title>Neue Brücke über den Fluss eröffnet</title><meta property="og:site_name" '
        f'content="{site}"/>{canonical}'
    )
    article = extract(RawDocument("p.html", _german_page(head), "html"), rules)
    assert article.source == source
