"""``ordersync doctor``'s look at the group bots, and ``--send-test``: one message to each channel and recipient.

Without ``--send-test`` it says, for each [[channels]] entry, whether its
webhook and secret are in the environment and whether the service holds it
(the platform refused its key or signature; the reason, as the platform said
it, and what to fix). With ``--send-test`` it also sends one short test message
to each channel, within the channel's pace (the attempt is counted like any
other, so a test never makes the service's next burst one too many), and one
test mail to each person mail may go to, and says what each platform and the
mail server answered. A success lifts a hold at once.
"""

from __future__ import annotations

from datetime import datetime, timezone

from rich.console import Console
from rich.markup import escape

from sync.config import Config
from sync.delivery import make_backend
from sync.delivery.channels import ChannelError, ChannelSetupError, Pacing, make_channel
from sync.delivery.errors import DeliveryError
from sync.delivery.message import ChatNote, Outgoing, build_email
from sync.i18n import say
from sync.notices.recipients import Recipients
from sync.state import State
from sync.tables.register import Register

console = Console(highlight=False)


def check_delivery(config: Config, register: Register, lang: str, *, send_test: bool, chatty: bool = True) -> bool:
    """Every channel usable (and, with ``send_test``, every test message taken); False: say what is wrong."""
    state = State(config.resolve(config.service.state))
    try:
        pacing = Pacing(state)
        ok = all([_channel(config, cfg, pacing, lang, send_test, chatty) for cfg in config.channels])
        if send_test:
            ok = _test_mail(config, register, lang, chatty) and ok
        return ok
    finally:
        state.close()


def _channel(config: Config, cfg, pacing: Pacing, lang: str, send_test: bool, chatty: bool) -> bool:
    channel = make_channel(cfg, config)
    missing = getattr(channel, "missing", "")
    if missing:
        return _bad(say("群机器人 {n}：{m}", "channel {n}: {m}", lang, n=cfg.label, m=missing), ChannelSetupError.hint)
    held = next((h for h in pacing.health() if h.channel == cfg.label and h.problem
                 and h.fingerprint == channel.fingerprint()), None)     # mended since: the next send tells
    if not send_test:
        if held is not None:
            return _bad(say("群机器人 {n}：自 {t} 起暂停发送：{p}", "channel {n}: held since {t}: {p}", lang,
                            n=cfg.label, t=held.since, p=held.problem), held.hint or "")
        if chatty:
            console.print(say("[green]✓[/] 群机器人 {n}（{k}）", "[green]✓[/] channel {n} ({k})", lang,
                              n=escape(cfg.label), k=cfg.kind))
        return True
    return _send_test(channel, pacing, lang, chatty)


def _send_test(channel, pacing: Pacing, lang: str, chatty: bool) -> bool:
    now = datetime.now(timezone.utc)
    if pacing.room(channel.name, channel.limits, now) <= 0:
        return _bad(say("群机器人 {n}：刚发送过很多消息，稍后再试", "channel {n}: at its rate limit right now; try again in "
                        "a minute", lang, n=channel.name), "")
    note = ChatNote(key="doctor/test", kind="test", title=say("ordersync 测试消息", "ordersync test message", lang),
                    lines=[say("这个群会收到 ordersync 的提醒。", "This group will get ordersync's notices.", lang),
                           now.strftime("%Y-%m-%d %H:%M:%S UTC")])
    pacing.attempt(channel.name, now)
    try:
        channel.send(channel.render(note), now)
    except ChannelError as exc:
        if isinstance(exc, ChannelSetupError):
            pacing.hold(channel.name, channel.kind, str(exc), exc.hint, channel.fingerprint(), now)
        return _bad(say("群机器人 {n}：测试消息未发出：{e}", "channel {n}: the test message was not taken: {e}", lang,
                        n=channel.name, e=str(exc)), exc.hint)
    pacing.ok(channel.name, channel.kind, now)
    if chatty:
        console.print(say("[green]✓[/] 群机器人 {n}：测试消息已发送", "[green]✓[/] channel {n}: test message sent", lang,
                          n=escape(channel.name)))
    return True


def _test_mail(config: Config, register: Register, lang: str, chatty: bool) -> bool:
    """One test mail to each person mail may go to, through the configured backend."""
    people = Recipients.from_register(register, config.people, lang)
    addresses = sorted(people.allowed())
    if not addresses:
        return True
    backend = make_backend(config.mail, config.base_dir)
    now = datetime.now(timezone.utc)
    try:
        backend.open()
    except DeliveryError as exc:
        return _bad(say("邮件：无法连接：{e}", "mail: cannot connect: {e}", lang, e=str(exc)), exc.hint)
    ok = True
    try:
        for addr in addresses:
            mail = Outgoing(to=[("", addr)], subject=say("ordersync 测试邮件", "ordersync test mail", lang),
                            text=say("ordersync 的提醒会发到这个地址。", "ordersync's notices will come to this address.",
                                     lang), dedupe_key=f"doctor/test/{addr}/{now.isoformat()}")
            msg = build_email(mail, config.mail.sender, date=now)
            try:
                backend.send(msg.as_bytes(), msg["From"].addresses[0].addr_spec, [addr])
            except DeliveryError as exc:
                ok = _bad(say("邮件 {a}：测试邮件未发出：{e}", "mail {a}: the test mail was not taken: {e}", lang,
                              a=addr, e=str(exc)), exc.hint)
                continue
            if chatty:
                console.print(say("[green]✓[/] 邮件 {a}：测试邮件已发送（{b}）", "[green]✓[/] mail {a}: test mail sent ({b})",
                                  lang, a=escape(addr), b=backend.name))
    finally:
        backend.close()
    return ok


def _bad(first: str, hint: str) -> bool:
    console.print(f"[red]✗[/] {escape(first)}", soft_wrap=True)
    if hint:
        console.print(f"   {escape(hint)}", soft_wrap=True)
    return False
