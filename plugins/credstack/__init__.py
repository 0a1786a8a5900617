"""credstack: a stackable micro-credential program kept in a git repository.

Layers (imports only point left): errors <- model <- crypto <- registry <- {cli, site}.
"""

__version__ = "0.1.0"
