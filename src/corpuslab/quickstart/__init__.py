"""The whole chain on the example data, then one page: ``corpuslab quickstart`` (a stage of its own that
composes the other stages' configs and calls their library runners; the report only reads the folders)."""
