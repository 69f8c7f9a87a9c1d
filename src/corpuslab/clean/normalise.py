"""Text cleaning before filtering: HTML/markup removal, Unicode normalisation and mojibake repair, whitespace
and control characters.

HTML is parsed with selectolax's Lexbor parser (a maintained HTML5 parser, not regexes); it only runs on
text that looks like markup, so prose containing ``a < b`` is left alone.
"""

from __future__ import annotations

import re
import unicodedata

_LOOKS_HTML = re.compile(r"<(?:[a-zA-Z][a-zA-Z0-9]*\b[^>]*|/[a-zA-Z][a-zA-Z0-9]*\s*|!--.*?--|!DOCTYPE[^>]*)>", re.S)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b\ufeff]")
_INLINE_WS = re.compile(r"[ \t\u00a0\u3000\u2000-\u200a]+")
_MANY_NL = re.compile(r"\n{3,}")
_BLOCK_TAGS = ("p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "blockquote", "section", "article", "td")


def looks_like_html(text: str) -> bool:
    return bool(_LOOKS_HTML.search(text[:20000]))


def strip_html(text: str) -> str:
    """Visible text of an HTML fragment or page, one block element per line; scripts and styles removed."""
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(text)
    tree.strip_tags(["script", "style", "noscript", "template", "svg", "head"])
    root = tree.body or tree.root
    if root is None:
        return ""
    for tag in _BLOCK_TAGS:
        for node in root.css(tag):
            node.insert_after("\n")
    return root.text(separator="", strip=False)


def normalise_unicode(text: str, form: str | None, fix_mojibake: bool) -> str:
    if fix_mojibake:
        import ftfy

        text = ftfy.fix_text(text, normalization=None)
    if form:
        text = unicodedata.normalize(form, text)
    return text


def normalise_whitespace(text: str) -> str:
    """CRLF → LF, control characters dropped, runs of spaces collapsed, lines stripped, >2 blank lines folded."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text)
    text = _INLINE_WS.sub(" ", text)
    text = "\n".join(line.strip() for line in text.split("\n"))
    return _MANY_NL.sub("\n\n", text).strip()


def clean_text(text: str, html: bool, unicode_form: str | None, fix_mojibake: bool, whitespace: bool) -> str:
    if html and looks_like_html(text):
        text = strip_html(text)
    text = normalise_unicode(text, unicode_form, fix_mojibake)
    if whitespace:
        text = normalise_whitespace(text)
    return text
