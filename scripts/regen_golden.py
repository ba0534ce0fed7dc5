"""Regenerate the expected extraction output of the golden HTML pages.

Run from the repository root after an intended change to extraction::

    PYTHONPATH=src python scripts/regen_golden.py

and review the diff of ``tests/data/golden/*.json`` before committing it: the golden
test (tests/test_extract_golden.py) fails on any change that is not regenerated.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from precis.extract import Rules, extract
from precis.models import RawDocument

GOLDEN = Path(__file__).resolve().parents[1] / "tests" / "data" / "golden"


def expected(page: Path) -> dict[str, Any]:
    """What the golden test compares: the article's fields as JSON."""
    raw = RawDocument(page.name, page.read_text("utf-8"), "html")
    article = extract(raw, Rules.load())
    return {
        "title": article.title,
        "source": article.source,
        "author": article.author,
        "published": article.published.isoformat() if article.published else None,
        "url": article.url,
        "text": article.text,
    }


def main() -> int:
    for page in sorted(GOLDEN.glob("*.html")):
        target = page.with_suffix(".json")
        target.write_text(
            json.dumps(expected(page), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
