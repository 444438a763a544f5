"""The `unified` command (console entry `unified.cli:main`; `python -m unified.cli`)."""

from unified.cli.format import table
from unified.cli.main import main, parser

__all__ = ["main", "parser", "table"]
