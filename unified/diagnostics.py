"""Fields that only explain an answer, read tolerantly; everything else stays strict.

Real venues word these loosely (a successful cancel says "error_message": {}; an error code is
"0", 0, "" or null; a result flag is true or "true"). A wire class types such a field `Text`,
`Code` or `Flag` and the core's converter reads it here; fields that carry meaning (ids, prices,
amounts, statuses, times) keep the strict hooks of unified.convert. One set of rules for every
venue, registered once.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Annotated, Any

from unified.convert import CONVERTER, dumps
from unified.errors import DecodeError

Text = Annotated[str | None, "diagnostic text"]
Code = Annotated[str | None, "error code"]
Flag = Annotated[bool | None, "result flag"]
EMPTY: tuple[Any, ...] = (None, "", {}, [])


def read_text(value: Any, _type: Any = None) -> str | None:
    """A message: never refused (it explains, it decides nothing). Empty shapes are None,
    numbers their digits, an object with content its compact JSON."""
    if value in EMPTY:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | Decimal):
        return str(value)
    return dumps(value)


def read_code(value: Any, _type: Any = None) -> str | None:
    """An error code: "0", 0, "", {}, null and false all mean none. A code that is neither text
    nor an integer is refused: it decides between success and failure."""
    if value in EMPTY or isinstance(value, bool):
        return None
    if isinstance(value, str | int):
        text = str(value).strip()
        return None if text in ("", "0") else text
    raise DecodeError(f"unreadable error code {value!r}")


def read_flag(value: Any, _type: Any = None) -> bool | None:
    """`result`: true / "true" / 1, false / "false" / 0, or empty (None); anything else is
    refused, since a false one means the request was not accepted."""
    if value in EMPTY:
        return None
    if value in (True, "true", 1):
        return True
    if value in (False, "false", 0):
        return False
    raise DecodeError(f"unreadable result flag {value!r}")


def _marked(alias: Any) -> Callable[[Any], bool]:
    return lambda t: bool(t == alias)


for _alias, _read in ((Text, read_text), (Code, read_code), (Flag, read_flag)):
    CONVERTER.register_structure_hook_func(_marked(_alias), _read)
