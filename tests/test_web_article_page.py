"""The article page's markup, pinned: what the reader's script and links rely on.

The article body is built in Python (``render.article_body``) rather than by a template
loop, and the page is served on the event loop; these tests pin the page's important
content as the template version rendered it (sentence spans, highlighting, neighbour
links, escaping) so that a faster path cannot change it silently.
"""

from __future__ import annotations

import dataclasses
import html
import re

from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st

from precis.config import Settings
from precis.store import Store
from precis.text.sentences import paragraphs, parse
from precis.web import create_app
from precis.web.render import article_body

# As the Jinja template rendered them before the body moved to Python (whitespace
# between tags collapsed to one space).
HOSTILE_BODY = (
    '<div class="text"> <p><span class="s" id="s0" data-index="0">Dock workers walked out on'
    ' Monday over pay.</span> <span class="s" id="s1" data-index="1">&lt;script&gt;window.__pwned'
    " = 1; document.title = &#39;pwned&#39;&lt;/script&gt; The union said talks had"
    ' failed.</span></p> <p><span class="s" id="s2" data-index="2">The port authority said ships'
    ' would wait offshore.</span> <span class="s" id="s3" data-index="3">&lt;img src=x'
    " onerror=&#34;window.__pwned = 2&#34;&gt; Cargo piled up on the quays.</span></p> <p><span"
    ' class="s" id="s4" data-index="4">Talks resume on Thursday, the union said.</span> <span'
    ' class="s" id="s5" data-index="5">&lt;p onclick=alert(1)&gt;broken &lt;i&gt;html</span></p>'
    " </div>"
)
HIGHLIGHTED_BODY = (
    '<div class="text"> <p><span class="s hl" id="s0" data-index="0">The port reopened on'
    ' Wednesday after the strike ended.</span></p> <p><span class="s" id="s1" data-index="1">Dock'
    ' workers accepted a pay offer of four per cent.</span> <span class="s" id="s2"'
    ' data-index="2">Ships began to unload at dawn.</span></p> </div>'
)
HOSTILE_SOURCE = (
    "Harbor &lt;b&gt;Herald&lt;/b&gt; &lt;img src=x onerror=&#34;window.__pwned = 2&#34;&gt;"
)
FIXED_TAGS = re.compile(r'</?p>|<span class="s( hl)?" id="s(\d+)" data-index="\2">|</span>')


def squeeze(page: str) -> str:
    return re.sub(r"\s+", " ", page)


def body_of(page: str) -> str:
    found = re.search(r'<div class="text">.*?</div>', squeeze(page))
    assert found is not None, page
    return found.group(0)


def test_article_body_markup_is_pinned(client: TestClient, ids: list[int]) -> None:
    page = client.get(f"/articles/{ids[0]}")
    assert page.status_code == 200
    assert body_of(page.text) == HOSTILE_BODY
    assert 'data-sentences="6"' in page.text
    shown = client.get(f"/articles/{ids[1]}", params={"sentences": 1}).text
    assert body_of(shown) == HIGHLIGHTED_BODY


def test_article_page_neighbours_and_fields_are_pinned(client: TestClient, ids: list[int]) -> None:
    page = squeeze(client.get(f"/articles/{ids[0]}").text)
    assert (
        f'<nav class="pager neighbours" aria-label="More from {HOSTILE_SOURCE}"> <a'
        f' id="previous-article" rel="prev" href="/articles/{ids[2]}">← Harbour fees rise</a><a'
        f' id="next-article" rel="next" href="/articles/{ids[1]}">Port reopens after strike →</a>'
        " </nav>"
    ) in page
    assert f'<div class="nav-label meta">More from {HOSTILE_SOURCE}</div>' in page
    assert (
        "<h1>Dock strike &lt;script&gt;window.__pwned = 1; document.title = &#39;pwned&#39;"
        "&lt;/script&gt; closes the port</h1>"
    ) in page
    assert f'data-api="/api/articles/{ids[0]}/quotes"' in page
    assert f'href="/articles/{ids[0]}?summary=true#summary"' in page


def test_missing_article_is_a_404_page(client: TestClient) -> None:
    assert client.get("/articles/424242").status_code == 404


# Text with the characters markup is made of, in sentences and paragraphs.
MARKUP_TEXT = st.lists(
    st.sampled_from([*"ab <>&\"'=/.!?;\n", "<script>", "</span>", "&amp;", "Dr. ", "Cats sat. "]),
    min_size=1,
    max_size=40,
).map("".join)


@given(MARKUP_TEXT, st.sets(st.integers(0, 8)))
@settings(max_examples=200, deadline=None)
def test_article_body_escapes_everything_and_keeps_every_sentence(
    text: str, highlighted: set[int]
) -> None:
    doc = parse(text)
    body = str(article_body(doc, frozenset(highlighted)))
    # Only the fixed tags are markup: what remains has no tag, quote or bare ampersand.
    rest = FIXED_TAGS.sub("", body)
    assert not re.search(r"[<>\"']|&(?!(amp|lt|gt|#34|#39);)", rest), body
    # The paragraphs read back exactly, and every sentence is its own span.
    shown = [html.unescape(FIXED_TAGS.sub("", p)) for p in body.split("</p>\n") if p]
    assert shown == [text[p.start : p.end] for p in paragraphs(text)]
    spans = re.findall(r'<span class="s( hl)?" id="s(\d+)" data-index="\d+">(.*?)</span>', body)
    assert [int(i) for _, i, _ in spans] == list(range(len(doc.sentences)))
    assert [html.unescape(t) for _, _, t in spans] == [text[s.start : s.end] for s in doc.sentences]
    assert {int(i) for hl, i, _ in spans if hl} == highlighted & set(range(len(doc.sentences)))


def test_neighbours_in_one_query_match_stepping_one_side_at_a_time(any_store: Store) -> None:
    """Both neighbours come from one statement; they must be what stepping to each side
    alone finds: (published, id) order within the source, ties broken by id, undated
    and source-less articles among their own kind."""
    from datetime import UTC, datetime

    from precis.models import Article
    from precis.store import navigation

    noon = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    specs = [("A", noon), ("A", noon), ("A", noon.replace(hour=9)), ("A", noon.replace(hour=15))]
    specs += [("A", None), ("A", None), ("B", noon), (None, noon), (None, noon.replace(hour=13))]
    ids = [
        any_store.add(Article(title=f"t{n}", text=f"Text {n}.", source=source, published=at)).id
        for n, (source, at) in enumerate(specs)
    ]

    def found(n: int) -> tuple[int | None, int | None]:
        near = navigation.neighbours(any_store, any_store.get(ids[n]))
        return (
            near.previous.id if near.previous else None,
            near.next.id if near.next else None,
        )

    assert found(0) == (ids[2], ids[1])  # same time: the lower id is older
    assert found(1) == (ids[0], ids[3])
    assert found(2) == (None, ids[0])
    assert found(3) == (ids[1], None)
    assert found(4) == (None, ids[5])  # undated: by id among the undated
    assert found(6) == (None, None)  # alone in its source
    assert found(7) == (None, ids[8])  # no source: among the source-less


def test_get_without_raw_leaves_out_only_the_source_document(store: Store) -> None:
    from precis.models import Article

    added = store.add(
        Article(title="T", text="Body text.", raw="<html>big</html>", raw_type="html", origin="x")
    ).id
    whole, light = store.get(added), store.get(added, raw=False)
    assert whole.article.raw == "<html>big</html>"
    assert light.article.raw is None
    assert light.article.raw_type == "html"
    assert light == dataclasses.replace(whole, article=dataclasses.replace(whole.article, raw=None))


def test_summary_api_answers_the_same_from_the_cache(client: TestClient, ids: list[int]) -> None:
    """A miss is computed in the thread pool, a hit read on the loop: same answer."""
    for params in ({"sentences": 2}, {"words": 12, "method": "lead"}, {}):
        first = client.get(f"/api/articles/{ids[1]}/summary", params=params)
        again = client.get(f"/api/articles/{ids[1]}/summary", params=params)
        assert first.status_code == 200, first.text
        assert again.json() == first.json()
    unknown = client.get(f"/api/articles/{ids[1]}/summary", params={"method": "nope"})
    assert unknown.status_code == 400
    assert client.get("/api/articles/424242/summary").status_code == 404


def test_inline_reads_serve_the_same_pages(
    settings: Settings, store: Store, ids: list[int]
) -> None:
    """With ``inline_reads`` the article page and cached summaries run on the event loop;
    what they answer (errors included) is what the thread-pool path answers."""
    pooled = dataclasses.replace(settings, inline_reads=False)
    inline = dataclasses.replace(settings, inline_reads=True)
    paths = [f"/articles/{i}" for i in ids] + [
        f"/articles/{ids[1]}?sentences=2",
        f"/api/articles/{ids[1]}/summary",
        f"/api/articles/{ids[1]}/summary",  # the second one is a cache hit
        "/articles/424242",
        "/api/articles/424242/summary",
    ]
    answers = {}
    for chosen in (pooled, inline):
        with TestClient(create_app(chosen, store)) as client:
            assert client.app.state.reader.reads_inline is chosen.inline_reads  # type: ignore[attr-defined]
            answers[chosen.inline_reads] = [
                (r.status_code, r.text) for r in (client.get(path) for path in paths)
            ]
    assert answers[True] == answers[False]
    assert [status for status, _ in answers[True]][-2:] == [404, 404]
