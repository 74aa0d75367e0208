"""HTTP to Google's APIs: gspread's client with bounded retries, timeouts and a request counter.

gspread's ``HTTPClient`` knows the Sheets v4 and Drive v3 URLs and sends through
any ``requests.Session`` it is given. ``GoogleHTTP`` wraps its one ``request``
method, so every gspread call made through it gets:

- a ``(connect, read)`` timeout on every attempt;
- bounded retries of what is worth retrying (429, 408, 5xx, Drive's 403
  rate-limit reasons, timeouts, dropped connections), waiting an exponential
  backoff with jitter up to a cap, or exactly what ``Retry-After`` asks. A
  server that asks for more than ``max_retry_after`` seconds is not waited for:
  the source reports busy and the daemon tries again next cycle, so one slow
  spreadsheet never holds up the others;
- a count of attempts (``requests``), since every attempt costs quota;
- translation of what is left into ``SourceBusy`` / ``SourceUnreadable`` /
  ``SheetNotFound`` with a hint a user can act on.

gspread's own ``BackOffHTTPClient`` is not used: it has no timeout, ignores
``Retry-After``, keeps its attempt counter on the class and only stops once a
single wait would exceed 128 s.
"""

from __future__ import annotations

import email.utils
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import requests
from google.auth import exceptions as auth_exceptions
from gspread.exceptions import APIError
from gspread.http_client import HTTPClient

from sync.errors import SheetNotFound, SourceBusy, SourceError, SourceUnreadable

RETRY_STATUS = frozenset({408, 429, 500, 502, 503, 504})
#: Drive answers 403 (not 429) when a per-user or per-project quota is hit
RATE_LIMIT_REASONS = frozenset({"rateLimitExceeded", "userRateLimitExceeded"})
API_DISABLED_REASONS = frozenset({"SERVICE_DISABLED", "accessNotConfigured"})


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try one request. Waits are in seconds."""

    attempts: int = 5                 # tries per request, the first included
    backoff: float = 0.5              # base of the exponential wait
    cap: float = 30.0                 # longest wait between two tries
    max_retry_after: float = 60.0     # a longer Retry-After gives up at once
    timeout: tuple[float, float] = (5.0, 30.0)  # (connect, read) per attempt

    def wait(self, retry: int, retry_after: float | None, rng: random.Random) -> float:
        """The pause before retry number ``retry`` (0-based): half fixed, half random."""
        if retry_after is not None:
            return retry_after
        ceiling = min(self.cap, self.backoff * 2 ** retry)
        return ceiling / 2 + rng.uniform(0, ceiling / 2)


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def error_reasons(error: Mapping[str, Any]) -> set[str]:
    """Machine reasons of a Google error body: Drive's ``errors[].reason``, Sheets' ``details[].reason``."""
    found = {str(e.get("reason", "")) for e in error.get("errors", []) if isinstance(e, dict)}
    found |= {str(d.get("reason", "")) for d in error.get("details", []) if isinstance(d, dict)}
    return found - {""}


class GoogleHTTP(HTTPClient):
    """gspread's low-level client, made patient but bounded, and honest about what it costs."""

    def __init__(self, session: requests.Session, *, location: str, policy: RetryPolicy,
                 account_email: str | None = None, sleep: Callable[[float], None] = time.sleep) -> None:
        super().__init__(auth=None, session=session)  # type: ignore[arg-type]
        self.set_timeout(policy.timeout)
        self.location = location
        self.policy = policy
        self.account_email = account_email
        self.requests = 0
        self._sleep = sleep
        self._rng = random.Random()

    def request(self, *args: Any, **kwargs: Any) -> requests.Response:
        failure: Exception | None = None
        retry_after: float | None = None
        tries = 0
        for attempt in range(self.policy.attempts):
            if attempt:
                self._sleep(self.policy.wait(attempt - 1, retry_after, self._rng))
            self.requests += 1
            tries += 1
            try:
                return super().request(*args, **kwargs)
            except APIError as exc:
                if not self._retryable(exc):
                    raise self.translate(exc) from exc
                failure, retry_after = exc, parse_retry_after(exc.response.headers.get("Retry-After"))
            except (requests.Timeout, requests.ConnectionError, auth_exceptions.TransportError) as exc:
                failure, retry_after = exc, None
            except auth_exceptions.RefreshError as exc:
                raise SourceUnreadable(self.location, f"Google refused the credentials ({exc})",
                                       hint=self._credentials_hint()) from exc
            except requests.RequestException as exc:
                raise SourceUnreadable(self.location, f"cannot reach Google ({exc})") from exc
            if retry_after is not None and retry_after > self.policy.max_retry_after:
                break
        assert failure is not None
        raise self._busy(failure, tries) from failure

    @staticmethod
    def _retryable(exc: APIError) -> bool:
        status = exc.response.status_code
        return status in RETRY_STATUS or status >= 500 or (
            status == 403 and bool(error_reasons(exc.error) & RATE_LIMIT_REASONS))

    def _busy(self, exc: Exception, tries: int) -> SourceBusy:
        if isinstance(exc, APIError):
            status = exc.response.status_code
            what = f"Google answered {status} {exc.error.get('message', '')}".rstrip()
            wait = parse_retry_after(exc.response.headers.get("Retry-After"))
            if wait is not None and wait > self.policy.max_retry_after:
                what += f" and asked to wait {wait:.0f} s"
        elif isinstance(exc, requests.Timeout):
            what = f"Google did not answer within {self.policy.timeout[1]:g} s"
        else:
            what = f"cannot connect to Google ({type(exc).__name__})"
        return SourceBusy(self.location, f"{what}; gave up after {tries} tr{'y' if tries == 1 else 'ies'}",
                          hint="Google is rate-limiting or unavailable; ordersync tries again next cycle.")

    def translate(self, exc: APIError) -> SourceError:
        """A final (not retried) Google error as one of ours, with the hint a user needs."""
        status = exc.response.status_code
        message = str(exc.error.get("message", "")).strip()
        reasons = error_reasons(exc.error)
        who = f"the service account {self.account_email}" if self.account_email else "the service account"
        share = (f"Open the spreadsheet in Google Sheets, press Share and add {self.account_email} as a Viewer."
                 if self.account_email else
                 "Share the spreadsheet (Viewer) with the client_email found in the credentials file.")
        if status == 400 and message.startswith("Unable to parse range"):
            return SheetNotFound(self.location, message)
        if reasons & API_DISABLED_REASONS or "has not been used in project" in message:
            return SourceUnreadable(
                self.location, f"a Google API is not enabled for the credentials' project ({message})",
                hint="Enable both the Google Sheets API and the Google Drive API in the Google Cloud "
                     "console (APIs & Services > Library) for the project of the service account.")
        if status == 403:
            return SourceUnreadable(self.location, f"permission denied: the spreadsheet is not shared with {who}",
                                    hint=share)
        if status == 404:
            return SourceUnreadable(
                self.location, f"no spreadsheet with this key is visible to {who} (wrong key, or not shared)",
                hint="Check the key (the long id between /d/ and /edit in the sheet's URL). " + share)
        if status == 401:
            return SourceUnreadable(self.location, f"Google rejected the credentials ({message})",
                                    hint=self._credentials_hint())
        return SourceUnreadable(self.location, f"Google refused the request: {status} {message}".rstrip())

    @staticmethod
    def _credentials_hint() -> str:
        return ("Check the service-account key file (ORDERSYNC_GOOGLE_CREDENTIALS or `credentials` in "
                "config.toml): it may be revoked or deleted, or this machine's clock may be wrong.")
