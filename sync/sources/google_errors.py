"""Google's error answers as ordersync's errors, each reason with the hint a user can act on.

Google says why in the body, not the status: ``{"error": {"code", "message",
"status", "errors": [{"reason"}], "details": [{"@type": ".../ErrorInfo",
"reason", "metadata"}]}}``. Drive fills ``errors[].reason`` (camelCase:
``insufficientPermissions``, ``domainPolicy``, ``userRateLimitExceeded``),
the Sheets API ``details[].reason`` (``ACCESS_TOKEN_SCOPE_INSUFFICIENT``,
``SERVICE_DISABLED`` with an ``activationUrl``, ``RATE_LIMIT_EXCEEDED``). A 403
is therefore one of several things, and each gets its own sentence: not
shared, a scope missing, a Workspace policy, an API not enabled, a quota.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import requests

from sync.errors import SheetNotFound, SourceBusy, SourceError, SourceUnreadable

SCOPE_REASONS = frozenset({"ACCESS_TOKEN_SCOPE_INSUFFICIENT", "insufficientPermissions", "insufficientScopes"})
DISABLED_REASONS = frozenset({"SERVICE_DISABLED", "accessNotConfigured"})
POLICY_REASONS = frozenset({"domainPolicy", "teamDriveDomainUsersOnlyRestriction", "domainUsersOnlyRestriction",
                            "cannotShareTeamDriveWithNonGoogleAccounts", "ORG_POLICY", "DOMAIN_POLICY"})
#: per-minute quotas: Sheets answers 429 RATE_LIMIT_EXCEEDED, Drive 403 (user)RateLimitExceeded
RATE_REASONS = frozenset({"RATE_LIMIT_EXCEEDED", "rateLimitExceeded", "userRateLimitExceeded", "quotaExceeded",
                          "sharingRateLimitExceeded"})
DAILY_REASONS = frozenset({"dailyLimitExceeded", "dailyLimitExceededUnreg"})
NOT_A_SHEET = "This operation is not supported for this document"
SCOPES_TEXT = "spreadsheets.readonly and drive.readonly"


class RateLimited(SourceBusy):
    """A per-minute quota is used up: this source waits for the next minute, the others go on."""

    hint = ("Google's read quota is per minute (60 reads a minute for one service account, 300 for a "
            "project); ordersync tries this source again next minute and keeps reading the others.")


class NotASheet(SourceUnreadable):
    """The key names a Drive file that is not a native Google Sheet (an uploaded Excel file)."""


class TooLarge(SourceBusy):
    """Google answered 503 to a values request: the answer was too big; ask for fewer rows at a time."""


class GridChanged(SheetNotFound):
    """A range asked past the end of a tab: rows were deleted since the metadata was read."""


def reasons(error: Mapping[str, Any]) -> set[str]:
    """Machine reasons of an error body: Drive's ``errors[].reason`` and ``details[].reason``."""
    found = {str(e.get("reason", "")) for e in error.get("errors", []) if isinstance(e, dict)}
    found |= {str(d.get("reason", "")) for d in error.get("details", []) if isinstance(d, dict)}
    return found - {""}


def metadata(error: Mapping[str, Any]) -> dict[str, str]:
    """The ErrorInfo metadata (``service``, ``consumer``, ``activationUrl``) of an error body."""
    out: dict[str, str] = {}
    for detail in error.get("details", []):
        if isinstance(detail, dict) and isinstance(detail.get("metadata"), dict):
            out.update({str(k): str(v) for k, v in detail["metadata"].items()})
    return out


def is_rate_limit(status: int, error: Mapping[str, Any]) -> bool:
    return status == 429 or (status == 403 and bool(reasons(error) & (RATE_REASONS | DAILY_REASONS)))


def translate(status: int, error: Mapping[str, Any], *, location: str, account: str | None) -> SourceError:
    """A final (not retried) Google error as one of ours, with the hint a user needs."""
    message = str(error.get("message", "")).strip()
    why = reasons(error)
    if status == 400 and message.startswith(NOT_A_SHEET):
        return NotASheet(location, "this Drive file is not a native Google Sheet (an uploaded Excel file?)",
                         hint="ordersync reads uploaded Excel files by downloading them; if this stays, open it "
                              "in Google Sheets and use File > Save as Google Sheets.")
    if status == 400 and message.startswith("Unable to parse range"):
        return SheetNotFound(location, message)
    if status == 400 and "exceeds grid limits" in message:
        return GridChanged(location, message)
    if why & DISABLED_REASONS or "has not been used in project" in message:
        return _disabled(error, message, location)
    if status == 403:
        return _forbidden(why, message, location, account)
    if status == 404:
        return SourceUnreadable(location, f"no spreadsheet with this key is visible to {_who(account)} "
                                          "(wrong key, or not shared)",
                                hint="Check the key (the long id between /d/ and /edit in the sheet's URL). "
                                     + _share(account))
    if status == 401:
        return SourceUnreadable(location, f"Google rejected the credentials ({message})", hint=credentials_hint())
    return SourceUnreadable(location, f"Google refused the request: {status} {message}".rstrip())


def _forbidden(why: set[str], message: str, location: str, account: str | None) -> SourceError:
    if why & SCOPE_REASONS:
        return SourceUnreadable(
            location, f"the credentials were not granted the read-only scopes ordersync asks for ({message})",
            hint=f"ordersync asks for {SCOPES_TEXT}. With domain-wide delegation, the Workspace admin must "
                 "allow exactly these scopes for the service account's client id (Admin console > Security > "
                 "API controls).")
    if why & POLICY_REASONS or "domain administrators" in message or "organization polic" in message:
        return SourceUnreadable(
            location, f"your Google Workspace's policy blocks this access ({message})",
            hint=f"The organisation may forbid sharing outside it or third-party apps. Ask the Workspace admin "
                 f"to allow sharing with {account or 'the service account'} (or with gserviceaccount.com), "
                 "or use a service account of your own organisation.")
    if why & DAILY_REASONS:
        return RateLimited(location, f"Google's daily quota for the project is used up ({message})")
    if why & RATE_REASONS:
        return RateLimited(location, f"Google's per-minute quota is used up ({message})")
    return SourceUnreadable(location, f"permission denied: the spreadsheet is not shared with {_who(account)}",
                            hint=_share(account))


def _disabled(error: Mapping[str, Any], message: str, location: str) -> SourceError:
    meta = metadata(error)
    service = meta.get("service") or ("drive.googleapis.com" if "Drive API" in message else "sheets.googleapis.com")
    name = "Google Drive API" if service.startswith("drive") else "Google Sheets API"
    project = meta.get("consumer", "").rpartition("/")[2]
    link = meta.get("activationUrl") or (f"https://console.cloud.google.com/apis/library/{service}"
                                         + (f"?project={project}" if project else ""))
    return SourceUnreadable(location, f"the {name} is not enabled for the service account's project",
                            hint=f"Enable it at {link} (both the Google Sheets API and the Google Drive API are "
                                 "needed), wait a minute, and try again.")


def unreachable(exc: Exception, location: str) -> SourceBusy:
    """A network failure: what to check, the proxy first (Google is not reachable from mainland China without one)."""
    proxy = os.environ.get("HTTPS_PROXY") or os.environ.get("https_proxy")
    if isinstance(exc, requests.exceptions.ProxyError):
        what = f"the proxy {proxy or ''} refused or did not answer".replace("  ", " ")
    elif isinstance(exc, requests.Timeout):
        what = "Google did not answer in time"
    else:
        what = "cannot connect to Google"
    now = f"HTTPS_PROXY is {proxy}" if proxy else "HTTPS_PROXY is not set"
    return SourceBusy(location, f"{what} ({type(exc).__name__})",
                      hint=f"Check this machine's network and proxy ({now}): Google's servers are not reachable "
                           "from mainland China without a proxy; set HTTPS_PROXY=http://HOST:PORT for the service. "
                           "ordersync tries again next cycle.")


def credentials_hint() -> str:
    return ("Check the service-account key file (ORDERSYNC_GOOGLE_CREDENTIALS, GOOGLE_APPLICATION_CREDENTIALS or "
            "`credentials` in config.toml): it may be revoked or deleted, or this machine's clock may be wrong.")


def _who(account: str | None) -> str:
    return f"the service account {account}" if account else "the service account"


def _share(account: str | None) -> str:
    if account:
        return f"Open the spreadsheet in Google Sheets, press Share and add {account} as a Viewer."
    return "Share the spreadsheet (Viewer) with the client_email found in the credentials file."
