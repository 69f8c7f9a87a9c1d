"""Helpers for wiki tests: small dumps cut from the real jawiki excerpt, hand-made edge-case pages."""

from __future__ import annotations

import bz2
import functools
import re
from collections import Counter
from pathlib import Path
from xml.sax.saxutils import escape

from conftest import shared_path

JAWIKI = "wiki/jawiki-20230501-pages-articles-excerpt.xml.bz2"
VIWIKI = "wiki/viwiki-20230501-pages-articles-excerpt.xml.bz2"
WIKIDATA = "wiki/wikidata-all-head.json.bz2"


def real_xml(rel: str = JAWIKI) -> str:
    return bz2.decompress(shared_path(rel).read_bytes()).decode("utf-8")


def header_of(xml: str) -> str:
    return xml.split("</siteinfo>", 1)[0] + "</siteinfo>\n"


def first_pages(rel: str, n: int) -> list[str]:
    """The first ``n`` real ``<page>`` blocks of a dump."""
    return re.findall(r"  <page>.*?</page>\n", real_xml(rel), flags=re.S)[:n]


def page_xml(page_id: int, title: str, text: str, ns: int = 0, redirect: str | None = None) -> str:
    red = f'    <redirect title="{escape(redirect, {chr(34): "&quot;"})}" />\n' if redirect else ""
    return (f"  <page>\n    <title>{escape(title)}</title>\n    <ns>{ns}</ns>\n    <id>{page_id}</id>\n{red}"
            f"    <revision>\n      <id>{page_id + 1000}</id>\n      <timestamp>2023-05-01T00:00:00Z</timestamp>\n"
            f"      <model>wikitext</model>\n      <format>text/x-wiki</format>\n"
            f'      <text bytes="{len(text.encode())}" xml:space="preserve">{escape(text)}</text>\n'
            f"    </revision>\n  </page>\n")


def write_dump(path: Path, pages: list[str], rel_header: str = JAWIKI, compress: bool = True) -> Path:
    """A dump with the real jawiki header (siteinfo, namespaces) and the given page blocks."""
    xml = header_of(real_xml(rel_header)) + "".join(pages) + "</mediawiki>\n"
    data = xml.encode("utf-8")
    path.write_bytes(bz2.compress(data) if compress else data)
    return path


@functools.lru_cache(maxsize=1)
def ja_articles_cached() -> tuple[list[dict], Counter]:
    """The real jawiki excerpt's articles, parsed once per test session."""
    from corpuslab.wiki.extract import iter_articles

    c: Counter = Counter()
    arts = list(iter_articles(shared_path(JAWIKI), c))
    return arts, c
