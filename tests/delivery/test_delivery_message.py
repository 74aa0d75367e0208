"""build_email: sheet text never becomes a header, an address or markup."""

from __future__ import annotations

from email import message_from_bytes, policy

import pytest

from sync.delivery import BadRecipient, Outgoing, build_email, message_id_for
from tests.delivery.test_delivery_smtp import digest, png

SENDER = "ordersync <ordersync@factory.example>"


def parsed(outgoing: Outgoing):
    raw = build_email(outgoing, SENDER).as_bytes()
    return raw, message_from_bytes(raw, policy=policy.default)


@pytest.mark.parametrize("evil", ["PO-1 逾期\r\nBcc: spy@evil.example", "PO-1\nBcc: spy@evil.example",
                                  "PO-1\rBcc: spy@evil.example", "PO-1\u2028Bcc: spy@evil.example",
                                  "PO-1\x00\x85Bcc: spy@evil.example"])
def test_a_subject_or_name_with_line_breaks_stays_one_header(evil):
    raw, msg = parsed(digest(subject=evil, to=[(evil, "zhang@factory.example")], cc=[]))
    assert b"\r\nBcc:" not in raw and b"\nBcc:" not in raw
    assert msg["Bcc"] is None
    assert "\n" not in msg["Subject"] and "\r" not in msg["Subject"]
    assert msg["Subject"].endswith("Bcc: spy@evil.example")             # the text survives, harmless
    assert [a.addr_spec for a in msg["To"].addresses] == ["zhang@factory.example"]


@pytest.mark.parametrize("bad", ["zhang@factory.example\r\nBcc: spy@evil.example", "a@b.example, spy@evil.example",
                                 "张伟 <zhang@factory.example>", "zhang at factory", "", "spy@evil.example>"])
def test_anything_but_a_plain_address_is_refused_not_guessed(bad):
    with pytest.raises(BadRecipient):
        build_email(digest(to=[("张伟", bad)], cc=[]), SENDER)


def test_display_names_with_quotes_and_commas_are_quoted_by_the_email_package():
    _, msg = parsed(digest(to=[('Zhang, "Boss" <x@evil.example>', "zhang@factory.example")], cc=[]))
    [addr] = msg["To"].addresses
    assert addr.addr_spec == "zhang@factory.example" and addr.display_name == 'Zhang, "Boss" <x@evil.example>'


def test_the_html_body_is_the_notices_own_and_nothing_is_added_to_it():
    html = "<p>客户 &lt;b&gt;美佳&lt;/b&gt;</p>"
    _, msg = parsed(digest(html=html, subject="<b>x</b>", inline_images={}))
    assert msg.get_body(("html",)).get_content().strip() == html
    assert msg.get_body(("plain",)).get_content().strip() == "张伟，你好：\r\n3 单逾期。"


def test_text_only_messages_have_no_html_part():
    _, msg = parsed(digest(html=None, inline_images={}, attachments=[]))
    assert msg.get_content_type() == "text/plain"


def test_the_message_id_follows_the_dedupe_key_so_a_resend_is_recognisable():
    a, b = build_email(digest("k1"), SENDER), build_email(digest("k1"), SENDER)
    assert a["Message-ID"] == b["Message-ID"] == message_id_for("k1", SENDER)
    assert a["Message-ID"].endswith("@factory.example>") and message_id_for("k2", SENDER) != a["Message-ID"]


def test_parts_and_file_names_are_checked():
    with pytest.raises(ValueError, match="inline image id"):
        build_email(digest(inline_images={'x" onerror="': png()}), SENDER)
    with pytest.raises(ValueError, match="MIME type"):
        build_email(digest(attachments=[("a.csv", b"1", "text/csv\r\nBcc: x")]), SENDER)
    _, msg = parsed(digest(attachments=[("../../etc/passwd\r\n.csv", b"1", "text/csv")]))
    assert [p.get_filename() for p in msg.iter_attachments()] == [".._.._etc_passwd .csv"]


def test_every_byte_is_seven_bit_so_any_server_takes_it():
    raw, _ = parsed(digest())
    assert max(raw) < 128 and b"\r\n" in raw
