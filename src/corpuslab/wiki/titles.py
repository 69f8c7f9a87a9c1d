"""MediaWiki title normalisation and namespace handling.

MediaWiki stores every title in a canonical form: ``_`` and runs of whitespace become one space, the
title is trimmed, a ``#fragment`` is not part of the page, the namespace prefix is matched
case-insensitively (local name, canonical English name or alias) and, on ``first-letter`` wikis (all
Wikipedias), the first character of the page name is upper-cased. Links, redirects, Wikidata sitelinks
and the LEIA tables all meet in this form, so every lookup goes through :func:`normalize_title`.
"""

from __future__ import annotations

import html
import re
import urllib.parse
from collections.abc import Iterable
from dataclasses import dataclass, field

# Canonical (English) namespace names by id: they work on every wiki whatever its language.
CANONICAL_NAMESPACES: dict[int, str] = {
    -2: "Media", -1: "Special", 1: "Talk", 2: "User", 3: "User talk", 4: "Project", 5: "Project talk",
    6: "File", 7: "File talk", 8: "MediaWiki", 9: "MediaWiki talk", 10: "Template", 11: "Template talk",
    12: "Help", 13: "Help talk", 14: "Category", 15: "Category talk", 100: "Portal", 101: "Portal talk",
    118: "Draft", 119: "Draft talk", 710: "TimedText", 711: "TimedText talk", 828: "Module",
    829: "Module talk", 2300: "Gadget", 2302: "Gadget definition",
}
# Aliases MediaWiki accepts everywhere, plus the common ja/vi ones (siteinfo does not list aliases).
NAMESPACE_ALIASES: dict[str, int] = {
    "image": 6, "image talk": 7, "wp": 4, "wikipedia": 4, "wikipedia talk": 5, "project": 4,
    "画像": 6, "カテゴリ": 14, "テンプレート": 10, "ポータル": 100, "利用者": 2,
    "hình": 6, "tập tin": 6, "thể loại": 14, "bản mẫu": 10, "tl": 10, "tm": 10,
}
# Namespaces whose links embed or categorise instead of linking ([[File:…]], [[Category:…]]).
EMBED_NAMESPACES = frozenset({-2, 6, 14})
_WS = re.compile(r"[\s_\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+")
_BIDI = re.compile(r"[\u200e\u200f\u202a-\u202e]")
_INTERWIKI_PREFIX = re.compile(r"^[a-z][a-z0-9-]*$")


@dataclass
class Namespaces:
    """The namespace table of one wiki: prefix (lower-cased) → namespace id."""

    by_prefix: dict[str, int] = field(default_factory=dict)
    names: dict[int, str] = field(default_factory=dict)  # id → local name used in canonical titles
    # raw link target → how it renders on this wiki (see wikitext._link_info): the same targets recur
    # on page after page, so the walker resolves each one once per process.
    link_cache: dict[str, tuple[bool, bool, str, str, str]] = field(
        default_factory=dict, init=False, repr=False, compare=False)

    @classmethod
    def from_siteinfo(cls, namespaces: Iterable[tuple[int, str]] | None = None) -> Namespaces:
        """Build from ``(id, local name)`` pairs (mwxml ``site_info.namespaces``) plus canonical names."""
        ns = cls()
        for nid, name in CANONICAL_NAMESPACES.items():
            ns.by_prefix[name.lower()] = nid
            ns.names.setdefault(nid, name)
        for alias, nid in NAMESPACE_ALIASES.items():
            ns.by_prefix.setdefault(alias, nid)
        for nid, name in namespaces or ():
            if nid != 0 and name:
                key = _WS.sub(" ", name).strip().lower()
                ns.by_prefix[key] = nid
                ns.names[nid] = name  # the local name is the canonical prefix on this wiki
        return ns

    def split(self, title: str) -> tuple[int, str]:
        """``"Category:Foo"`` → ``(14, "Foo")``; titles without a known prefix are in namespace 0."""
        prefix, sep, rest = title.partition(":")
        if sep:
            nid = self.by_prefix.get(_WS.sub(" ", prefix).strip().lower())
            if nid is not None:
                return nid, rest.strip()
        return 0, title


DEFAULT_NAMESPACES = Namespaces.from_siteinfo()


def ucfirst(s: str) -> str:
    """Upper-case the first character as MediaWiki does (``ß`` stays, since its upper form is 2 chars)."""
    if not s:
        return s
    first = s[0].upper()
    return (first if len(first) == 1 else s[0]) + s[1:]


def split_fragment(title: str) -> tuple[str, str]:
    """``"Paris#History"`` → ``("Paris", "History")``."""
    page, _, frag = title.partition("#")
    return page, frag


def normalize_title(title: str, namespaces: Namespaces | None = None, unquote: bool = False) -> str:
    """Canonical MediaWiki title: entities decoded, ``_``→space, trimmed, fragment stripped,
    namespace prefix canonicalised, first letter of the page name upper-cased.

    ``unquote=True`` also decodes ``%xx`` escapes (URLs, wikiextractor hrefs). Returns ``""`` for
    titles that name no page (empty, fragment-only).
    """
    t = title
    if unquote and "%" in t:
        t = urllib.parse.unquote(t)
    if "&" in t:
        t = html.unescape(t)
    t = _BIDI.sub("", t)
    t = split_fragment(t)[0]
    t = _WS.sub(" ", t).strip()
    if t.startswith(":"):
        t = t[1:].strip()
    if not t:
        return ""
    ns = namespaces or DEFAULT_NAMESPACES
    nid, rest = ns.split(t)
    if nid != 0:
        return f"{ns.names.get(nid, CANONICAL_NAMESPACES.get(nid, ''))}:{ucfirst(rest)}"
    return ucfirst(t)


def namespace_of(title: str, namespaces: Namespaces | None = None) -> int:
    return (namespaces or DEFAULT_NAMESPACES).split(title.lstrip(":"))[0]


def is_interwiki(title: str, namespaces: Namespaces | None = None) -> bool:
    """``en:Foo``, ``wikt:foo``, ``w:ja:Foo``: a lower-case prefix that is not a namespace."""
    prefix, sep, _ = title.lstrip(":").partition(":")
    if not sep:
        return False
    p = prefix.strip()
    return bool(_INTERWIKI_PREFIX.match(p)) and (namespaces or DEFAULT_NAMESPACES).by_prefix.get(p) is None


def language_from_dbname(dbname: str | None, base_url: str | None = None) -> str | None:
    """``jawiki`` → ``ja``, ``zh_yuewiki`` → ``zh-yue``; else the host of the base URL (``ja.wikipedia.org``)."""
    if dbname:
        for suffix in ("wiki", "wiktionary", "wikibooks", "wikinews", "wikiquote", "wikisource", "wikivoyage"):
            if dbname.endswith(suffix) and len(dbname) > len(suffix):
                return dbname[: -len(suffix)].replace("_", "-")
    if base_url:
        host = urllib.parse.urlparse(base_url).hostname or ""
        if host.count(".") >= 2:
            return host.split(".")[0]
    return None
