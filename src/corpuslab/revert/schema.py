"""Column layout of collected revisions and the fixed user/interface flag lists from the reference."""

from __future__ import annotations

import pyarrow as pa

from corpuslab.revert.diff import EDIT_TYPE_COLUMNS

# trokhymovych/KI_multilingual_training `modules/users_features_collection.py`: the 16 user-group flags of the final model.
USER_GROUPS: tuple[str, ...] = (
    "editor", "trusted", "ipblock-exempt", "interface-admin", "sysop", "autoreview", "bureaucrat",
    "autopatrolled", "patroller", "rollbacker", "reviewer", "extendedconfirmed", "templateeditor", "uploader",
    "autoreviewer", "suppressredirect",
)
# trokhymovych/KI_multilingual_training `modules/data_collection.py`: edit-interface flags taken from revision tags.
INTERFACE_TAGS: tuple[str, ...] = (
    "mobile edit", "mobile web edit", "visualeditor", "wikieditor", "mobile app edit", "android app edit",
    "ios app edit",
)
# Same file: `is_reverted_by_good_user` — the reverter is in one of these groups (collected, not a feature).
GOOD_USER_GROUPS: frozenset[str] = frozenset(
    {"sysop", "oversight", "editor", "rollbacker", "checkuser", "abusefilter", "bureaucrat"}
)

_list_str = pa.list_(pa.string())
REVISION_SCHEMA = pa.schema(
    [
        ("lang", pa.string()),
        ("wiki_db", pa.string()),
        ("page_id", pa.int64()),
        ("page_title", pa.string()),
        ("rev_id", pa.int64()),
        ("parent_id", pa.int64()),
        ("timestamp", pa.string()),  # ISO-8601 UTC, "YYYY-MM-DDTHH:MM:SSZ": sorts as text
        ("user_text", pa.string()),
        ("user_id", pa.int64()),
        ("is_anonymous", pa.bool_()),
        ("user_groups", _list_str),
        ("is_bot", pa.bool_()),
        ("is_page_creation", pa.bool_()),
        ("comment", pa.string()),
        ("tags", _list_str),
        ("bytes", pa.int64()),
        ("bytes_diff", pa.int64()),
        ("sha1", pa.string()),
        ("is_reverted", pa.bool_()),
        ("reverting_rev_id", pa.int64()),
        ("seconds_to_revert", pa.int64()),
        ("is_revert", pa.bool_()),
        ("is_revision_war", pa.bool_()),
        ("is_reverted_by_good_user", pa.bool_()),
        ("has_text", pa.bool_()),
        ("texts_insert", _list_str),
        ("texts_remove", _list_str),
        ("texts_change_old", _list_str),
        ("texts_change_new", _list_str),
        *[(c, pa.int32()) for c in EDIT_TYPE_COLUMNS],
        ("source", pa.string()),
    ]
)
COLUMNS: list[str] = REVISION_SCHEMA.names


def rows_to_table(rows: list[dict]) -> pa.Table:
    """Rows (dicts with the schema's keys; missing keys become null) → a table with the fixed schema."""
    cols = {name: [r.get(name) for r in rows] for name in COLUMNS}
    return pa.table(cols, schema=REVISION_SCHEMA)
