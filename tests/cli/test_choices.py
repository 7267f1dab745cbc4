"""What ``--help`` lists as an option's choices is what the option takes, written as its default and its
help text write it: click lower-cases case-insensitive choices, so ``review meta --help`` offered
``--method [fe|dl|reml|ml|pm]`` beside ``[default: REML]``."""

from __future__ import annotations

from collections.abc import Iterator

import click
from click.testing import CliRunner

from review.cli import main

from ..synthesis.test_meta_cli import CMD_ROWS


def _commands(group: click.Group, ctx: click.Context) -> Iterator[tuple[click.Command, click.Context]]:
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None
        sub = click.Context(command, info_name=name, parent=ctx)
        yield command, sub
        if isinstance(command, click.Group):
            yield from _commands(command, sub)


def _shown_choices(param: click.Parameter, ctx: click.Context) -> list[str] | None:
    metavar = param.make_metavar(ctx) if isinstance(param, click.Option) else None
    if not metavar or not metavar.startswith("[") or "|" not in metavar:
        return None
    return metavar.strip("[]{}").split("|")


def test_every_choice_help_lists_is_taken_and_holds_the_default_as_written() -> None:
    root = click.Context(main, info_name="review")
    checked = 0
    for command, ctx in _commands(main, root):
        for param in command.params:
            shown = _shown_choices(param, ctx)
            if shown is None:
                continue
            checked += 1
            for value in shown:
                assert param.type.convert(value, param, ctx) == value, (command.name, param.name, value)
            if isinstance(param.default, str):
                assert param.default in shown, (command.name, param.name, param.default, shown)
    assert checked >= 12  # (15 on 2026-12-06: format, lang, model, query, measure, method, ...)


def test_meta_takes_its_measures_and_methods_in_any_case(tmp_path) -> None:
    source = tmp_path / "est.csv"
    source.write_text(CMD_ROWS, encoding="utf-8")
    helped = CliRunner().invoke(main, ["meta", "--help"])
    assert "--measure [OR|HR|RR|MD]" in helped.stdout and "--method [FE|DL|REML|ML|PM]" in helped.stdout
    upper = CliRunner().invoke(main, ["meta", str(source), "--measure", "OR", "--method", "REML"])
    for measure, method in (("or", "reml"), ("Or", "Reml")):
        typed = CliRunner().invoke(main, ["meta", str(source), "--measure", measure, "--method", method])
        assert typed.exit_code == 0 and typed.stdout == upper.stdout
    wrong = CliRunner().invoke(main, ["meta", str(source), "--method", "fixed"])
    assert wrong.exit_code == 2 and wrong.stderr == (
        "review: meta: Invalid value for '--method': 'fixed' is not one of 'FE', 'DL', 'REML', 'ML', 'PM' (any case). "
        "(review meta --help)\n")


def test_the_rule_is_written_in_interfaces_md() -> None:
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "interfaces.md").read_text(encoding="utf-8")
    conventions = doc.split("| shell conventions |", 1)[1].split("\n", 1)[0]
    assert "`--help` lists an option's choices as the option takes them and as its default is written" in conventions
