"""Stage 2: clean, filter and deduplicate a raw mixture (tag once, decide in seconds, dedup across sources)."""

from corpuslab.clean.config import CleanConfig, clean_config_from_dict, load_clean_config
from corpuslab.clean.runner import CleanResult, discover_inputs, run_clean

__all__ = ["CleanConfig", "CleanResult", "clean_config_from_dict", "discover_inputs", "load_clean_config", "run_clean"]
