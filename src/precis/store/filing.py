"""Storing and deleting one article: its row, its paragraphs under its site
(``precis.store.templates``), and the stories a change reopens.

When an article makes a paragraph its site's template (the third article of a blog with
the same offers column under the post), the site's other articles carrying it were
placed in stories while that paragraph still counted as their words: they are taken out
of their stories (``storyassign.unfile``) in the same transaction, and wait for the next
assignment to place them again without it. ``precis add`` assigns them at once; a feed
poll at the end of the poll.

Deleting an article takes it out of the story index first (its document frequencies,
postings, density), with its copies, which are placed again: one of them becomes the
original (before, they stayed "copies" of an article that no longer existed, in a story
with no original and no independent source). The articles of its site whose template
stops being one without it are reopened too.
"""

from __future__ import annotations

from contextlib import AbstractContextManager

from sqlalchemy.engine import Connection

from precis.models import Article
from precis.store.db import AddResult, Store
from precis.store.storyassign import unfile
from precis.store.templates import SiteTemplates
from precis.text.templates import article_site


def _writing(store: Store, article: Article) -> AbstractContextManager[Connection]:
    """The transaction that files ``article``: serialised with story assignment when it
    has a site (filing it may take other articles out of their stories), else plain."""
    if article_site(article) is None:
        return store.engine.begin()
    return store.serialised()


def store_article(
    store: Store, article: Article, template_titles: int
) -> tuple[AddResult, list[int]]:
    """Store ``article`` (unless it is already stored) and file its paragraphs under its
    site, in one transaction, serialised when the article has a site (it may take other
    articles out of their stories). ``template_titles`` is the setting
    ``template_min_titles``. Returns the outcome and the articles reopened (taken out of
    their stories, with their copies)."""
    with _writing(store, article) as conn:
        result = store.add(article, conn=conn)
        sites = SiteTemplates(conn, template_titles)
        carrying = sites.record(result.id, article) if result.created else []
        reopened = unfile(store, conn, carrying)
    return result, reopened


def refile_paragraphs(
    store: Store, article_id: int, article: Article, template_titles: int, *, replace: bool
) -> list[int]:
    """File the paragraphs of a re-extracted article anew, storing it first when
    ``replace`` (``Store.replace_text``), in one transaction; returns the articles
    reopened (itself too when what is its site's template changed)."""
    with _writing(store, article) as conn:
        if replace:
            store.replace_text(article_id, article, conn=conn)
        sites = SiteTemplates(conn, template_titles)
        before = sites.template_of([article_id]).get(article_id, set())
        carrying = sites.record(article_id, article)
        if sites.template_of([article_id]).get(article_id, set()) != before:
            carrying.append(article_id)  # its own keys were decided with another template
        return unfile(store, conn, carrying)


def delete_article(store: Store, article_id: int, template_titles: int) -> list[int]:
    """Delete an article, taking it and its copies out of their stories first, with the
    articles of its site whose template it was needed for (their keys change), in one
    serialised transaction; returns the articles reopened, which wait to be placed
    again."""
    with store.serialised() as conn:
        carrying = SiteTemplates(conn, template_titles).forget(article_id)
        reopened = unfile(store, conn, [article_id, *carrying])
        store.delete(article_id, conn=conn)
    return [a for a in reopened if a != article_id]
