"""Pure data and validation: the program, credentials, status lists. No I/O, no crypto, no mkdocs."""
