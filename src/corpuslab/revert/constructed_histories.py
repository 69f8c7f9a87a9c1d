"""Constructed edit histories replayed on REAL article texts, for tests, the example and the benchmark.

No public full-history dump with article text ships here (see ../shared/data/SOURCES.md), so we take
real Wikipedia articles (the ja/vi pages-articles excerpts) as each page's first revision and replay a
constructed sequence of edits on them: good-faith inserts/removes/changes using real sentences of other
articles, vandalism (junk inserted, sentences replaced or blanked) that is usually reverted to the
previous text (an identity revert), occasional revision wars (the vandal restores their version, which
is reverted again) and bot edits. The output is a MediaWiki export-0.10 XML file that ``revert collect``
reads like any dump. Labels therefore come from the collector's SHA-1 logic, not from this generator.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from xml.sax.saxutils import escape

import xxhash

from corpuslab.core.atomic import atomic_path
from corpuslab.core.streams import open_read
from corpuslab.revert.collect import sha1_base36

JUNK = ["lol", "LOL!!!", "asdfghjkl", "xDDDD", "hahahahaha", "!!!!!!!!", "poop poop", "wwwwwww", "ｗｗｗｗ",
        "aaaaaaaaaaaa", "u suck", "HELLO MOM", "123456789", "blah blah blah", "TROLOLOLO", "ahihi đồ ngốc", "草生える"]


def read_articles(path: str | Path, min_chars: int = 1500, limit: int | None = None,
                  max_chars: int | None = None) -> list[tuple[str, str]]:
    """Main-namespace, non-redirect articles ``(title, wikitext)``; ``max_chars`` cuts at a paragraph end."""
    import mwxml

    out = []
    with open_read(path) as fh:
        for page in mwxml.Dump.from_file(fh):
            if page.namespace != 0 or page.redirect:
                continue
            for rev in page:
                if rev.text and len(rev.text) >= min_chars and not rev.text.lstrip().lower().startswith("#redirect"):
                    text = rev.text
                    if max_chars is not None and len(text) > max_chars:
                        cut = text.rfind("\n\n", 0, max_chars)
                        text = text[: cut if cut > min_chars // 2 else max_chars]
                    out.append((page.title, text))
            if limit is not None and len(out) >= limit:
                break
    return out


def prose_sentences(text: str) -> list[str]:
    """Sentences of an article's plain text of 20–300 characters: real prose to insert elsewhere."""
    from corpuslab.revert.diff import plain_text, sentences

    return [s for s in sentences(plain_text(text)) if 20 <= len(s) <= 300]


def _paragraph_edit(text: str, rng: random.Random, fn) -> str:  # type: ignore[no-untyped-def]
    paras = text.split("\n\n")
    cands = [i for i, p in enumerate(paras) if len(p) > 80 and not p.lstrip().startswith(("{", "[", "|", "=", "<"))]
    if not cands:
        cands = list(range(len(paras)))
    i = rng.choice(cands)
    paras[i] = fn(paras[i])
    return "\n\n".join(paras)


def _edit(kind: str, text: str, rng: random.Random, donor: list[str]) -> str:
    if kind == "good_insert":
        s = rng.choice(donor) if donor else "See also the history section."
        return _paragraph_edit(text, rng, lambda p: p.rstrip() + " " + s)
    if kind == "good_remove":
        def rm(p: str) -> str:
            parts = p.split("。") if "。" in p else p.split(". ")
            if len(parts) > 2:
                del parts[rng.randrange(len(parts) - 1)]
            return ("。" if "。" in p else ". ").join(parts)
        return _paragraph_edit(text, rng, rm)
    if kind == "good_change":
        return _paragraph_edit(text, rng, lambda p: p.replace(" ", "  ", 1).replace("  ", " (" + str(rng.randint(1900, 2020)) + ") ", 1))
    if kind == "vandal_insert":
        junk = " ".join(rng.choice(JUNK) for _ in range(rng.randint(1, 4)))
        return _paragraph_edit(text, rng, lambda p: p[: len(p) // 2] + " " + junk + " " + p[len(p) // 2:])
    if kind == "vandal_replace":
        junk = " ".join(rng.choice(JUNK) for _ in range(rng.randint(2, 6)))
        return _paragraph_edit(text, rng, lambda p: junk + ". " + p[len(p) // 2:])
    if kind == "vandal_blank":
        return _paragraph_edit(text, rng, lambda p: rng.choice(JUNK))
    if kind == "bot":
        return text.rstrip() + f"\n[[Category:Maintenance {rng.randint(1, 99)}]]"
    raise ValueError(kind)


def replay_histories(articles: list[tuple[str, str]], seed: int = 0, edits_per_page: int = 12,
                     start: str = "2022-01-01T00:00:00Z", days: int = 210, first_rev_id: int = 1_000_000,
                     first_page_id: int = 1) -> Iterator[tuple[int, str, list[dict]]]:
    """Yield ``(page_id, title, revisions)``; each revision has id, parent, timestamp, user, comment, text."""
    rng = random.Random(seed)
    t0 = datetime.strptime(start, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    donors = [s for _, t in articles[: min(len(articles), 40)] for s in prose_sentences(t)[:20]]
    state = {"rev_id": first_rev_id}

    def add(revs: list[dict], t: datetime, step: timedelta, new_text: str, user: str, anon: bool, comment: str) -> datetime:
        state["rev_id"] += rng.randint(1, 5)
        t += timedelta(seconds=rng.uniform(0.2, 1.8) * step.total_seconds())
        revs.append({"id": state["rev_id"], "parent": revs[-1]["id"] if revs else None,
                     "timestamp": t.strftime("%Y-%m-%dT%H:%M:%SZ"), "user": user, "anon": anon, "comment": comment,
                     "text": new_text})
        return t

    for pi, (title, text) in enumerate(articles):
        t = t0 + timedelta(hours=rng.uniform(0, 24 * 5))
        step = timedelta(hours=24 * days / max(1, edits_per_page * 1.6))
        revs: list[dict] = []
        t = add(revs, t, step, text, f"Creator{rng.randint(1, 50)}", False, "new article")
        for _ in range(edits_per_page):
            cur = revs[-1]["text"]
            r = rng.random()
            kind = ("bot" if r < 0.05 else rng.choice(["good_insert", "good_remove", "good_change"]) if r < 0.6
                    else rng.choice(["vandal_insert", "vandal_replace", "vandal_blank"]))
            vandal = kind.startswith("vandal")
            anon = rng.random() < (0.75 if vandal else 0.3)
            user = (f"203.0.{rng.randint(0, 255)}.{rng.randint(1, 254)}" if anon else
                    ("MaintenanceBot" if kind == "bot" else f"Editor{rng.randint(1, 200)}"))
            if kind == "bot":
                anon = False
            t = add(revs, t, step, _edit(kind, cur, rng, donors), user, anon, "" if vandal else f"{kind.split('_')[-1]} edit")
            revert_p = 0.85 if vandal else 0.07
            if rng.random() < revert_p:  # identity revert to the previous text
                t = add(revs, t, step, cur, f"Patroller{rng.randint(1, 20)}", False, f"Reverted edits by [[Special:Contributions/{user}|{user}]]")
                if rng.random() < 0.15:  # revision war: the reverted version comes back, and is reverted again
                    t = add(revs, t, step, revs[-2]["text"], user, anon, "undo")
                    if rng.random() < 0.8:
                        t = add(revs, t, step, cur, f"Patroller{rng.randint(1, 20)}", False, "rv")
        yield first_page_id + pi, title, revs


def write_history_xml(path: str | Path, dbname: str, pages: Iterator[tuple[int, str, list[dict]]],
                      base: str | None = None) -> int:
    """Write pages as a MediaWiki export-0.10 full-history dump (bz2 by suffix); returns revisions written."""
    import bz2

    lang = dbname[:-4] if dbname.endswith("wiki") else dbname
    n = 0
    with atomic_path(path) as tmp:
        opener = bz2.open if str(path).endswith(".bz2") else open
        with opener(tmp, "wt", encoding="utf-8") as fh:
            fh.write(f'<mediawiki xmlns="http://www.mediawiki.org/xml/export-0.10/" version="0.10" xml:lang="{lang}">\n')
            fh.write(f"  <siteinfo>\n    <sitename>Wikipedia</sitename>\n    <dbname>{dbname}</dbname>\n"
                     f"    <base>{escape(base or f'https://{lang}.wikipedia.org/wiki/Main_Page')}</base>\n"
                     "    <generator>corpuslab constructed history on real article text</generator>\n"
                     '    <case>first-letter</case>\n    <namespaces>\n      <namespace key="0" case="first-letter" />\n'
                     "    </namespaces>\n  </siteinfo>\n")
            for page_id, title, revs in pages:
                fh.write(f"  <page>\n    <title>{escape(title)}</title>\n    <ns>0</ns>\n    <id>{page_id}</id>\n")
                for r in revs:
                    user = (f"<ip>{escape(r['user'])}</ip>" if r["anon"] else
                            f"<username>{escape(r['user'])}</username>\n        <id>{xxhash.xxh32_intdigest(r['user'].encode()) % 10**7 + 1}</id>")
                    parent = f"      <parentid>{r['parent']}</parentid>\n" if r["parent"] else ""
                    text = r["text"]
                    fh.write(f"    <revision>\n      <id>{r['id']}</id>\n{parent}      <timestamp>{r['timestamp']}</timestamp>\n"
                             f"      <contributor>\n        {user}\n      </contributor>\n"
                             f"      <comment>{escape(r['comment'])}</comment>\n      <model>wikitext</model>\n"
                             f"      <format>text/x-wiki</format>\n"
                             f'      <text bytes="{len(text.encode())}" xml:space="preserve">{escape(text)}</text>\n'
                             f"      <sha1>{sha1_base36(text)}</sha1>\n    </revision>\n")
                    n += 1
                fh.write("  </page>\n")
            fh.write("</mediawiki>\n")
    return n
