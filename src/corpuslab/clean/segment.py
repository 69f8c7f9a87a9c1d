"""Word and sentence segmentation chosen by the document's language.

Word-based quality rules mean nothing on Japanese or Chinese split on spaces (a whole paragraph is one
"word"), so the segmenter follows the language: fugashi + unidic-lite (MeCab) for Japanese, one token
per character for other scripts without spaces, and a Unicode-aware regex elsewhere.

Two tokenizer modes:

* ``fast`` (default): the regex below, shaped like spaCy's English tokenizer on ordinary prose (punctuation
  split off as its own token, ``...`` kept whole, ``n't``/``'s`` split, numbers like ``3.5``/``1,000`` kept
  whole) at a fraction of the cost;
* ``spacy``: ``spacy.blank(lang)`` + sentencizer, exactly what DataTrove 0.10.1 uses
  (``datatrove/utils/word_tokenizers.py``). Needs ``pip install spacy`` (extra ``corpuslab[parity]``).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable

import regex

from corpuslab.core.errors import CorpuslabError

TOKENIZER_MODES = ("fast", "spacy")

# stdlib ``re`` is several times faster than ``regex`` here. Contractions are split off first by two
# C-level substitutions (``don't`` → ``do n't``, ``it's`` → ``it 's``), as spaCy's English exceptions do.
_WORD_ALTS = (
    # abbreviations spaCy's English exceptions keep whole: single letters ("A.", "m."), e.g., i.e., vs., Mr. …
    # (the lookahead guard makes the alternative cost one character test at most positions)
    r"(?=[A-Za-z]{1,3}\.)(?<!\w)(?:e\.g\.|i\.e\.|vs\.|etc\.|Mr\.|Mrs\.|Ms\.|Dr\.|St\.|Jr\.|Sr\.|[A-Za-z]\.(?:[A-Za-z]\.)*)(?![\w.])"
    r"|[-=+_*#~|]{2,}"  # separator runs ("-----+----") stay one token, as in spaCy
    r"|n't\b|'(?:s|re|ve|ll|d|m)\b|\w+(?:[.,]\w+)*|\.{2,}|[^\w\s]"
)
_FAST_WORD = re.compile(_WORD_ALTS, re.IGNORECASE)
# URLs and e-mail addresses are one token (spaCy's URL_MATCH); this pattern backtracks on every word, so it
# is only used on text that contains "@", "://" or "www."
_FAST_WORD_URL = re.compile(
    r"(?:https?://|www\.)[^\s<>\"'()\[\]]+[^\s<>\"'()\[\].,;:!?]|[\w.+-]+@[\w-]+(?:\.[\w-]+)+|" + _WORD_ALTS,
    re.IGNORECASE,
)
_NT = re.compile(r"(?i)(?<=[^\W\d_])(n't)\b")
_APOS = re.compile(r"(?i)(?<=\w)('(?:s|re|ve|ll|d|m))\b")
# Characters of scripts written without spaces: each one is a token in the generic CJK segmenter.
_CJK_CHAR = r"\p{Han}\p{Hiragana}\p{Katakana}\p{Thai}\p{Lao}\p{Khmer}\p{Myanmar}\p{Tibetan}ー々"
_CJK_WORD = regex.compile(rf"[{_CJK_CHAR}]|[^\W{_CJK_CHAR}]+(?:[.,][^\W{_CJK_CHAR}]+)*|\.{{2,}}|[^\w\s]")
_SENT_END = frozenset("!.?։؟۔܀܁܂߹।॥၊။።፧፨᙮᜵᜶᠃᠉᥄᥅᪨᪩᪪᪫᭚᭛᭞᭟᰻᰼᱾᱿‼‽⁇⁈⁉⸮⸼꓿꘎꘏꛳꛷꡶꡷꣎꣏꤯꧈꧉꩝꩞꩟꫰꫱꯫﹒﹖﹗！．？｡。")


def _is_punct(tok: str) -> bool:
    return all(unicodedata.category(c).startswith("P") for c in tok)


@functools.lru_cache(maxsize=1)
def _mecab() -> Callable[[str], list[str]]:
    try:
        import fugashi
    except ImportError as e:  # pragma: no cover - fugashi is in the clean extra
        raise CorpuslabError("Japanese segmentation needs fugashi + unidic-lite: pip install 'corpuslab[clean]'") from e
    tagger = fugashi.Tagger()

    def split(text: str) -> list[str]:
        # MeCab works per line; very long inputs are chunked so memory stays bounded.
        out: list[str] = []
        for line in text.splitlines():
            for start in range(0, len(line), 20000):
                out.extend(w.surface for w in tagger(line[start : start + 20000]) if w.surface.strip())
        return out

    return split


@functools.lru_cache(maxsize=8)
def _spacy(lang: str):  # type: ignore[no-untyped-def]
    try:
        import spacy
    except ImportError as e:
        raise CorpuslabError("tokenizer 'spacy' needs spaCy: pip install 'corpuslab[parity]' (or use tokenizer: fast)") from e
    try:
        nlp = spacy.blank(lang)
    except Exception:  # languages whose blank model needs extra packages fall back to the multilingual one
        nlp = spacy.blank("xx")
    nlp.add_pipe("sentencizer")
    return nlp


def _spacy_doc(text: str, lang: str):  # type: ignore[no-untyped-def]
    nlp = _spacy(lang)
    nlp.max_length = len(text) + 10
    return nlp(text)


def split_words(text: str, lang: str | None = None, mode: str = "fast") -> list[str]:
    """Words of ``text`` for the word-based rules (stripped, no empty tokens)."""
    if mode == "spacy":
        return [s for t in _spacy_doc(text, lang or "en") if (s := t.text.strip())]
    if lang == "ja":
        return _mecab()(text)
    if lang in ("zh", "ko", "th", "lo", "km", "my", "bo"):
        return _CJK_WORD.findall(text)
    if "'" in text:
        text = _APOS.sub(r" \1", _NT.sub(r" \1", text))
    if "@" in text or "://" in text or "www." in text:
        return _FAST_WORD_URL.findall(text)
    return _FAST_WORD.findall(text)


def count_sentences(text: str, lang: str | None = None, mode: str = "fast") -> int:
    """Number of sentences as spaCy's sentencizer counts them: a break after a sentence-final punctuation
    token, at the next token that is not punctuation."""
    if mode == "spacy":
        return sum(1 for s in _spacy_doc(text, lang or "en").sents if s.text.strip())
    toks = split_words(text, lang, "fast")
    if not toks:
        return 0
    n, seen_end = 1, False
    for t in toks:
        if t in _SENT_END:
            seen_end = True
        elif seen_end and not _is_punct(t):
            n += 1
            seen_end = False
    return n


_SIMPLIFY_DIGITS = regex.compile(r"\p{N}+(?:[.,]\p{N}+)*")
_SIMPLIFY_PUNCT = regex.compile(r"[\p{P}\p{S}]+")
_SPACES = regex.compile(r"\s+")
_MARKS = regex.compile(r"\p{Mn}+")


_ASCII_DIGITS = re.compile(r"[0-9]+(?:[.,][0-9]+)*")
_ASCII_PUNCT = re.compile(r"[^a-z0-9\s]+")
_ASCII_SPACES = re.compile(r"\s+")


def simplify_text(text: str) -> str:
    """Normalisation before dedup hashing (as DataTrove's ``simplify_text``): lower case, numbers → 0,
    punctuation → space, whitespace collapsed, accents removed. ASCII text takes a stdlib-``re`` fast path."""
    t = text.lower()
    if t.isascii():
        t = _ASCII_PUNCT.sub(" ", _ASCII_DIGITS.sub("0", t))
        return _ASCII_SPACES.sub(" ", t).strip()
    t = _SIMPLIFY_DIGITS.sub("0", t)
    t = _SIMPLIFY_PUNCT.sub(" ", t)
    t = _MARKS.sub("", unicodedata.normalize("NFD", t))
    return _SPACES.sub(" ", t).strip()
