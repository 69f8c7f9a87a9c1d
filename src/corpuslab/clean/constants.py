# fmt: off
_TERMINAL_PUNCTUATION = "!.?\u0589\u061d\u061e\u061f\u06d4\u0700\u0701\u0702\u07f9\u0837\u0839\u083d\u083e\u0964\u0965\u104a\u104b\u1362\u1367\u1368\u166e\u1735\u1736\u17d4\u17d5\u17d6\u17d9\u17da\u1803\u1809\u1944\u1945\u1aa8\u1aa9\u1aaa\u1aab\u1b5a\u1b5b\u1b5e\u1b5f\u1b7d\u1b7e\u1c3b\u1c3c\u1c7e\u1c7f\u203c\u203d\u2047\u2048\u2049\u2e2e\u2e3c\u2e53\u2e54\u3002\ua4ff\ua60e\ua60f\ua6f3\ua6f7\ua876\ua877\ua8ce\ua8cf\ua92f\ua9c8\ua9c9\uaa5d\uaa5e\uaa5f\uaaf0\uaaf1\uabeb\ufe52\ufe56\ufe57\uff01\uff0e\uff1f\uff61\U00010a56\U00010a57\U00010f55\U00010f56\U00010f57\U00010f58\U00010f59\U00010f86\U00010f87\U00010f88\U00010f89\U00011047\U00011048\U000110be\U000110bf\U000110c0\U000110c1\U00011141\U00011142\U00011143\U000111c5\U000111c6\U000111cd\U000111de\U000111df\U00011238\U00011239\U0001123b\U0001123c\U000112a9\U0001144b\U0001144c\U000115c2\U000115c3\U000115c9\U000115ca\U000115cb\U000115cc\U000115cd\U000115ce\U000115cf\U000115d0\U000115d1\U000115d2\U000115d3\U000115d4\U000115d5\U000115d6\U000115d7\U00011641\U00011642\U0001173c\U0001173d\U0001173e\U00011944\U00011946\U00011a42\U00011a43\U00011a9b\U00011a9c\U00011c41\U00011c42\U00011ef7\U00011ef8\U00011f43\U00011f44\U00016a6e\U00016a6f\U00016af5\U00016b37\U00016b38\U00016b44\U00016e98\U0001bc9f\U0001da88"
_PUNCTUATION_VISIBLE = "!/\u2014\u201d:\uff05\uff11\u3008&(\u3001\u2501\u005c\u3010#%\u300c\u300d\uff0c\u3011\uff1b+^]~\u201c\u300a\u201e';\u2019{|\u2236\u00b4[=-`*\uff0e\uff08\u2013\uff1f\uff01\uff1a$\uff5e\u00ab\u3009,><\u300b)?\uff09\u3002\u2026@_.\u0022}\u25ba\u00bb"
# fmt: on

TERMINAL_PUNCTUATION: frozenset[str] = frozenset(_TERMINAL_PUNCTUATION)
TERMINAL_PUNCTUATION_TUPLE: tuple[str, ...] = tuple(sorted(TERMINAL_PUNCTUATION))
#: Control characters count as punctuation in DataTrove (0-8, 11-12, 13-31, 127-159; not \t or \n).
_CONTROL = "".join(chr(x) for a, b in ((0, 9), (11, 13), (13, 32), (127, 160)) for x in range(a, b))
PUNCTUATION_SET: frozenset[str] = frozenset(_PUNCTUATION_VISIBLE + _CONTROL) | TERMINAL_PUNCTUATION

GOPHER_STOP_WORDS_EN: tuple[str, ...] = ("the", "be", "to", "of", "and", "that", "have", "with")

#: Per-language threshold profiles (FineWeb-2). Keys are filter parameter names; a profile only overrides
#: what FineWeb-2 sets per language; everything else keeps the DataTrove default.
LANGUAGE_PROFILES: dict[str, dict[str, dict[str, object]]] = {
    "ja": {
        "language": {"min_score": 0.886},
        "gopher_repetition": {
            "dup_line_frac": 0.375, "dup_para_frac": 0.0, "dup_line_char_frac": 0.0, "dup_para_char_frac": 0.0,
            "top_n_grams": {2: 0.121, 3: 0.129, 4: 0.145},
            "dup_n_grams": {5: 0.307, 6: 0.283, 7: 0.264, 8: 0.248, 9: 0.234, 10: 0.223},
        },
        "gopher_quality": {
            "min_avg_word_length": 1, "max_avg_word_length": 5, "max_non_alpha_words_ratio": 0.759,
            "stop_words": ["の", "に", "を", "は", "た", "て", "が", "と", "で", "年", "し", "・", "月", "れ", "さ"],
        },
        "fineweb_quality": {
            "line_punct_thr": 0.167, "new_line_ratio": 0.162, "short_line_thr": 999.0, "char_duplicates_ratio": 0.1,
        },
    },
    "vi": {
        "language": {"min_score": 0.802},
        "gopher_repetition": {
            "dup_line_frac": 0.293, "dup_para_frac": 0.0, "dup_line_char_frac": 0.0, "dup_para_char_frac": 0.0,
            "top_n_grams": {2: 0.223, 3: 0.197, 4: 0.171},
            "dup_n_grams": {5: 0.178, 6: 0.163, 7: 0.15, 8: 0.136, 9: 0.124, 10: 0.111},
        },
        "gopher_quality": {
            "min_avg_word_length": 3, "max_avg_word_length": 11, "max_non_alpha_words_ratio": 0.803,
            "stop_words": ["là", "và", "của", "một", "được", "trong", "năm", "các", "có", "loài", "này", "đã", "người"],
        },
        "fineweb_quality": {
            "line_punct_thr": 0.333, "new_line_ratio": 0.103, "short_line_thr": 999.0, "char_duplicates_ratio": 0.1,
        },
    },
}

#: Languages written without spaces between words: word rules use a segmenter, n-gram rules use characters.
CJK_LANGS = frozenset({"ja", "zh", "ko", "th", "lo", "km", "my", "bo"})
