"""Errors frontwatch reports to its user as one clear line (the CLI never shows a traceback)."""


class FrontwatchError(Exception):
    """Base class: the message is what the user reads."""


class InputError(FrontwatchError):
    """Input that cannot be read at all (a missing path, an unknown format)."""


class StoreError(FrontwatchError):
    """A database file that is not frontwatch's, or is of a newer schema."""


class ConfigError(FrontwatchError):
    """A bad option, lexicon, vocabulary or gazetteer file."""
