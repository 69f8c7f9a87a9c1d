"""MediaWiki XML dumps as a source: one document per main-namespace, non-redirect article.

A thin layer over :func:`corpuslab.wiki.extract.iter_articles` (mwxml + mwparserfromhell), so stage-1
sampling and the wiki workflow see the same plain text.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from typing import Any

from corpuslab.wiki.extract import iter_articles


def iter_mediawiki_docs(
    path: str | os.PathLike[str], counters: Counter[str] | None = None, with_links: bool = False,
    skip_empty: bool = True,
) -> Iterator[dict[str, Any]]:
    """``{"text", "title", "page_id", "language"[, "url", "links"]}`` per article, streamed.

    ``language`` comes from the dump's siteinfo (``jawiki`` → ``ja``). Truncated streams and pages
    with broken wikitext are counted in ``counters`` (see ``iter_articles``), never raised. Articles that
    render to empty text are skipped unless ``skip_empty=False``.
    """
    for art in iter_articles(path, counters=counters, skip_empty=skip_empty):
        doc = {"text": art["text"], "title": art["title"], "page_id": art["page_id"],
               "language": art.get("language"), "url": art.get("url")}
        if with_links:
            doc["links"] = art["links"]
        yield doc
