"""The MkDocs plugin: a thin adapter over the registry (pages, images, machine endpoints)."""
