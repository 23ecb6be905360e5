"""The one error the table reader raises: a complete sentence naming file, row and column."""

from __future__ import annotations

from xl_funnel.errors import FunnelError

__all__ = ["TableError"]


class TableError(FunnelError):
    """A table cannot be read as asked; the message names the file, row or column and why.

    A subclass of :class:`~xl_funnel.errors.FunnelError` (so of ``ValueError``): the command
    line prints it as one line and exits with 2.
    """
