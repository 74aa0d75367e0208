"""What every group-bot webhook shares: where the URL and secret come from, post, read the answer.

The webhook URL carries the bot's key (WeCom ``key=``, DingTalk
``access_token=``), so it is never written into a message, a log line or the
queue: errors name the channel, not its address. A webhook or secret missing
from the environment is a ``ChannelSetupError`` at send time, so the service
runs, the channel is held, and ``doctor`` says which variable is empty.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sync.config import ChannelConfig, WebConfig
from sync.delivery.webhook_base import (ChannelSetupError, ChannelUnavailable, Codes, Limits, answer_error,
                                         fingerprint_of, post_json)
from sync.delivery.message import ChatNote


class WebhookChannel:
    kind = ""
    limits = Limits((), pause=60.0, max_bytes=4096)
    codes = Codes(frozenset(), frozenset())
    code_keys: tuple[str, ...] = ("errcode",)
    message_keys: tuple[str, ...] = ("errmsg",)

    def __init__(self, name: str, webhook: str | None, secret: str | None = None, *, link: str | None = None,
                 lang: str = "zh", timeout: float = 10.0, missing: str = "") -> None:
        self.name, self.webhook, self.secret = name, webhook, secret
        self.link, self.lang, self.timeout = link, lang, timeout
        self.web: WebConfig | None = None   # set by make_channel: page links signed for the person
        self.missing = missing          # why webhook or secret is not there (an empty environment variable)

    @classmethod
    def from_config(cls, cfg: ChannelConfig, *, link: str | None, lang: str,
                    environ: Mapping[str, str] | None = None) -> WebhookChannel:
        env = os.environ if environ is None else environ
        webhook = cfg.webhook or (env.get(cfg.webhook_env or "") or None)
        secret = env.get(cfg.secret_env) or None if cfg.secret_env else None
        missing = ""
        if not webhook:
            missing = f"the environment variable {cfg.webhook_env} (webhook_env) is empty"
        elif cfg.secret_env and not secret:
            missing = f"the environment variable {cfg.secret_env} (secret_env) is empty"
        return cls(cfg.label, webhook, secret, link=cfg.link or link, lang=lang, timeout=cfg.timeout, missing=missing)

    @property
    def where(self) -> str:
        return f"[[channels]] {self.name} ({self.kind})"

    def fingerprint(self) -> str:
        return fingerprint_of(self.webhook, self.secret)

    def render(self, note: ChatNote) -> dict[str, Any]:
        raise NotImplementedError

    def signed(self, body: dict[str, Any], now: datetime) -> tuple[str, dict[str, Any]]:
        """The URL and body to post as of ``now``: the platform's signature added when there is a secret."""
        return str(self.webhook), body

    def send(self, body: dict[str, Any], now: datetime) -> None:
        if self.missing or not self.webhook:
            raise ChannelSetupError(f"{self.where}: {self.missing or 'no webhook'}")
        url, signed = self.signed(body, now)
        answer = post_json(url, signed, self.timeout, self.where)
        code = next((answer[k] for k in self.code_keys if k in answer), None)
        if not isinstance(code, int):
            raise ChannelUnavailable(f"{self.where}: an answer without a result code: {str(answer)[:120]}")
        message = next((str(answer[k]) for k in self.message_keys if k in answer), "")
        error = answer_error(code, message, self.codes, self.where)
        if error is not None:
            raise error
