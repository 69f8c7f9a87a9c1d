"""LEIA: insert English entity names into target-language Wikipedia text for cross-lingual transfer."""

from corpuslab.leia.annotate import EntityResolver, clean_entity_name
from corpuslab.leia.data import LeiaCollator, LeiaPacker, choose_id_dtype, insert_entity_names

__all__ = ["EntityResolver", "LeiaCollator", "LeiaPacker", "choose_id_dtype", "clean_entity_name",
           "insert_entity_names"]
