"""Group bots: WeCom, DingTalk and Feishu webhooks (and an outbox of files), through the mail queue.

The notices hand over ``ChatNote``s (``sync.delivery.message``); ``routing``
picks the channels that want each, ``queue`` stores each once per channel and
sends within the platform's pace (``pacing``), and each platform module puts a
note in its format and signs it: ``wecom``, ``dingtalk``, ``feishu``;
``outbox`` writes files instead. ``base`` reads the platforms' answers.
"""

from __future__ import annotations

from sync.delivery.channels.base import (Channel, ChannelError, ChannelRejected, ChannelSetupError,
                                         ChannelUnavailable, Limits, Throttled)
from sync.delivery.channels.dingtalk import DingtalkChannel, dingtalk_sign
from sync.delivery.channels.feishu import FeishuChannel, feishu_sign
from sync.delivery.channels.outbox import OutboxChannel
from sync.delivery.channels.pacing import Health, Pacing
from sync.delivery.channels.queue import ChannelQueue
from sync.delivery.channels.routing import base_link, deliver_channels, make_channel, queue_notes, wants
from sync.delivery.channels.wecom import WecomChannel

__all__ = [
    "Channel", "ChannelError", "ChannelQueue", "ChannelRejected", "ChannelSetupError", "ChannelUnavailable",
    "DingtalkChannel", "FeishuChannel", "Health", "Limits", "OutboxChannel", "Pacing", "Throttled", "WecomChannel",
    "base_link", "deliver_channels", "dingtalk_sign", "feishu_sign", "make_channel", "queue_notes", "wants",
]
