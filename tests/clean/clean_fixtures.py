"""Shared inputs of the stage-2 tests.

* Real documents for the DataTrove parity check and the per-language tests, extracted from ../shared/data.
  The texts are never copied into the repository: the committed fixture holds DataTrove's decisions keyed by
  document key plus a SHA-1 of the text, and both the fixture script and the tests rebuild the texts here with
  the same deterministic extraction (selectolax via :func:`corpuslab.clean.normalise.strip_html`,
  mwparserfromhell for wikitext).
* :func:`make_raw`: a tiny stage-1-shaped raw folder (two sources, plan.json) with known duplicates;
  :data:`CONFIG` the filter chain the end-to-end tests run on it; :func:`run_config` a run config over it.
* :func:`records_table`: an Arrow batch of records, the input of ``tag_table``; :data:`PROSE`: English prose.
"""

from __future__ import annotations

import bz2
import functools
import gzip
import hashlib
import html
import json
import re
import tarfile
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa

from corpuslab.clean.config import CleanRunConfig
from corpuslab.clean.normalise import normalise_whitespace, strip_html
from corpuslab.core.shards import ShardWriter, iter_records

MAX_CHARS = 20000
WIKI_RAW_CHARS = 8000  # wikitext parsed per article (mwparserfromhell is slow on long pages)


def sha1(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def _html_text(raw: bytes | str) -> str:
    s = raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else raw
    return normalise_whitespace(strip_html(s))[:MAX_CHARS]


def web_pages(data: Path) -> Iterator[tuple[str, str, str]]:
    with tarfile.open(data / "web/trafilatura-cache-pages.tar.bz2") as t:
        for m in sorted(t.getmembers(), key=lambda m: m.name):
            if m.isfile() and m.name.endswith(".html"):
                yield f"web/{Path(m.name).name}", _html_text(t.extractfile(m).read()), "en"  # type: ignore[union-attr]


def warc_pages(data: Path) -> Iterator[tuple[str, str, str]]:
    raw = gzip.open(data / "web/commoncrawl-excerpt.warc.gz").read()
    pos, i = 0, 0
    while True:
        start = raw.find(b"WARC/1.", pos)
        if start < 0:
            return
        head_end = raw.find(b"\r\n\r\n", start)
        headers = raw[start:head_end].decode("utf-8", errors="replace")
        length = int(re.search(r"Content-Length:\s*(\d+)", headers).group(1))  # type: ignore[union-attr]
        body = raw[head_end + 4 : head_end + 4 + length]
        pos = head_end + 4 + length
        if "WARC-Type: response" in headers:
            http_end = body.find(b"\r\n\r\n")
            text = _html_text(body[http_end + 4 :])
            yield f"warc/{i:03d}", text, "en"
            i += 1


def stackexchange_posts(data: Path, limit: int = 300) -> Iterator[tuple[str, str, str]]:
    with bz2.open(data / "stackexchange/beer.stackexchange-Posts.xml.bz2") as fh:
        rows = [el.attrib for _, el in ET.iterparse(fh) if el.tag == "row"]
    rows.sort(key=lambda r: -len(r.get("Body", "")))
    for r in sorted(rows[:limit], key=lambda r: int(r["Id"])):
        body = _html_text(html.unescape(r.get("Body", "")))
        title = r.get("Title")
        yield f"stackexchange/{r['Id']}", (f"{title}\n\n{body}" if title else body), "en"


def wiki_articles(data: Path, lang: str, limit: int = 120) -> Iterator[tuple[str, str, str]]:
    import mwparserfromhell

    path = data / f"wiki/{lang}wiki-20230501-pages-articles-excerpt.xml.bz2"
    n = 0
    with bz2.open(path) as fh:
        for _, el in ET.iterparse(fh):
            if not el.tag.endswith("}page"):
                continue
            ns = el.find("{*}ns")
            title = el.find("{*}title")
            text = el.find("{*}revision/{*}text")
            if ns is None or ns.text != "0" or el.find("{*}redirect") is not None or text is None or not text.text:
                el.clear()
                continue
            plain = mwparserfromhell.parse(text.text[:WIKI_RAW_CHARS]).strip_code(normalize=True, collapse=True)
            plain = normalise_whitespace(re.sub(r"\n[^\n]*\|[^\n]*", "\n", plain))[:MAX_CHARS]
            el.clear()
            if len(plain) < 200:
                continue
            yield f"{lang}wiki/{title.text if title is not None else n}", plain, lang
            n += 1
            if n >= limit:
                return


def book_chunks(data: Path, limit: int = 120) -> Iterator[tuple[str, str, str]]:
    en = bz2.open(data / "text/botchan.txt.bz2").read().decode("utf-8-sig")
    paras = [ln.strip() for ln in en.splitlines() if ln.strip()]  # hard-wrapped, no blank lines
    chunk: list[str] = []
    n = 0
    for p in paras:
        chunk.append(p)
        if sum(map(len, chunk)) > 2500:
            yield f"botchan/{n:03d}", "\n".join(chunk), "en"
            n += 1
            chunk = []
            if n >= limit:
                break
    yield from japanese_novel(data, limit)


def japanese_novel(data: Path, limit: int = 120) -> Iterator[tuple[str, str, str]]:
    """Passages of 吾輩は猫である with the Aozora ruby/annotation markup removed."""
    ja = bz2.open(data / "text/wagahaiwa_nekodearu.txt.bz2").read().decode("utf-8")
    ja = re.sub(r"《[^》]*》|［＃[^］]*］|｜", "", ja)
    lines = [ln.strip() for ln in ja.splitlines() if ln.strip()]
    start = next((i for i, ln in enumerate(lines) if ln.startswith("吾輩は猫である。名前")), 0)
    chunk: list[str] = []
    n = 0
    for ln in lines[start:]:
        chunk.append(ln)
        if sum(map(len, chunk)) > 1500:
            yield f"neko/{n:03d}", "\n".join(chunk), "ja"
            n += 1
            chunk = []
            if n >= limit:
                return


@functools.lru_cache(maxsize=2)
def parity_documents(data: Path) -> list[dict[str, str]]:
    """All parity documents as ``{"key", "text", "lang"}`` (English + Japanese + Vietnamese); cached per
    test session because the parity and Japanese tests share them."""
    out = []
    for gen in (web_pages(data), warc_pages(data), stackexchange_posts(data), wiki_articles(data, "ja"),
                wiki_articles(data, "vi"), book_chunks(data)):
        for key, text, lang in gen:
            if text.strip():
                out.append({"key": key, "text": text, "lang": lang})
    return out


#: plain English prose whose filter metrics were checked against DataTrove 0.10.1 + spaCy
PROSE = (
    "The history of the town is long and full of change. In the early years, farmers came to the valley "
    "and built their homes with wood and stone. They planted wheat and barley, and they kept cattle and "
    "sheep in the fields that surrounded the river. Over time, the town grew into a market for the whole "
    "region, and traders from distant cities arrived with salt, cloth and tools.\n"
    "Today the old market square is still the heart of the town. People meet there to talk, to buy fresh "
    "bread, and to listen to music on summer evenings. The church that stands at the north side of the "
    "square was finished in the fourteenth century, and its tower can be seen from every road that leads "
    "into the valley."
)


# ---- a tiny raw folder --------------------------------------------------------------------------------

GOOD = [
    "The history of the town is long and full of change. In the early years, farmers came to the valley and "
    "built their homes with wood and stone. They planted wheat and barley, and they kept cattle and sheep in the "
    "fields that surrounded the river. Over time, the town grew into a market for the whole region.\n"
    "Today the old market square is still the heart of the town. People meet there to talk, to buy fresh bread, "
    "and to listen to music on summer evenings. The church at the north side of the square was finished in the "
    "fourteenth century, and its tower can be seen from every road that leads into the valley.",
    "Learning to cook at home is one of the most useful skills a person can have. It saves money, and it is "
    "usually healthier than eating out. Start with simple dishes that use few ingredients, and practise them "
    "until you can make them without a recipe. Then add new techniques one at a time.\n"
    "A good knife and a heavy pan are worth more than a drawer full of gadgets. Keep the knife sharp and the pan "
    "clean. Taste the food as you go, and season it a little at a time, because salt is easy to add and hard to "
    "take away. Most of all, be patient with yourself and enjoy the process of learning.",
]
CONFIG: dict[str, Any] = {
    "cleaning": {"html": True, "unicode": "NFKC"},
    "filtering": {"min_length": 100, "exclude_keywords": ["casino", "viagra"], "gopher_repetition": {},
                  "gopher_quality": {}, "c4": {"profile": "datatrove"}, "fineweb_quality": {}},
    "dedup": {"exact": True, "minhash": {"ngram": 5, "bands": 14, "rows": 8}, "write_clusters": True},
}


def make_raw(root: Path) -> Path:
    """Two sources in stage-1 layout plus plan.json (source order: web first, then books)."""
    raw = root / "raw"
    web = [f"<html><body><p>{GOOD[0].replace(chr(10), '</p><p>')}</p><script>var x=1;</script></body></html>",
           "Win big at the casino tonight, casino bonus for every player who signs up today and plays. Join now and "
           "claim your spins.",
           "short",
           GOOD[1]]
    books = [GOOD[1], GOOD[1].replace("useful", "valuable"), GOOD[0] + "\nIt rained.", ""]
    for slug, texts in (("web", web), ("books", books)):
        with ShardWriter(raw / slug / "raw_data.jsonl.gz") as w:
            for i, t in enumerate(texts):
                w.write({"id": f"{slug}/{i}", "text": t,
                         "metadata": {"source": slug, "split": "train", "original_index": i, "weight": 0.5}})
    (raw / "plan.json").write_text(json.dumps({"target_samples": 8, "seed": 0, "sources": [
        {"name": "web", "slug": "web", "weight": 0.5, "quota": 4, "kept": 4},
        {"name": "books", "slug": "books", "weight": 0.5, "quota": 4, "kept": 4}]}))
    return raw


def run_config(raw: Path | str, cleaned: Path | str, blocks: dict[str, Any] | None = None, **run: Any) -> CleanRunConfig:
    """``CleanRunConfig`` over ``raw`` → ``cleaned`` with ``blocks`` (default :data:`CONFIG`) and run settings."""
    return CleanRunConfig.model_validate({**(CONFIG if blocks is None else blocks), "raw_folder": str(raw),
                                          "cleaned_folder": str(cleaned), **run})


def out_ids(folder: Path) -> dict[str, list[str]]:
    return {p.parent.name: [r["id"] for r in iter_records(p)] for p in sorted(folder.glob("*/cleaned_data.jsonl.gz"))}


def records_table(texts: list[str], metadata: list[dict[str, Any]] | None = None, ids: list[str] | None = None) -> pa.Table:
    """A batch of records as the runner hands it to ``tag_table`` (one source, rows in order)."""
    n = len(texts)
    return pa.table({"id": ids or [str(i) for i in range(n)], "text": texts,
                     "metadata": [json.dumps(m, ensure_ascii=False) for m in (metadata or [{}] * n)],
                     "source": ["s"] * n, "order": list(range(n)), "row": list(range(n)), "non_utf8": [False] * n})
