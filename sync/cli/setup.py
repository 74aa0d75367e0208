"""Getting started, ``init`` and ``doctor``: the options; the work is in ``sync.cli.getting_started``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sync.cli.app import app
from sync.cli.common import Command, ConfigOption, LangOption
from sync.cli.help import both


@app.command(cls=Command, help=both(
    """根据工作簿生成 config.toml：识别出的表、表头行和列。

    在终端上，对没有把握的表（缺订单号列、组合键、列名含糊）逐一询问并写入回答；不在终端上时写出最佳猜测并在配置中注明。
    退出码：0 全部识别，1 仍有表是猜测，2 无法运行（没有任何像表的工作表、文件不可读）。""",
    """Write config.toml inferred from workbooks: tables, header rows, columns.

    On a terminal, asks about each table it is not sure of (no order-number column, a composite key, a
    vague key header) and writes the answers; otherwise writes its best guess with comments saying so.
    Exit status: 0 all recognised, 1 some table is still a guess, 2 cannot run (no sheet looks like a
    table, unreadable file)."""))
def init(
    workbooks: Annotated[list[Path], typer.Argument(metavar="WORKBOOK", help=both(
        "登记表工作簿（.xlsx .xls .ods .csv）", "the register workbooks (.xlsx .xls .ods .csv)"))],
    output: Annotated[Path, typer.Option("--output", "-o", metavar="FILE", help=both(
        "配置写到哪里", "where to write the config"))] = Path("config.toml"),
    lang: LangOption = None,
    force: Annotated[bool, typer.Option("--force", help=both("覆盖已有的配置", "overwrite an existing config"))] = False,
) -> None:
    from sync.cli.getting_started import run_init

    raise typer.Exit(run_init(workbooks, output, lang, force))


@app.command(cls=Command, help=both(
    """检查配置、数据源、列、规则、群机器人、邮件、状态、收件人、时间、模板与监视设置是否就绪，一次列出全部问题。

    邮件：解析并连接服务器、TLS、用环境变量中的密码登录；除非 --send-test，否则不发送任何消息。
    状态：能打开、完整性检查、版本、可写、剩余空间。摘要收件人都有有效邮箱；时区与时间有效；模板能编译并用数据生成。
    --send-test 向每个群机器人和每个收件人各发一条测试消息。
    退出码：0 一切就绪，1 有问题（表未找到、键列、columns 写的表头不在表里、机器人的密钥或签名被拒，或以上任何一项），2 无法运行（文件不可读、规则包缺失）。""",
    """Verify config, sources, columns, rules, group bots, mail, state, recipients, times, templates and watching,
    listing every problem at once.

    Mail: resolves and connects to the server, TLS, logs in with the password from the environment; sends nothing
    unless --send-test. State: opens, integrity check, schema version, writable, free space. Every digest's
    recipients have valid addresses; time zone and times are valid; templates compile and render with the data.
    --send-test sends one test message to each group bot and each mail recipient.
    Exit status: 0 ready, 1 something is wrong (a table not found, no key column, a columns entry naming a header
    the sheet lacks, a bot's key or signature refused, or any of the above), 2 cannot run (unreadable workbook,
    missing rule pack)."""))
def doctor(
    config: ConfigOption = None,
    lang: LangOption = None,
    send_test: Annotated[bool, typer.Option("--send-test", help=both(
        "向每个群机器人和每个收件人发送一条测试消息", "send one test message to each group bot and mail recipient"))] = False,
) -> None:
    from sync.cli.doctor_view import run_doctor

    raise typer.Exit(run_doctor(config, lang, send_test))
