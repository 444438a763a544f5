"""API credentials for the `unified` command: environment variables first, then a TOML file
that only its owner may read. No secret ever reaches a message."""

from __future__ import annotations

import stat
import tomllib
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from unified import registry
from unified.cli.errors import UsageError
from unified.venue import Credentials

FIELDS = ("api_key", "secret", "passphrase")


class Hidden(Mapping[str, Any]):
    """Credential values, or an environment holding them, whose repr shows no value: a
    traceback that shows locals (an error tracker, `pytest -l`) prints every local's repr."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self._data = data

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self) -> str:
        return f"<{len(self._data)} values, hidden>"


def default_path(environ: Mapping[str, str]) -> Path:
    config = environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(config) / "unified" / "credentials.toml"


def env_names(venue_id: str) -> dict[str, str]:
    """UNIFIED_KUCOIN_API_KEY, UNIFIED_OKEX_V1_SECRET, ..."""
    prefix = f"UNIFIED_{venue_id.upper()}_"
    return {field: prefix + field.upper() for field in FIELDS}


def check_permissions(path: Path, warn: Callable[[str], None]) -> None:
    """Refuse a file other users can read; warn about one the group can read."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except OSError as exc:
        raise UsageError(f"cannot read credentials file {path}: {exc.strerror}") from None
    if mode & stat.S_IROTH:
        raise UsageError(f"credentials file {path} is readable by other users (mode "
                         f"{mode:04o}); run: chmod 600 {path}")
    if mode & stat.S_IRGRP:
        warn(f"warning: credentials file {path} is readable by its group (mode {mode:04o}); "
             f"chmod 600 is safer")


def _complete(venue_id: str, values: Mapping[str, str | None], source: str) -> Credentials:
    needs_passphrase = registry.get(venue_id).spec.signing.passphrase != "none"
    missing = [f for f in FIELDS[:2] if not values.get(f)]
    if needs_passphrase and not values.get("passphrase"):
        missing.append("passphrase")
    if missing:
        raise UsageError(f"{venue_id}: {source} lacks {', '.join(missing)}")
    api_key, secret = values["api_key"], values["secret"]
    assert api_key is not None and secret is not None
    return Credentials(api_key, secret, values.get("passphrase") or None)


def from_env(venue_id: str, environ: Mapping[str, str]) -> Credentials | None:
    environ = Hidden(environ)  # rebound: the frame's locals are what a traceback shows
    names = env_names(venue_id)
    values = Hidden({field: environ.get(name) for field, name in names.items()})
    if not any(values.values()):
        return None
    return _complete(venue_id, values, f"the environment ({names['api_key']}, ...)")


def from_file(venue_id: str, path: Path, warn: Callable[[str], None],
              table_name: str | None = None) -> Credentials | None:
    """The table named `table_name` (an account's, for `unified collect`), else the venue's."""
    check_permissions(path, warn)
    try:
        data = Hidden(tomllib.loads(path.read_text(encoding="utf-8")))
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read credentials file {path}: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        # The parser's message names a line and column, never the text found there.
        raise UsageError(f"credentials file {path} is not valid TOML: {exc}") from None
    name = table_name or venue_id
    if name not in data:
        return None
    table = Hidden(data[name]) if isinstance(data[name], dict) else None
    if table is None or not all(isinstance(table.get(f), (str, type(None))) for f in FIELDS):
        raise UsageError(f"credentials file {path}: [{name}] must hold string values "
                         f"{', '.join(FIELDS)}")
    unknown = sorted(set(table) - set(FIELDS))
    if unknown:
        raise UsageError(f"credentials file {path}: [{name}] has unknown keys: "
                         f"{', '.join(unknown)}")
    return _complete(venue_id, table, f"[{name}] in {path}")


def credentials_given(venue_id: str, path: Path | None, environ: Mapping[str, str],
                      warn: Callable[[str], None]) -> Credentials | None:
    """The venue's credentials where there are any: environment, else `path` (given), else
    the default file; None when none of them names the venue."""
    environ = Hidden(environ)  # rebound: the frame's locals are what a traceback shows
    found = from_env(venue_id, environ)
    if found is not None:
        return found
    file = path or default_path(environ)
    if path is not None and not path.exists():
        raise UsageError(f"credentials file {path} does not exist")
    return from_file(venue_id, file, warn) if file.exists() else None


def resolve(venue_id: str, path: Path | None, environ: Mapping[str, str],
            warn: Callable[[str], None]) -> Credentials:
    """The venue's credentials (see `credentials_given`); if there are none, a UsageError
    naming where to put them."""
    environ = Hidden(environ)  # rebound: the frame's locals are what a traceback shows
    found = credentials_given(venue_id, path, environ, warn)
    if found is not None:
        return found
    file = path or default_path(environ)
    names = env_names(venue_id)
    wanted = [names["api_key"], names["secret"]]
    if registry.get(venue_id).spec.signing.passphrase != "none":
        wanted.append(names["passphrase"])
    raise UsageError(f"{venue_id}: no credentials: set {', '.join(wanted)}, or add "
                     f"[{venue_id}] to {file} (or try --local)")
