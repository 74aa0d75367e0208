"""``init`` on a terminal asks about each table it is not sure of, and takes the answers.

"8月 looks like an orders table: order no. = B 生產單号, quantity = E 數量(Pcs),
due date = H 客期 — right? [Y/n]"; when the answer is no, or the sheet has no key
column (probable, or recognised with none), "which column is the order number? (letter or header)". The answers go
into the ``Guess`` (``answer``, ``key_column``); ``scaffold.render_config`` writes them.
Lines are read from stdin as typed: an empty line takes the default, end of input stops asking.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from sync.i18n import say
from sync.tables.fields import TABLES, header_key
from sync.tables.reading import field_word, table_word
from sync.tables.scaffold import Guess
from sync.tables.table import column_letter

#: the fields a question shows besides the key: what a person recognises a table by
SHOWN = ("quantity", "due_date", "customer", "product", "planned_finish", "shipped_qty", "inspected_qty")
TRIES = 3
NO = ("n", "no", "否", "不", "不对", "错")

Ask = Callable[[str], str | None]


def can_ask() -> bool:
    """A person is there: stdin and stdout are a terminal (a pipe or a redirect gets the best guess)."""
    return sys.stdin.isatty() and sys.stdout.isatty()


def ask_line(prompt: str) -> str | None:
    """One answer typed at the terminal; None at the end of input."""
    sys.stdout.write(prompt + " ")
    sys.stdout.flush()
    line = sys.stdin.readline()
    return line.strip() if line else None


def ask_all(guessed: list[Guess], lang: str, ask: Ask = ask_line) -> None:
    """Ask about each guess in turn; stop at the end of input (what is unanswered stays a guess)."""
    for guess in guessed:
        if not _ask_one(guess, lang, ask):
            return


def _ask_one(guess: Guess, lang: str, ask: Ask) -> bool:
    """Right? Then, when it is not (or the sheet has no key column), which column is the key."""
    reply = ask(right_question(guess, lang))
    if reply is None:
        return False
    guess.answer = "no" if reply.lower() in NO else "yes"
    if guess.answer == "yes" and not guess.keyless:
        return True
    return _ask_key(guess, lang, ask)


def _ask_key(guess: Guess, lang: str, ask: Ask) -> bool:
    """Which column is the key: a letter or a header of this sheet; empty leaves it a guess."""
    labels = guess.match.labels
    for _ in range(TRIES):
        reply = ask(key_question(guess, lang))
        if reply is None:
            return False
        if not reply:
            return True
        col = find_column(reply, labels)
        if col is not None:
            guess.key_column = col
            return True
        print(say("  表头里没有「{r}」：请输入列字母（A–{last}）或表头文字",
                  "  no column {r!r} in the header: type a letter (A–{last}) or a header", lang,
                  r=reply, last=column_letter(max(len(labels) - 1, 0))))
    return True


def find_column(reply: str, labels: list[str]) -> int | None:
    """A column letter within the header, or a header label (folded as headers are: 生 產 單号 = 生产单号)."""
    text = reply.strip()
    if text.isascii() and text.isalpha() and len(text) <= 3:
        col = _column_index(text.upper())
        if col < len(labels):
            return col
    wanted = header_key(text)
    return next((c for c, label in enumerate(labels) if label and header_key(label) == wanted), None)


def _column_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def right_question(guess: Guess, lang: str) -> str:
    """'8月 looks like an orders table: order no. = B 生產單号, quantity = E 數量(Pcs) — right? [Y/n]'."""
    m, spec = guess.match, TABLES[guess.table]
    shown = [*m.key, *(f for f in SHOWN if f in m.mapping and f not in m.key)][:5]
    cols = say("，", ", ", lang).join(f"{field_word(spec, f, lang)} = {column_letter(m.mapping[f])} "
                                     f"{m.labels[m.mapping[f]]}" for f in shown)
    name = table_word(guess.table, lang)
    if guess.keyless:   # probable, or read with no key column: the key is what to ask
        return say("{s} 看起来是{t}表（没有找到{k}列）：{cols} —— 对吗？[Y/n]",
                   "{s} looks like {a} {t} table (no {k} column found): {cols} — right? [Y/n]", lang,
                   s=guess.sheet, t=name, a=_article(name), k=_key_word(guess, lang), cols=cols)
    return say("{s} 看起来是{t}表：{cols} —— 对吗？[Y/n]", "{s} looks like {a} {t} table: {cols} — right? [Y/n]",
               lang, s=guess.sheet, t=name, a=_article(name), cols=cols)


def key_question(guess: Guess, lang: str) -> str:
    return say("{s}：哪一列是{k}？（列字母或表头，回车跳过）", "{s}: which column is the {k}? (letter or header; "
               "empty to skip)", lang, s=guess.sheet, k=_key_word(guess, lang))


def _key_word(guess: Guess, lang: str) -> str:
    spec = TABLES[guess.table]
    word = field_word(spec, spec.key[0], lang)
    return "order number" if word == "order no." else word


def _article(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"
