"""Group bots: which channel gets which note, the channels config.toml asks for, and the way in for callers.

The notices hand over ``ChatNote``s (``sync.delivery.message``). Here
``[[channels]]`` picks notes by kind (``notices``), by follower (``followers``:
a note about one of them) and by department (``departments``: a note for one
of them); names are compared as people type them (case, width and spaces do
not matter, a department may be named in Chinese). ``chat_queue`` stores each
note once per channel and sends within the platform's pace (``pacing``); each
platform module puts a note in its format and signs it (``wecom``,
``dingtalk``, ``feishu``, on ``webhook`` and ``webhook_base``, which reads the
platforms' answers); ``chat_outbox`` writes files instead; ``chattext`` fits
text into a platform's bytes.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from datetime import datetime

from sync.config import ChannelConfig, Config
from sync.delivery.chat_outbox import OutboxChannel
from sync.delivery.chat_queue import ChannelQueue
from sync.delivery.dingtalk import DingtalkChannel, dingtalk_sign
from sync.delivery.feishu import FeishuChannel, feishu_sign
from sync.delivery.message import ChatNote
from sync.delivery.pacing import Health, Pacing
from sync.delivery.queue import DeliveryResult
from sync.delivery.webhook_base import (Channel, ChannelError, ChannelRejected, ChannelSetupError,
                                        ChannelUnavailable, Limits, Throttled)
from sync.delivery.wecom import WecomChannel
from sync.state import State

WEBHOOKS = {"wecom": WecomChannel, "dingtalk": DingtalkChannel, "feishu": FeishuChannel}
#: department words people write -> the departments notes name
DEPARTMENT_WORDS = {"生产": "production", "车间": "production", "品检": "qc", "质检": "qc", "品质": "qc",
                    "采购": "procurement", "物料": "procurement", "仓库": "shipping", "发货": "shipping",
                    "物流": "shipping", "跟单": "follower", "业务": "sales", "销售": "sales"}


def base_link(config: Config) -> str | None:
    """Where messages link to: [web] base_url (a channel's own ``link`` wins)."""
    web = getattr(config, "web", None)
    return getattr(web, "base_url", None) or None


def make_channel(cfg: ChannelConfig, config: Config, environ: Mapping[str, str] | None = None) -> Channel:
    lang = config.service.language
    if cfg.kind == "outbox":
        channel = OutboxChannel(cfg.label, config.resolve(cfg.folder), link=cfg.link or base_link(config),
                                lang=lang)
    else:
        channel = WEBHOOKS[cfg.kind].from_config(cfg, link=base_link(config), lang=lang, environ=environ)
    # links to the status page open it as the person the message is for (sync.links): a signed token of theirs
    channel.web = None if cfg.link else getattr(config, "web", None)
    return channel


def wants(cfg: ChannelConfig, note: ChatNote) -> bool:
    if note.kind not in cfg.notices:
        return False
    if cfg.followers and not {_word(f) for f in cfg.followers} & {_word(f) for f in note.followers}:
        return False
    if cfg.departments:
        wanted = {DEPARTMENT_WORDS.get(_word(d), _word(d)) for d in cfg.departments}
        return bool(wanted & {_word(d) for d in note.departments})
    return True


def queue_notes(state: State, config: Config, notes: list[ChatNote], now: datetime,
                environ: Mapping[str, str] | None = None) -> int:
    """Queue each note on every channel that wants it; how many were new. Joins the caller's transaction."""
    if not config.channels or not notes:
        return 0
    queue = ChannelQueue(state)
    queued = 0
    for cfg in config.channels:
        channel = make_channel(cfg, config, environ)
        queued += sum(1 for note in notes if wants(cfg, note) and queue.enqueue(note, channel, now))
    return queued


def deliver_channels(state: State, config: Config, now: datetime,
                     environ: Mapping[str, str] | None = None) -> DeliveryResult | None:
    if not config.channels:
        return None
    channels = [make_channel(cfg, config, environ) for cfg in config.channels]
    return ChannelQueue(state).deliver_due(channels, now)


def _word(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", str(text or "")).casefold().split())


__all__ = [
    "Channel", "ChannelError", "ChannelQueue", "ChannelRejected", "ChannelSetupError", "ChannelUnavailable",
    "DingtalkChannel", "FeishuChannel", "Health", "Limits", "OutboxChannel", "Pacing", "Throttled", "WecomChannel",
    "base_link", "deliver_channels", "dingtalk_sign", "feishu_sign", "make_channel", "queue_notes", "wants",
]
