"""The service account: its key file (from config or the environment), read-only scopes, an authorised session."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import requests

from sync.errors import SourceUnreadable

SCOPES = ("https://www.googleapis.com/auth/spreadsheets.readonly",
          "https://www.googleapis.com/auth/drive.readonly")   # drive.readonly: uploaded Excel files are downloaded
CREDENTIALS_ENV = ("ORDERSYNC_GOOGLE_CREDENTIALS", "GOOGLE_APPLICATION_CREDENTIALS")


def credentials_from_env() -> Path | None:
    """The service-account key file named by the environment, if any (as given: absolute, or from the cwd)."""
    return next((Path(os.environ[v]) for v in CREDENTIALS_ENV if os.environ.get(v)), None)


def load_credentials(path: Path | None, *, location: str, source: str) -> Any:
    """google-auth service-account credentials with ordersync's read-only scopes."""
    from google.oauth2 import service_account

    if path is None:
        raise SourceUnreadable(location, "no Google credentials configured",
                               hint=f"Set {CREDENTIALS_ENV[0]} or {CREDENTIALS_ENV[1]} to the service-account "
                                    f"key file (JSON), or `credentials = \"path\"` under [sources.{source}].")
    try:
        return service_account.Credentials.from_service_account_file(str(path), scopes=SCOPES)
    except (OSError, ValueError, KeyError) as exc:
        raise SourceUnreadable(location, f"cannot load the service-account key {path} ({exc})",
                               hint="Download a JSON key for the service account from the Google Cloud "
                                    "console (IAM > Service accounts > Keys).") from exc


def authorized_session(credentials: Any, timeout: float) -> requests.Session:
    """A session that signs every request; the token is fetched (and refreshed) on use."""
    from google.auth.transport.requests import AuthorizedSession

    return AuthorizedSession(credentials, refresh_timeout=timeout)
