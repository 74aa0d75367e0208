"""HTTP to Google's APIs: one request at a time, inside the poll's time budget, every attempt counted.

gspread's ``HTTPClient`` sends through any ``requests.Session`` it is given and
turns a non-2xx answer into ``APIError``; ``GoogleHTTP`` wraps its ``request``:

- every poll of a source has a time budget (``RetryPolicy.budget``): each
  attempt's (connect, read) timeout is cut to what is left of it and no retry
  starts past it, so a stalled Google holds the service for at most that long
  and the daemon goes on with its other sources (a read cut short resumes next
  cycle where it stopped, see ``sync.sources.gsheets``);
- 5xx, 408, timeouts and dropped connections are retried a few times with
  exponential backoff and jitter; ``Retry-After`` is ignored, since Google does
  not promise it for these APIs;
- 429 and Drive's rate-limit 403s are not retried at all: the quota is per
  minute, so retries seconds apart fail again. ``RateLimited`` goes up and the
  source waits for the next minute (``sync.sources.gsheets``);
- responses are gzip-compressed: Google compresses only when the user agent
  contains "gzip" and ``Accept-Encoding: gzip`` is sent;
- what is left becomes our error with its hint (``sync.sources.google_errors``).

gspread's own ``BackOffHTTPClient`` is not used: it has no timeout, keeps its
attempt counter on the class and only stops once a single wait exceeds 128 s.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import requests
from google.auth import exceptions as auth_exceptions
from gspread.exceptions import APIError
from gspread.http_client import HTTPClient

from sync import __version__
from sync.errors import SourceBusy, SourceError, SourceUnreadable
from sync.sources.google_errors import (RateLimited, TooLarge, credentials_hint, is_rate_limit, translate,
                                        unreachable)

RETRY_STATUS = frozenset({408, 500, 502, 503, 504})
HEADERS = {"User-Agent": f"ordersync/{__version__} (gzip)", "Accept-Encoding": "gzip"}


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try. Times are in seconds."""

    attempts: int = 4                 # tries per request, the first included
    backoff: float = 0.5              # base of the exponential wait
    cap: float = 8.0                  # longest wait between two tries
    timeout: tuple[float, float] = (5.0, 30.0)  # (connect, read) per attempt, cut to what the budget has left
    budget: float = 30.0              # one poll of a source, every request and retry of it included

    def wait(self, retry: int, rng: random.Random) -> float:
        """The pause before retry number ``retry`` (0-based): half fixed, half random."""
        ceiling = min(self.cap, self.backoff * 2 ** retry)
        return ceiling / 2 + rng.uniform(0, ceiling / 2)


class OverBudget(SourceBusy):
    """This poll's time is up: the source is left for now and read again next cycle."""

    hint = "Google is slow right now; ordersync carries on with the other sources and tries this one next cycle."


class GoogleHTTP(HTTPClient):
    """gspread's low-level client, bounded in time and honest about what it costs."""

    def __init__(self, session: requests.Session, *, location: str, policy: RetryPolicy,
                 account_email: str | None = None, sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(auth=None, session=session)  # type: ignore[arg-type]
        session.headers.update(HEADERS)
        self.location = location
        self.policy = policy
        self.account_email = account_email
        self.requests = 0
        self._sleep = sleep
        self._clock = clock
        self._rng = random.Random()
        self._deadline: float | None = None

    # -- the budget ---------------------------------------------------------------------

    def start(self) -> None:
        """A poll begins: its budget starts now."""
        self._deadline = self._clock() + self.policy.budget

    def ensure_started(self) -> None:
        """Start a budget unless one is running (a read without a fingerprint first: ``check``)."""
        if self._deadline is None or self._clock() > self._deadline + self.policy.budget:
            self.start()

    def left(self) -> float:
        return (self._deadline - self._clock()) if self._deadline is not None else self.policy.budget

    def over_budget(self, what: str) -> OverBudget:
        return OverBudget(self.location, f"{what} took longer than this source's budget of "
                                         f"{self.policy.budget:g} s")

    # -- one request --------------------------------------------------------------------

    def get(self, url: str, params: Mapping[str, Any] | list[tuple[str, Any]], *,
            split: bool = False) -> requests.Response:
        """GET with bounded retries inside the budget; a final failure is one of our errors.

        ``split``: a 503 means the answer was too big (``TooLarge``, not retried): the caller asks for less.
        """
        if self._deadline is None:
            self.start()
        failure: Exception | None = None
        tries = 0
        for attempt in range(self.policy.attempts):
            if attempt:
                pause = self.policy.wait(attempt - 1, self._rng)
                if pause >= self.left():
                    break
                self._sleep(pause)
            left = self.left()
            if left <= 0:
                break
            self.set_timeout((min(self.policy.timeout[0], left), min(self.policy.timeout[1], left)))
            self.requests += 1
            tries += 1
            try:
                return super().request("get", url, params=params)  # type: ignore[arg-type]
            except APIError as exc:
                if split and exc.response.status_code == 503:
                    raise TooLarge(self.location, "Google found the answer too large (503)") from exc
                failure = self._api_failure(exc)
            except (requests.Timeout, requests.ConnectionError, auth_exceptions.TransportError) as exc:
                failure = exc
            except auth_exceptions.RefreshError as exc:
                raise SourceUnreadable(self.location, f"Google refused the credentials ({exc})",
                                       hint=credentials_hint()) from exc
            except requests.RequestException as exc:
                raise unreachable(exc, self.location) from exc
        raise self._gave_up(failure, tries)

    def send(self, method: str, url: str, **kw: Any) -> requests.Response:
        """One request that writes (the findings tab): counted, and never retried, since a retry of a write
        that did arrive would make it twice; its failure is one of our errors."""
        if self._deadline is None:
            self.start()
        left = max(self.left(), 0.1)
        self.set_timeout((min(self.policy.timeout[0], left), min(self.policy.timeout[1], left)))
        self.requests += 1
        try:
            return super().request(method, url, **kw)  # type: ignore[arg-type]
        except APIError as exc:
            raise self._gave_up(self._api_failure(exc), 1) from exc
        except auth_exceptions.RefreshError as exc:
            raise SourceUnreadable(self.location, f"Google refused the credentials ({exc})",
                                   hint=credentials_hint()) from exc
        except requests.RequestException as exc:
            raise unreachable(exc, self.location) from exc

    def _api_failure(self, exc: APIError) -> APIError:
        """The error to retry, or raise what cannot be retried (a quota, a refusal) at once."""
        status = exc.response.status_code
        if is_rate_limit(status, exc.error):
            raise RateLimited(self.location, f"Google answered {status}: the per-minute read quota is used up "
                                             f"({exc.error.get('message', '')})") from exc
        if status not in RETRY_STATUS:
            raise translate(status, exc.error, location=self.location, account=self.account_email) from exc
        return exc

    def _gave_up(self, failure: Exception | None, tries: int) -> SourceError:
        if failure is None or (tries and self.left() <= 0 and not isinstance(failure, APIError)):
            error: SourceError = self.over_budget("reading from Google")
        elif isinstance(failure, APIError):
            status = failure.response.status_code
            error = SourceBusy(self.location, f"Google answered {status} {failure.error.get('message', '')}"
                                              .rstrip() + f"; gave up after {tries} tr{'y' if tries == 1 else 'ies'}",
                               hint="Google is unavailable right now; ordersync tries again next cycle.")
        elif isinstance(failure, requests.Timeout):
            error = SourceBusy(self.location, f"Google did not answer within {self.policy.timeout[1]:g} s; "
                                              f"gave up after {tries} tr{'y' if tries == 1 else 'ies'}",
                               hint=unreachable(failure, self.location).hint)
        else:
            error = unreachable(failure, self.location)
        if failure is not None:
            error.__cause__ = failure
        return error
