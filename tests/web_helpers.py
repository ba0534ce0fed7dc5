"""Shared by the web tests: a tiny hostile corpus and an app over a temporary store."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from precis.models import Article
from precis.store import Store

XSS = "<script>window.__pwned = 1; document.title = 'pwned'</script>"
IMG = '<img src=x onerror="window.__pwned = 2">'
TOKEN = "s3cret-token"


def hostile_articles() -> list[Article]:
    """Three articles from one source (with markup in every field) and one from another."""
    source = f"Harbor <b>Herald</b> {IMG}"
    return [
        Article(
            title=f"Dock strike {XSS} closes the port",
            text=(
                f"Dock workers walked out on Monday over pay. {XSS} The union said talks had failed.\n"
                f"The port authority said ships would wait offshore. {IMG} Cargo piled up on the quays.\n"
                "Talks resume on Thursday, the union said. <p onclick=alert(1)>broken <i>html"
            ),
            url="javascript:alert(document.cookie)",
            source=source,
            author=f"Ann {IMG} Reporter",
            published=datetime(2026, 10, 27, 9, 0, tzinfo=UTC),
        ),
        Article(
            title="Port reopens after strike",
            text=(
                "The port reopened on Wednesday after the strike ended.\n"
                "Dock workers accepted a pay offer of four per cent. Ships began to unload at dawn."
            ),
            url="https://herald.example/port-reopens",
            source=source,
            published=datetime(2026, 10, 29, 9, 0, tzinfo=UTC),
        ),
        Article(
            title="Harbour fees rise",
            text="The harbour board raised fees for cargo ships. Shipping firms objected.",
            source=source,
            published=datetime(2026, 10, 20, 9, 0, tzinfo=UTC),
        ),
        Article(
            title="Library reopens in Eastbrook",
            text=(
                "The Eastbrook library reopened after a two-year refit.\n"
                "Readers queued from early morning. The mayor cut a ribbon at ten."
            ),
            source="Valley Times",
            published=datetime(2026, 11, 7, 9, 0, tzinfo=UTC),
        ),
    ]


def fill(store: Store) -> list[int]:
    return [store.add(article).id for article in hostile_articles()]


def reader_articles() -> list[Article]:
    """A readable corpus for the browser test (and the README screenshots), plus one
    hostile article from a hostile source."""
    clean = [
        replace(
            article,
            title=article.title.replace(f" {XSS}", ""),
            text=article.text.replace(f" {XSS}", "")
            .replace(f" {IMG}", "")
            .replace(" <p onclick=alert(1)>broken <i>html", ""),
            source="Harbor Herald",
            author=None if article.author is None else "Ann Reporter",
            url=None if article.url and article.url.startswith("javascript:") else article.url,
        )
        for article in hostile_articles()
    ]
    hostile = replace(
        hostile_articles()[0],
        title=f"Ferry fares {XSS} rise",
        text=(
            f"Ferry fares rise by ten per cent from Monday. {XSS} Commuters were not pleased.\n"
            f"The operator blamed fuel costs. {IMG} Fares last rose two years ago.\n"
            "Broken markup follows. <p onclick=alert(1)>broken <i>html"
        ),
        source=f"Metro <i>Wire</i> {IMG}",
        url="javascript:window.__pwned=4",
        published=datetime(2026, 11, 8, 9, 0, tzinfo=UTC),
    )
    return [*clean, hostile]


# A story told by three outlets (12 vs 14 injured), one with markup in its name and title.
HOSTILE_SOURCE = f"Metro <b>Wire</b> {IMG}"


def when(day: int, hour: int) -> datetime:
    return datetime(2026, 10, day, hour, 0, tzinfo=UTC)


FIRE = [
    Article(
        title="Fire destroys Pier 9 warehouse; 12 injured",
        text=(
            "A fire destroyed the Bayline warehouse in Harbor City overnight, "
            "injuring 12 people, officials said.\n"
            "Fire Chief Ronald Baptiste said 90 firefighters fought the Pier 9 blaze.\n"
            "The Bayline warehouse stored furniture and paper."
        ),
        source="Harbor Herald",
        published=when(16, 8),
    ),
    Article(
        title=f"Pier 9 warehouse fire in Harbor City injures 14 {XSS}",
        text=(
            "A fire destroyed the Bayline warehouse in Harbor City overnight, "
            "injuring 14 people, officials said.\n"
            f"Fire Chief Ronald Baptiste said 90 firefighters fought the Pier 9 blaze. {XSS}\n"
            "Residents near the Bayline warehouse were told to keep windows shut."
        ),
        source=HOSTILE_SOURCE,
        published=when(16, 10),
    ),
    Article(
        title="Bayline warehouse at Pier 9 burns in Harbor City",
        text=(
            "A fire destroyed the Bayline warehouse in Harbor City overnight, "
            "injuring 12 people, officials said.\n"
            "Fire Chief Ronald Baptiste said 90 firefighters fought the Pier 9 blaze.\n"
            "Bayline said the warehouse was insured."
        ),
        source="The Daily Ledger",
        published=when(16, 12),
    ),
]
