"""The `unified` command (console entry `unified.cli:main`; `python -m unified.cli`)."""

from unified.cli.main import main, parser
from unified.text_table import table

__all__ = ["main", "parser", "table"]
