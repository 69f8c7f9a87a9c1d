"""Link → English entity name, following the rules of the leia-llm/leia ``scripts/preprocess_wikipedia.py`` and
``scripts/build_wikipedia_dataset.py`` (LEIA, Yamada & Ri 2024, arXiv 2402.11485):

target title → redirects (final target) → target-language sitelink table (QID) → English sitelink table
inverted (English title) → drop namespace pages and ``List of …`` → remove every parenthesised span →
trimmed name. Every dropped link is counted under its reason, so a report says where links went.

Deliberate difference, configurable: the reference drops every link containing ``#`` (section links).
Our extractor strips the fragment and keeps it as ``fragment``; ``fragment_links="drop"`` (default)
reproduces the reference, ``"strip"`` keeps section links and maps them to their page's entity.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Literal

from corpuslab.wiki.titles import Namespaces, namespace_of

# English namespace prefixes the reference filters (``scripts/build_wikipedia_dataset.py``).
EN_NAMESPACE_PREFIXES = ("Wikipedia", "Category", "File", "Portal", "Template", "MediaWiki", "User", "Help",
                         "Book", "Draft", "WikiProject", "Special", "Talk")
_EN_NS = re.compile("^(?:" + "|".join(EN_NAMESPACE_PREFIXES) + ")(?: talk)?:", re.IGNORECASE)
_PARENS = re.compile(r"\([^()]*\)")
_SPACES = re.compile(r"\s+")

DROP_REASONS = ("fragment", "namespace", "no_qid", "no_english_title", "english_namespace", "list_of",
                "empty_name", "overlap", "not_token_boundary")


def clean_entity_name(title: str) -> str:
    """``Mercury (planet)`` → ``Mercury``: every parenthesised span removed (nested ones too), trimmed."""
    prev = None
    s = title
    while prev != s:
        prev = s
        s = _PARENS.sub("", s)
    return _SPACES.sub(" ", s).strip()


@dataclass
class EntityResolver:
    """Resolves target-language link titles to English entity names; counts why links drop."""

    redirects: dict[str, str]
    title_to_qid: dict[str, str]            # target language: normalised title → QID
    qid_to_english: dict[str, str]          # QID → English title
    namespaces: Namespaces | None = None
    fragment_links: Literal["drop", "strip"] = "drop"
    counters: Counter[str] = field(default_factory=Counter)

    @classmethod
    def from_tables(cls, redirects: dict[str, str], target_ids: dict[str, str], english_ids: dict[str, str],
                    **kwargs: Any) -> EntityResolver:
        """``english_ids`` is the English ``title → QID`` table; it is inverted here."""
        inv: dict[str, str] = {}
        for title, qid in english_ids.items():
            inv.setdefault(qid, title)
        return cls(redirects=redirects, title_to_qid=target_ids, qid_to_english=inv, **kwargs)

    def resolve(self, target_title: str, fragment: str | None = None) -> tuple[str | None, str | None, str]:
        """``(qid, english_name, reason)``; reason is ``"ok"`` or one of :data:`DROP_REASONS`."""
        if fragment and self.fragment_links == "drop":
            return None, None, "fragment"
        title = self.redirects.get(target_title, target_title)
        if namespace_of(title, self.namespaces) != 0:
            return None, None, "namespace"
        qid = self.title_to_qid.get(title)
        if qid is None:
            return None, None, "no_qid"
        en = self.qid_to_english.get(qid)
        if en is None:
            return qid, None, "no_english_title"
        if _EN_NS.match(en):
            return qid, None, "english_namespace"
        if en.startswith("List of"):
            return qid, None, "list_of"
        name = clean_entity_name(en)
        if not name:
            return qid, None, "empty_name"
        return qid, name, "ok"

    def annotate(self, article: dict[str, Any]) -> dict[str, Any]:
        """Article with ``links`` → the same with ``anchors``: ``{start, end, title, qid, name}`` (kept ones)."""
        c = self.counters
        c["articles"] += 1
        anchors = []
        last_end = -1
        for link in sorted(article.get("links") or (), key=lambda x: (x["start"], -x["end"])):  # longest first
            c["links_seen"] += 1
            qid, name, reason = self.resolve(link["target_title"], link.get("fragment"))
            if reason != "ok":
                c[f"dropped_{reason}"] += 1
                continue
            if link["start"] < last_end:
                c["dropped_overlap"] += 1
                continue
            c["links_resolved"] += 1
            last_end = link["end"]
            anchors.append({"start": link["start"], "end": link["end"], "title": link["target_title"],
                            "qid": qid, "name": name})
        if anchors:
            c["articles_with_anchors"] += 1
        return {"title": article.get("title"), "page_id": article.get("page_id"),
                "language": article.get("language"), "text": article["text"], "anchors": anchors}
