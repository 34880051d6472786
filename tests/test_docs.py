"""Every command has help text and is documented in the README (as sqlite-utils' test_docs does)."""

from __future__ import annotations

import re

import click
import pytest
import typer.main
from typer.testing import CliRunner

from pipeline.cli import app
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    out = []
    for name, cmd in sorted(group.commands.items()):
        full = f"{prefix}{name}"
        if hasattr(cmd, "commands"):  # a sub-app (typer may use its own click)
            out.extend(_commands(cmd, f"{full} "))
        else:
            out.append((full, cmd))
    return out


COMMANDS = _commands(typer.main.get_command(app))  # type: ignore[arg-type]


def test_there_are_commands_to_check():
    names = [n for n, _ in COMMANDS]
    assert {"run", "extract", "train", "evaluate", "export", "code-sheet", "audit", "models list", "models compare", "corpus build"} <= set(names)


@pytest.mark.parametrize("name, cmd", COMMANDS, ids=[n for n, _ in COMMANDS])
def test_command_has_help_and_is_in_readme(name: str, cmd: click.Command):
    assert (cmd.help or "").strip(), f"{name} has no help text"
    assert f"`review-themes {name}" in README, f"`review-themes {name} ...` is not documented in README.md"
    result = CliRunner().invoke(app, [*name.split(), "--help"])
    assert result.exit_code == 0 and "Usage" in result.output


@pytest.mark.parametrize("name, cmd", COMMANDS, ids=[n for n, _ in COMMANDS])
def test_every_option_is_mentioned_in_the_readme(name: str, cmd: click.Command):
    """Each long option of each command appears somewhere in the README."""
    missing = []
    for param in cmd.params:
        for opt in getattr(param, "opts", []):
            if opt.startswith("--") and opt not in ("--help",) and not re.search(re.escape(opt) + r"\b", README):
                missing.append(opt)
    assert not missing, f"{name}: options not in README.md: {missing}"
