"""Re-grouping one assignment's new originals with the stored stories they touch.

``precis.store.storyassign`` surveys the articles (canonical order, copies found);
``Regrouping`` takes the originals from there: their candidate graph with each other
(``precis.cluster.assign.candidate_edges``) and with the stored articles the posting
index returns, the pairs within and across the stored stories the batch touches most
(``REGION_STORIES``), whose members may move, and a few stored articles whose weights
have gone stale since the store grew (``REVISIT``, ``storyindex.STALE_GROWTH``), weighed
again and revisited as if they had just arrived, so that stories formed while the store
was nearly empty are re-grouped with the frequencies of now, as one batch run would
group them. Pair scores are rescaled by local density (``precis.cluster.density``, from
the partners each member keeps), then grouped by average linkage. Stories a user
corrected, and stories over ``REGION_SIZE`` articles, take articles in but are never
split or merged. Copies follow their original. Everything is written on the caller's
connection, in its transaction, and the index (postings, LSH buckets, document
frequencies, re-computed weights, density totals) is updated in it, so the stored
counts only ever cover filed articles.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from precis.cluster import density
from precis.cluster.assign import (
    MAX_CANDIDATES,
    REGION_SIZE,
    REGION_STORIES,
    Member,
    Params,
    candidate_edges,
    index_keys,
    pair_total,
    placements,
    weigh,
    within,
)
from precis.cluster.linkage import Fixed, Group, agglomerate
from precis.store.db import Store
from precis.store.schema import stories, story_articles, story_lsh, story_postings
from precis.store.storyindex import (
    DOC_COUNT_KEY,
    DbIndex,
    add_density_totals,
    count_keys,
    density_totals,
    drop_if_empty,
    new_story,
    stored_weights,
)

# Stored articles with stale weights (``storyindex.STALE_GROWTH``) revisited per
# assignment: their stories are re-grouped with the new articles. Each original is
# revisited O(log(store size)) times in all, so a handful per assignment keeps up.
REVISIT = 8
# A stored article's new place and why, and its copies following it (executemany).
_REGROUP = (
    sa.update(story_articles)
    .where(story_articles.c.article_id == sa.bindparam("aid"))
    .values(
        story_id=sa.bindparam("sid"), score=sa.bindparam("score"), explanation=sa.bindparam("why")
    )
)
_FOLLOW = (
    sa.update(story_articles)
    .where(story_articles.c.duplicate_of == sa.bindparam("aid"))
    .values(story_id=sa.bindparam("sid"))
)


@dataclass(frozen=True, slots=True)
class Placed:
    article_id: int
    story_id: int
    duplicate_of: int | None
    new_story: bool


@dataclass(frozen=True, slots=True)
class Pending:
    """An article about to be assigned, surveyed before the first one is placed."""

    article_id: int
    published: datetime | None
    keys: dict[str, float]  # empty for a copy
    buckets: list[str]
    original: int | None  # the article it copies, if it is a copy


@dataclass(frozen=True, slots=True)
class _Filed:
    """What a new original's member row keeps for later comparisons."""

    keys: dict[str, float]
    weights: dict[str, float]
    docs: int  # the number of original articles the weights were computed with
    partners: dict[str, float]  # its best pair scores (``density.top_partners``)


@dataclass(slots=True)
class _Partners:
    """The best partners of one assignment's graph (each node's density is that of its
    partners), and what it changes of the stored ones."""

    tops: dict[str, dict[str, float]] = field(default_factory=dict)  # where known
    new: dict[str, dict[str, float]] = field(default_factory=dict)  # of the new originals
    changed: dict[int, dict[str, float]] = field(default_factory=dict)  # of stored members
    total: float = 0.0  # added to the stored sum of densities
    count: int = 0  # added to the stored count
    mean: float = 0.0

    def write(self, store: Store, conn: Connection) -> None:
        if self.changed:
            conn.execute(
                sa.update(story_articles)
                .where(story_articles.c.article_id == sa.bindparam("aid"))
                .values(partners=sa.bindparam("p")),
                [{"aid": a, "p": self.changed[a]} for a in sorted(self.changed)],
            )
        add_density_totals(store, conn, self.total, self.count)


class Regrouping:
    """One ``assign``: the batch's candidate graph, the stored stories it touches, the
    grouping, and the writes (all on one connection, in one transaction)."""

    def __init__(
        self, store: Store, params: Params, conn: Connection, batch: Sequence[Pending]
    ) -> None:
        self.store = store
        self.params = params
        self.conn = conn
        self.batch = batch
        self.originals = [item for item in batch if item.original is None]
        unfiled: Counter[str] = Counter()
        for item in self.originals:
            unfiled.update(list(item.keys))
        unfiled[DOC_COUNT_KEY] = len(self.originals)
        self.unfiled = unfiled
        self.index = DbIndex(conn, unfiled)
        self.window = params.window_days

    def run(self) -> list[Placed]:
        order = [str(item.article_id) for item in self.originals]
        n = max(self.index.doc_count(), 1)
        df = self.index.df(sorted(set().union(*(item.keys for item in self.originals))))
        raw = {str(item.article_id): item.keys for item in self.originals}
        weights = {i: weigh(keys, n, df) for i, keys in raw.items()}
        filed = {i: index_keys(w, df) for i, w in weights.items()}
        published = {str(item.article_id): item.published for item in self.originals}
        edges = candidate_edges(order, weights, filed, published, self.window)
        stored = self._stored_candidates(order, weights, filed, published, edges)
        seeds = self._revisit(stored, edges)
        sizes = self.index.story_sizes(sorted({m.story for m in stored.values()}))
        free = self._region(order, seeds, stored, sizes, edges)
        fixed = {
            i: Fixed(m.story, sizes.get(m.story, 1)) for i, m in stored.items() if i not in free
        }
        partners = self._densities(order, seeds, stored, edges)
        edges = density.scale(edges, partners.tops, partners.mean)
        stored_order = sorted(free, key=lambda i: _stored_rank(free[i]))
        groups = agglomerate(stored_order + order, edges, self.params.threshold, fixed)
        keys = _Weights(self.index, {**weights, **{i: m.keys for i, m in free.items()}})
        placed = placements(groups, edges, keys, fixed)
        now = datetime.now(UTC)
        final, created = self._stories(groups, free, now)
        # Stories that gain or lose an article; the others keep their rows as they are.
        changed: set[int] = set()
        for node, story_id in final.items():
            if node not in free:
                changed.add(story_id)
            elif int(free[node].story) != story_id:
                changed |= {story_id, int(free[node].story)}
        moves: list[tuple[Member, int, float, dict[str, object]]] = []
        for group in groups:
            story_id = final[group.members[0]]
            if story_id not in changed:
                continue
            for node in group.members:
                score, why = placed[node]
                if node in free:
                    moves.append((free[node], story_id, score, why))
                else:
                    self._member(
                        int(node),
                        story_id,
                        None,
                        score,
                        why,
                        published[node],
                        _Filed(raw[node], weights[node], n, partners.new[node]),
                    )
        self._regroup(moves)
        for story_id in sorted(changed):
            self._touch(story_id, now)
            drop_if_empty(self.conn, story_id)
        for item in self.originals:
            self._index(item.article_id, filed[str(item.article_id)], item.buckets)
        if self.originals:
            # df += 1 for every key (an upsert, so concurrent writers cannot lose counts)
            count_keys(self.store, self.conn, self.unfiled)
        self.index.write_back(self.store, n)
        partners.write(self.store, self.conn)
        placed_rows: list[Placed] = []
        for item in self.batch:
            if item.original is None:
                story_id = final[str(item.article_id)]
                placed_rows.append(Placed(item.article_id, story_id, None, story_id in created))
                continue
            original = item.original
            story_id = final[str(original)] if str(original) in final else self._story_of(original)
            self._member(
                item.article_id,
                story_id,
                original,
                1.0,
                {"copy_of": original},
                item.published,
            )
            self._touch(story_id, now)
            placed_rows.append(Placed(item.article_id, story_id, original, False))
        return placed_rows

    def _densities(
        self,
        order: Sequence[str],
        seeds: Sequence[str],
        stored: dict[str, Member],
        edges: dict[str, dict[str, float]],
    ) -> _Partners:
        """The density of every node of the graph (``precis.cluster.density``): a new
        article's from its pair scores; a stored one's from the partners it keeps,
        updated with the scores of this assignment (a revisited article's are replaced:
        it was just scored against all its candidates, with the weights of now);
        a stored article filed without partners counts as having the mean density."""
        found = _Partners()
        for article in order:
            found.new[article] = found.tops[article] = density.top_partners(edges[article])
            found.total += density.density(found.new[article].values())
            found.count += 1
        revisited = set(seeds)
        for node, member in stored.items():
            old = member.partners
            if old is None and node not in revisited:
                continue  # never scored pairwise: the mean density
            scored = edges.get(node, {})
            # a revisited article was just scored against all its candidates with weights
            # of now: its old partners were scored with stale ones
            merged = density.top_partners(
                scored if node in revisited else {**(old or {}), **scored}
            )
            value = density.density(merged.values())
            found.tops[node] = merged
            if merged == old:
                continue
            found.changed[int(node)] = merged
            if old is None:
                found.count += 1
                found.total += value
            else:
                found.total += value - density.density(old.values())
        stored_total, stored_count = density_totals(self.conn)
        count = stored_count + found.count
        found.mean = (stored_total + found.total) / count if count else 0.0
        return found

    def _stored_candidates(
        self,
        order: Sequence[str],
        weights: dict[str, dict[str, float]],
        filed: dict[str, list[str]],
        published: dict[str, datetime | None],
        edges: dict[str, dict[str, float]],
    ) -> dict[str, Member]:
        """Stored articles the posting index offers each new article, scored into
        ``edges``."""
        stored: dict[str, Member] = {}
        for article in order:
            self._link(article, weights[article], published[article], filed[article], stored, edges)
        return stored

    def _revisit(self, stored: dict[str, Member], edges: dict[str, dict[str, float]]) -> list[str]:
        """Stored articles whose weights are stale (``REVISIT`` at most, stalest first),
        weighed again and scored against their candidates as if they had just arrived,
        so that ``_region`` re-groups their stories: what the store looked like when
        they were grouped (few articles, every word rare) no longer decides. Returns
        them; ``stored`` and ``edges`` get them and their candidates."""
        stalest = self.index.stalest(REVISIT)
        if not stalest:
            return []
        seeds = {m.id: m for m in self.index.by_id(stalest)}
        for seed in sorted(seeds, key=int):
            member = seeds[seed]
            stored[seed] = Member(seed, member.story, {}, member.published, member.partners)
            filing = self.index.filing(member.keys)
            self._link(seed, member.keys, member.published, filing, stored, edges)
        return sorted(seeds, key=int)

    def _link(
        self,
        article: str,
        weights: Mapping[str, float],
        published: datetime | None,
        filing: Sequence[str],
        stored: dict[str, Member],
        edges: dict[str, dict[str, float]],
    ) -> None:
        """Score ``article`` against the stored articles the posting index offers for
        its index keys (``filing``), within the time window, into ``edges``; ``stored``
        gets them without their weights (a large batch meets many: the members of
        re-grouped stories are read again with theirs, ``_region``)."""
        row = edges.setdefault(article, {})
        for other in self.index.candidates(filing, MAX_CANDIDATES):
            if other.id == article or other.id in row:
                continue
            if within(published, other.published, self.window):
                if other.id not in stored:
                    stored[other.id] = Member(
                        other.id, other.story, {}, other.published, other.partners
                    )
                score = pair_total(weights, other.keys)
                row[other.id] = score
                edges.setdefault(other.id, {})[article] = score

    def _region(
        self,
        order: Sequence[str],
        seeds: Sequence[str],
        stored: dict[str, Member],
        sizes: dict[str, int],
        edges: dict[str, dict[str, float]],
    ) -> dict[str, Member]:
        """The stored articles re-grouped with the batch: every original member of the
        ``REGION_STORIES`` stories each new or revisited article is most tied to (and a
        revisited article's own story), if not corrected and not over ``REGION_SIZE``
        (``sizes``: original articles per story). All pairs within each such story are
        scored, and the pairs across two stories one new or revisited article is tied
        to (it may show they are one story). The other stored candidates' stories stay
        as they are (``fixed`` in ``run``): they take articles in, but are never split
        or merged."""
        ties: list[list[str]] = []
        for article in [*order, *seeds]:
            sums: dict[str, float] = defaultdict(float)
            for other, score in edges[article].items():
                if other in stored:
                    sums[stored[other].story] += score
            tied = sorted(sums, key=lambda s: (-sums[s], int(s)))[:REGION_STORIES]
            if article in seeds and stored[article].story not in tied:
                tied.append(stored[article].story)  # a revisited article's own story
            ties.append(tied)
        touched = {story for tied in ties for story in tied}
        free: dict[str, Member] = {}
        if not touched:
            return free
        locked = self.index.locked(sorted(touched))
        open_stories = sorted(
            (s for s in touched if s not in locked and 0 < sizes.get(s, 0) <= REGION_SIZE),
            key=int,
        )
        members = self.index.originals(open_stories)
        for story in open_stories:
            self._score_pairs(members[story], members[story], edges)
        bridged: set[tuple[str, str]] = set()
        for tied in ties:
            opened = sorted((s for s in tied if s in members), key=int)
            for i, first in enumerate(opened):
                for second in opened[i + 1 :]:
                    if (first, second) not in bridged:
                        bridged.add((first, second))
                        self._score_pairs(members[first], members[second], edges)
        for found in members.values():
            free.update((a.id, a) for a in found)
        stored.update(free)
        return free

    def _score_pairs(
        self, first: Sequence[Member], second: Sequence[Member], edges: dict[str, dict[str, float]]
    ) -> None:
        """Score the pairs of two lists of stored members (of one story: each pair once,
        every score kept; of two stories: the pairs that share something)."""
        same = first is second
        for i, a in enumerate(first):
            for b in second[i + 1 :] if same else second:
                if within(a.published, b.published, self.window):
                    score = pair_total(a.keys, b.keys)
                    if same or score > 0:
                        edges.setdefault(a.id, {})[b.id] = score
                        edges.setdefault(b.id, {})[a.id] = score

    def _stories(
        self, groups: Sequence[Group], free: dict[str, Member], now: datetime
    ) -> tuple[dict[str, int], set[int]]:
        """The story of each group: the fixed story it joined, else the stored story most
        of its members come from (each at most once), else a new one."""
        final: dict[str, int] = {}
        created: set[int] = set()
        claimed: set[int] = set()
        for group in groups:
            if group.fixed is not None:
                story_id = int(group.fixed)
            else:
                olds = Counter(int(free[m].story) for m in group.members if m in free)
                ranked = sorted(olds, key=lambda s: (-olds[s], s))
                choice = next((s for s in ranked if s not in claimed), None)
                if choice is None:
                    story_id = new_story(self.conn, now, corrected=False)
                    created.add(story_id)
                else:
                    story_id = choice
                    claimed.add(choice)
            final.update(dict.fromkeys(group.members, story_id))
        return final, created

    def _regroup(self, moves: list[tuple[Member, int, float, dict[str, object]]]) -> None:
        """Stored articles' new places (their copies follow them) and why: two prebuilt
        statements run for all rows at once (a story that takes an article in has all
        its members' rows rewritten, so there are several per assignment)."""
        if not moves:
            return
        self.conn.execute(
            _REGROUP,
            [
                {"aid": int(m.id), "sid": story_id, "score": score, "why": why}
                for m, story_id, score, why in moves
            ],
        )
        moved = [{"aid": int(m.id), "sid": sid} for m, sid, _, _ in moves if int(m.story) != sid]
        if moved:
            self.conn.execute(_FOLLOW, moved)

    def _member(
        self,
        article_id: int,
        story_id: int,
        duplicate_of: int | None,
        score: float,
        explanation: dict[str, object],
        published: datetime | None,
        filed: _Filed | None = None,
    ) -> None:
        """A new member row; an original (``filed``) keeps its weights, its raw keys and
        the article count the weights were computed with."""
        self.conn.execute(
            sa.insert(story_articles).values(
                article_id=article_id,
                story_id=story_id,
                duplicate_of=duplicate_of,
                pinned=False,
                score=score,
                explanation=explanation,
                weights=stored_weights(filed.weights) if filed else {},
                key_counts=filed.keys if filed else None,
                weighed_docs=filed.docs if filed else None,
                partners=filed.partners if filed else None,
                published=published,
            )
        )

    def _index(self, article_id: int, filed: list[str], buckets: list[str]) -> None:
        """File an article under its index keys and LSH buckets (document frequencies
        are counted once for the whole batch, in ``run``)."""
        if filed:
            self.conn.execute(
                sa.insert(story_postings), [{"key": k, "article_id": article_id} for k in filed]
            )
        if buckets:
            self.conn.execute(
                sa.insert(story_lsh), [{"bucket": b, "article_id": article_id} for b in buckets]
            )

    def _touch(self, story_id: int, now: datetime) -> None:
        self.conn.execute(sa.update(stories).where(stories.c.id == story_id).values(updated_at=now))

    def _story_of(self, article_id: int) -> int:
        found = self.conn.execute(
            sa.select(story_articles.c.story_id).where(story_articles.c.article_id == article_id)
        ).scalar_one()
        return int(found)


class _Weights(Mapping[str, Mapping[str, float]]):
    """Pair weights by article id: those given, else a stored article's, read and weighed
    when first asked for (only explanations need them, for an article whose closest
    fellow member is in a story that was not re-grouped)."""

    def __init__(self, index: DbIndex, known: dict[str, Mapping[str, float]]) -> None:
        self.index = index
        self.known = known

    def __getitem__(self, article_id: str) -> Mapping[str, float]:
        if article_id not in self.known:
            found = self.index.by_id([int(article_id)])
            if not found:
                raise KeyError(article_id)
            self.known[article_id] = found[0].keys
        return self.known[article_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self.known)

    def __len__(self) -> int:
        return len(self.known)


def _stored_rank(member: Member) -> tuple[bool, str, int]:
    """Stored articles come before the batch in the grouping order, oldest first."""
    when = member.published.isoformat() if member.published else ""
    return (member.published is None, when, int(member.id))
