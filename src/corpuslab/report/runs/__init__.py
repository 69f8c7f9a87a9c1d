"""One module per run type: a detector (what the folder holds) and renderers (what the page shows)."""
