"""Model plumbing shared by every model workflow: loading by hub id or path, tiny test models."""
