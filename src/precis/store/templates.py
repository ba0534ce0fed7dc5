"""Site templates in the store: each article's paragraph fingerprints under its site,
and the stripping that follows from them (the rule: ``precis.text.templates``).

An article is stored without the template its site's *other* stored articles reveal
(``SiteTemplates.clean``), and its paragraphs are filed under its site from the text
extraction gave (``record``). When its paragraphs make a paragraph the site's template
for the first time, the other articles of the site that carry it at an edge lose it too:
their text is updated and they are taken out of their stories (``storyassign.unfile``),
for assignment to place them again with the text of now. All on the caller's connection,
in the transaction that stores the article, so the texts and the counts never disagree.
Which paragraphs are stripped depends on the set of articles stored, not on the order
they came in (deleting an article does not give the others back what they lost:
``precis reextract`` does).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from precis.errors import StoreError
from precis.models import Article
from precis.store.db import AddResult, Store
from precis.store.schema import site_paragraphs
from precis.store.storyassign import unfile
from precis.store.storyindex import chunks
from precis.text import templates


@dataclasses.dataclass(slots=True)
class SiteTemplates:
    store: Store
    conn: Connection

    def clean(self, article: Article, article_id: int | None = None) -> Article:
        """``article`` without the template of its site, as the stored articles of the
        site (other than ``article_id``) show it."""
        site = templates.article_site(article)
        if site is None:
            return article
        own = templates.digests(article.text)
        template = templates.template_of(self._counts(site, own, article_id), own)
        text = templates.strip(article.text, template.__contains__)
        return article if text == article.text else dataclasses.replace(article, text=text)

    def record(self, article_id: int, extracted: Article) -> list[int]:
        """File the paragraphs of ``extracted`` (the article as extraction gave it) under
        its site, in place of any filed before for ``article_id``; strip what became
        the site's template from the other articles of the site. Returns the articles
        whose text changed so (taken out of their stories)."""
        site = templates.article_site(extracted)
        previous = set(
            self.conn.execute(
                sa.select(site_paragraphs.c.digest).where(
                    site_paragraphs.c.article_id == article_id
                )
            ).scalars()
        )
        self.conn.execute(
            sa.delete(site_paragraphs).where(site_paragraphs.c.article_id == article_id)
        )
        if site is None:
            return []
        own = templates.digests(extracted.text)
        if own:
            self.conn.execute(
                sa.insert(site_paragraphs),
                [{"site": site, "digest": d, "article_id": article_id} for d in own],
            )
        others = self._counts(site, own, article_id)
        newly = sorted(
            d for d in set(own) - previous if others.get(d, 0) + 1 == templates.MIN_ARTICLES
        )
        changed = [
            other for other in self._carrying(site, newly, article_id) if self._strip_stored(other)
        ]
        unfile(self.store, self.conn, changed)
        return changed

    def _counts(self, site: str, found: Iterable[str], article_id: int | None) -> dict[str, int]:
        """How many stored articles of ``site``, other than ``article_id``, carry each
        of the fingerprints ``found``."""
        counts: dict[str, int] = {}
        for chunk in chunks(sorted(set(found))):
            query = (
                sa.select(site_paragraphs.c.digest, sa.func.count())
                .where(
                    site_paragraphs.c.site == site,
                    site_paragraphs.c.digest.in_(chunk),
                    site_paragraphs.c.article_id != (article_id or 0),
                )
                .group_by(site_paragraphs.c.digest)
            )
            counts.update((d, int(n)) for d, n in self.conn.execute(query).all())
        return counts

    def _carrying(self, site: str, found: list[str], article_id: int) -> list[int]:
        ids: set[int] = set()
        for chunk in chunks(found):
            query = sa.select(site_paragraphs.c.article_id).where(
                site_paragraphs.c.site == site,
                site_paragraphs.c.digest.in_(chunk),
                site_paragraphs.c.article_id != article_id,
            )
            ids.update(int(a) for a in self.conn.execute(query).scalars())
        return sorted(ids)

    def _strip_stored(self, article_id: int) -> bool:
        """Strip a stored article's site template from its stored text (its own
        fingerprints are those filed for it); whether its text changed. One that would
        then equal another stored article keeps its text."""
        stored = self.store.get_on(self.conn, article_id)
        own = list(
            self.conn.execute(
                sa.select(site_paragraphs.c.digest, site_paragraphs.c.site).where(
                    site_paragraphs.c.article_id == article_id
                )
            ).all()
        )
        if not own:
            return False
        site = own[0].site
        digests = [row.digest for row in own]
        template = templates.template_of(self._counts(site, digests, article_id), digests)
        text = templates.strip(stored.article.text, template.__contains__)
        if text == stored.article.text:
            return False
        try:
            with self.conn.begin_nested():
                self.store.replace_text(
                    article_id, dataclasses.replace(stored.article, text=text), conn=self.conn
                )
        except StoreError:
            return False
        return True


def store_article(store: Store, article: Article) -> tuple[AddResult, list[int]]:
    """Store one extracted article without its site's template (``precis.store.templates``)
    and file its paragraphs under its site, in one transaction (serialised when the
    article has a site, as it may take other articles of the site out of their stories).
    Returns the outcome and the other articles of the site whose text lost a paragraph
    that this one showed to be the site's: they are waiting to be placed in stories again."""
    site = templates.article_site(article)
    with store.serialised() if site is not None else store.engine.begin() as conn:
        sites = SiteTemplates(store, conn)
        result = store.add(sites.clean(article), conn=conn)
        others = sites.record(result.id, article) if result.created else []
    return result, others
