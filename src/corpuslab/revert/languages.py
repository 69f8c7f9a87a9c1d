"""Wiki language codes: which ``{lang}wiki`` databases exist, and how a dump tells us its language.

The code list is the set of Wikipedia language editions (subdomains of ``wikipedia.org``) plus
``wikidata``, so a typo such as ``enn`` or a non-wiki dump is counted as *unknown language* instead of
silently producing a new partition. Pass ``extra_languages`` to the collector to allow others.
"""

from __future__ import annotations

import re
from pathlib import Path

WIKIPEDIA_LANGUAGES: frozenset[str] = frozenset(["aa", "ab", "ace", "ady", "af", "ak", "als", "alt", "am", "ami", "an", "ang", "anp", "ar", "arc", "ary", "arz", "as", "ast", "atj", "av", "avk", "awa", "ay", "az", "azb", "ba", "ban", "bar", "bat-smg", "bbc", "bcl", "be", "be-tarask", "be-x-old", "bew", "bg", "bh", "bi", "bjn", "blk", "bm", "bn", "bo", "bpy", "br", "bs", "btm", "bug", "bxr", "ca", "cbk-zam", "cdo", "ce", "ceb", "ch", "cho", "chr", "chy", "ckb", "co", "cr", "crh", "cs", "csb", "cu", "cv", "cy", "da", "dag", "de", "dga", "din", "diq", "dsb", "dtp", "dty", "dv", "dz", "ee", "el", "eml", "en", "eo", "es", "et", "eu", "ext", "fa", "fat", "ff", "fi", "fiu-vro", "fj", "fo", "fon", "fr", "frp", "frr", "fur", "fy", "ga", "gag", "gan", "gcr", "gd", "gl", "glk", "gn", "gom", "gor", "got", "gpe", "gu", "guc", "gur", "guw", "gv", "ha", "hak", "haw", "he", "hi", "hif", "ho", "hr", "hsb", "ht", "hu", "hy", "hyw", "hz", "ia", "iba", "id", "ie", "ig", "igl", "ii", "ik", "ilo", "inh", "io", "is", "it", "iu", "ja", "jam", "jbo", "jv", "ka", "kaa", "kab", "kbd", "kbp", "kcg", "kg", "kge", "ki", "kj", "kk", "kl", "km", "kn", "knc", "ko", "koi", "kr", "krc", "ks", "ksh", "ku", "kus", "kv", "kw", "ky", "la", "lad", "lb", "lbe", "lez", "lfn", "lg", "li", "lij", "lld", "lmo", "ln", "lo", "lrc", "lt", "ltg", "lv", "mad", "mai", "map-bms", "mdf", "mg", "mh", "mhr", "mi", "min", "mk", "ml", "mn", "mni", "mnw", "mo", "mos", "mr", "mrj", "ms", "mt", "mus", "mwl", "my", "myv", "mzn", "na", "nah", "nan", "nap", "nds", "nds-nl", "ne", "new", "ng", "nia", "nl", "nn", "no", "nov", "nqo", "nr", "nrm", "nso", "nup", "nv", "ny", "oc", "olo", "om", "or", "os", "pa", "pag", "pam", "pap", "pcd", "pcm", "pdc", "pfl", "pi", "pih", "pl", "pms", "pnb", "pnt", "ps", "pt", "pwn", "qu", "rm", "rmy", "rn", "ro", "roa-rup", "roa-tara", "rsk", "ru", "rue", "rw", "sa", "sah", "sat", "sc", "scn", "sco", "sd", "se", "sg", "sh", "shi", "shn", "si", "simple", "sk", "skr", "sl", "sm", "smn", "sn", "so", "sq", "sr", "srn", "ss", "st", "stq", "su", "sv", "sw", "syl", "szl", "szy", "ta", "tay", "tcy", "tdd", "te", "tet", "tg", "th", "ti", "tig", "tk", "tl", "tly", "tn", "to", "tpi", "tr", "trv", "ts", "tt", "tum", "tw", "ty", "tyv", "udm", "ug", "uk", "ur", "uz", "ve", "vec", "vep", "vi", "vls", "vo", "wa", "war", "wo", "wuu", "xal", "xh", "xmf", "yi", "yo", "yue", "za", "zea", "zgh", "zh", "zh-classical", "zh-min-nan", "zh-yue", "zu", "wikidata"])

_DBNAME = re.compile(r"^([a-z][a-z_]*?)wiki$")
_FILENAME = re.compile(r"^([a-z][a-z_]*?)wiki-")
_HOST = re.compile(r"^(?:https?:)?//([a-z-]+)\.(wikipedia|wikidata)\.org")


def lang_from_dbname(dbname: str | None) -> str | None:
    """``enwiki`` → ``en``, ``zh_min_nanwiki`` → ``zh-min-nan``, ``wikidatawiki`` → ``wikidata``."""
    if not dbname:
        return None
    m = _DBNAME.match(dbname.strip())
    return m.group(1).replace("_", "-") if m else None


def lang_from_site(dbname: str | None, base_url: str | None, filename: str | None) -> str | None:
    """Language of a dump from its ``<siteinfo>`` (dbname, then base URL), falling back to its file name."""
    lang = lang_from_dbname(dbname)
    if lang:
        return lang
    if base_url:
        m = _HOST.match(base_url.strip())
        if m:
            return "wikidata" if m.group(2) == "wikidata" else m.group(1)
    if filename:
        m = _FILENAME.match(Path(filename).name)
        if m:
            return m.group(1).replace("_", "-")
    return None


def is_known_language(lang: str | None, extra: frozenset[str] | set[str] = frozenset()) -> bool:
    return bool(lang) and (lang in WIKIPEDIA_LANGUAGES or lang in extra)
