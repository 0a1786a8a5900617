"""Pure data and validation: program, credentials, status lists. No I/O, crypto or mkdocs."""
