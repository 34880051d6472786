"""The library's own errors. The CLI turns them into messages and exit codes; nothing else does."""

from __future__ import annotations


class ReviewThemesError(Exception):
    """Base class: every error the library raises on purpose. Its message is shown to the user."""


class ConfigError(ReviewThemesError):
    """config.yaml or the codebook is missing, malformed, or has unknown keys or wrong types."""


class ExtractError(ReviewThemesError):
    """A PDF could not be turned into text. `reason` is a short phrase a person understands."""

    def __init__(self, reason: str, detail: str = "", pages: int = 0) -> None:
        self.reason = reason
        self.detail = detail
        self.pages = pages  # how many pages the file has, when that is known
        super().__init__(f"{reason}: {detail}" if detail else reason)


class CodesError(ReviewThemesError):
    """A coding sheet is malformed. The message names the file, row and column."""

    def __init__(self, file: str, message: str, row: int | None = None, column: str | None = None) -> None:
        self.file = file
        self.row = row
        self.column = column
        where = file
        if row is not None:
            where += f", row {row}"
        if column is not None:
            where += f", column '{column}'"
        super().__init__(f"{where}: {message}")


class ModelError(ReviewThemesError):
    """A model folder is missing, tampered with, or does not match the config."""


class CorpusError(ReviewThemesError):
    """The wording banks or corpus files are malformed."""


class InputError(ReviewThemesError):
    """Bad usage: a missing folder, no PDFs found, an output path that cannot be written."""


class StoreError(ReviewThemesError):
    """The store (the cache of extracted, split and scored reviews) cannot be created, opened or read."""
