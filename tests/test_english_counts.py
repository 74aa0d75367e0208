"""English after a count of one: "1 day late", "1 order needs", never "1 days late" (Chinese has no plural)."""

from __future__ import annotations

from sync.i18n import Text, say
from sync.notices.render import translator


def test_a_count_of_one_takes_the_singular_and_its_verb():
    needs = Text("{n} 个订单需要跟进", "{n} orders need your follow-up")
    assert needs.format("en", n=1) == "1 order needs your follow-up"
    assert needs.format("en", n=2) == "2 orders need your follow-up"
    assert needs.format("en", n=0) == "0 orders need your follow-up"
    assert needs.format("zh", n=1) == "1 个订单需要跟进"
    held = "{column}: {count} cells hold a placeholder ({examples}): {cells}"
    assert say("", held, "en", column="Qty", count=1, examples="TBD", cells="E4") == \
        "Qty: 1 cell holds a placeholder (TBD): E4"
    assert say("", "{t} tables, {n} rows: {e} errors, {w} warnings", "en", t=1, n=12, e=1, w=0) == \
        "1 table, 12 rows: 1 error, 0 warnings"
    assert say("", "{n} working days left", "en", n=1) == "1 working day left"
    assert say("", "{count} dates are given as a week", "en", count=1) == "1 date is given as a week"
    assert say("", "{rows:,} rows x {cols:,} columns", "en", rows=1, cols=1) == "1 row x 1 column"


def test_only_words_written_after_a_count_change_never_a_value_filled_in():
    assert say("", "{column} '{value}' is not a number", "en", column="Qty", value="1 days") == \
        "Qty '1 days' is not a number"
    assert say("", "order {no} is {n} days overdue", "en", no="1 orders", n=3) == "order 1 orders is 3 days overdue"
    assert say("", "exit 1 errors found; {n} days", "en", n=1) == "exit 1 errors found; 1 day"
    assert say("", "{flag} days", "en", flag=True) == "True days"   # a yes/no is no count


def test_mails_and_pages_agree_too():
    assert translator("en")("逾期 {n} 天", "{n} days late", n=1) == "1 day late"
    html = translator("en", html=True)("{n} 个订单", "{n} orders need <b>you</b>", n=1)
    assert str(html) == "1 order needs &lt;b&gt;you&lt;/b&gt;"

