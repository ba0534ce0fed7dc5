"""Site templates in the store: each article's paragraph fingerprints under its site
(``site_paragraphs``), and which of them are its site's template (the rule:
``precis.text.templates``).

The stored text stays as extraction gave it: the template is left out of what story
assignment compares (``template_of``, read by ``precis.store.storyassign`` and the index
rebuild), not out of the article. Stripping the text itself would change what makes
two articles the same: a wire copy whose only difference from the original is the
credit line its site adds to every copy would become the original's text, and one of
the two would be refused as already stored.

``record`` files an article's paragraphs and says which other articles of its site carry
a paragraph that has just become the site's template: their stories were decided with
it, so they are to be placed again (``precis.store.filing``). Which paragraphs count as
template depends on the articles stored, not on the order they came in.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from precis.models import Article
from precis.store.schema import articles, site_paragraphs
from precis.store.storyindex import chunks
from precis.text import templates


@dataclass(frozen=True, slots=True)
class SiteTemplates:
    """The site paragraph counts, on the caller's connection (in its transaction);
    ``least``: the titles a template takes (setting ``template_min_titles``)."""

    conn: Connection
    least: int

    def record(self, article_id: int, article: Article) -> list[int]:
        """File the paragraphs of ``article`` under its site, in place of any filed
        before for ``article_id``. Returns the other articles of the site that carry a
        paragraph this one made the site's template."""
        filed = self.conn.execute(
            sa.select(
                site_paragraphs.c.site, site_paragraphs.c.title, site_paragraphs.c.digest
            ).where(site_paragraphs.c.article_id == article_id)
        ).all()
        previous = {row.digest for row in filed}
        site = templates.article_site(article)
        own = templates.digests(article.text) if site is not None else []
        mine = templates.title_key(article.title)
        if {(r.site, r.title) for r in filed} == {(site, mine)} and previous == set(own):
            return []  # filed as it is (``precis reextract`` of an unchanged article)
        self.conn.execute(
            sa.delete(site_paragraphs).where(site_paragraphs.c.article_id == article_id)
        )
        if site is None:
            return []
        if own:
            self.conn.execute(
                sa.insert(site_paragraphs),
                [{"site": site, "digest": d, "article_id": article_id, "title": mine} for d in own],
            )
        others = self._titles(site, own, exclude=article_id)
        newly = sorted(
            d for d in set(own) - previous if templates.tips(others.get(d, set()), mine, self.least)
        )
        return self._carrying(site, newly, article_id)

    def forget(self, article_id: int) -> list[int]:
        """The other articles of the site that carry a paragraph which stops being the
        site's template once ``article_id`` is gone (called before deleting it)."""
        rows = self.conn.execute(
            sa.select(
                site_paragraphs.c.site, site_paragraphs.c.digest, site_paragraphs.c.title
            ).where(site_paragraphs.c.article_id == article_id)
        ).all()
        if not rows:
            return []
        site, mine = rows[0].site, rows[0].title
        own = [row.digest for row in rows]
        others = self._titles(site, own, exclude=article_id)
        lost = sorted(d for d in own if templates.tips(others.get(d, set()), mine, self.least))
        return self._carrying(site, lost, article_id)

    def file_many(self, article_ids: Sequence[int]) -> None:
        """File the paragraphs of many stored articles at once (``precis load``, ``precis
        import``: the batch that grouped them counted their templates over all of them),
        in place of any filed before; no article is reopened."""
        for chunk in chunks([str(a) for a in article_ids]):
            ids = [int(a) for a in chunk]
            self.conn.execute(
                sa.delete(site_paragraphs).where(site_paragraphs.c.article_id.in_(ids))
            )
            rows = self.conn.execute(
                sa.select(
                    articles.c.id,
                    articles.c.url,
                    articles.c.source,
                    articles.c.title,
                    articles.c.text,
                ).where(articles.c.id.in_(ids))
            ).all()
            values = [
                {
                    "site": site,
                    "digest": d,
                    "article_id": int(r.id),
                    "title": templates.title_key(r.title),
                }
                for r in rows
                if (site := templates.site_of(r.url, r.source)) is not None
                for d in templates.digests(r.text)
            ]
            if values:
                self.conn.execute(sa.insert(site_paragraphs), values)

    def template_of(self, article_ids: Sequence[int]) -> dict[int, set[str]]:
        """For each article with filed paragraphs, the fingerprints of those that are its
        site's template (one count query per chunk of fingerprints, whatever the number
        of sites)."""
        filed = self._filed(article_ids)
        wanted = sorted({d for _, digests in filed.values() for d in digests})
        counts: dict[tuple[str, str], int] = {}
        for chunk in chunks(wanted):
            titles = sa.func.count(sa.distinct(site_paragraphs.c.title))
            query = (
                sa.select(site_paragraphs.c.site, site_paragraphs.c.digest, titles)
                .where(site_paragraphs.c.digest.in_(chunk))
                .group_by(site_paragraphs.c.site, site_paragraphs.c.digest)
            )
            counts.update(((site, d), int(n)) for site, d, n in self.conn.execute(query).all())
        return {
            article_id: {
                d for d in digests if templates.enough(counts.get((site, d), 0), self.least)
            }
            for article_id, (site, digests) in filed.items()
        }

    def _filed(self, article_ids: Sequence[int]) -> dict[int, tuple[str, list[str]]]:
        found: dict[int, tuple[str, list[str]]] = {}
        for chunk in chunks([str(a) for a in article_ids]):
            query = sa.select(
                site_paragraphs.c.article_id, site_paragraphs.c.site, site_paragraphs.c.digest
            ).where(site_paragraphs.c.article_id.in_([int(a) for a in chunk]))
            for article_id, site, digest in self.conn.execute(query).all():
                found.setdefault(int(article_id), (site, []))[1].append(digest)
        return found

    def _titles(self, site: str, found: Iterable[str], exclude: int) -> dict[str, set[str]]:
        """The titles (``templates.title_key``) of the stored articles of ``site``, other
        than ``exclude``, that carry each of the fingerprints ``found``."""
        titles: dict[str, set[str]] = {}
        for chunk in chunks(sorted(set(found))):
            query = (
                sa.select(site_paragraphs.c.digest, site_paragraphs.c.title)
                .where(
                    site_paragraphs.c.site == site,
                    site_paragraphs.c.digest.in_(chunk),
                    site_paragraphs.c.article_id != exclude,
                )
                .distinct()
            )
            for d, title in self.conn.execute(query).all():
                titles.setdefault(d, set()).add(title)
        return titles

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


def story_text(text: str, template: set[str] | None) -> str:
    """What story assignment compares of a stored text: without its site's template."""
    return templates.strip(text, template.__contains__) if template else text
