"""The registry: the only code that reads and writes program/ and issued/."""
