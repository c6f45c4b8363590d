"""The pieces the command is built from on click: commands, value types, shared options.

Each command's callback only gathers its arguments: it returns the handler to run and an
:data:`~timeline.cli._base.Args`, and :func:`timeline.cli.main` runs it, so every error of a
handler goes through the one error path (one line, the exit status).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final

import click
import click.shell_completion

from timeline.cli._args import BadValue
from timeline.cli._base import DEFAULT_LOG, LOG_ENV, Args

__all__ = [
    "SHARED",
    "Choice",
    "Command",
    "Group",
    "Handler",
    "Reader",
    "add_command",
    "example",
    "param_name",
    "shared_options",
    "usage_message",
]

Handler = Callable[[Args], int]

#: The options every command takes, before or after its name.
SHARED: Final = ("log", "debug", "no_progress")


def example(*lines: str) -> str:
    """A help text's example block."""
    return "example:\n" + "\n".join(f"  {line}" for line in lines)


class _Layout:
    """``usage:`` in lower case, and the epilog (the example) kept as written."""

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        pieces = self.collect_usage_pieces(ctx)  # type: ignore[attr-defined]  # a click.Command's
        formatter.write_usage(ctx.command_path, " ".join(pieces), prefix="usage: ")

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:  # noqa: ARG002  # click's signature
        epilog = getattr(self, "epilog", None)
        if epilog:
            formatter.write_paragraph()
            formatter.write(epilog.rstrip("\n") + "\n")


class Command(_Layout, click.Command):
    """A ``timeline`` command."""


class Group(_Layout, click.Group):
    """The ``timeline`` group: an unknown command is named, with the closest one suggested."""

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name = click.utils.make_str(args[0])
        if self.get_command(ctx, name) is None and not ctx.resilient_parsing:
            names = self.list_commands(ctx)
            close = difflib.get_close_matches(name, names, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise click.UsageError(
                f"invalid choice: {name!r}{hint} (choose from {', '.join(names)})", ctx
            )
        return super().resolve_command(ctx, args)

    def list_commands(self, ctx: click.Context) -> list[str]:  # noqa: ARG002  # click's signature
        return list(self.commands)  # in the order they were added, not sorted


class Reader(click.ParamType):  # type: ignore[type-arg]  # generic only in newer stubs
    """A value read by one of :mod:`timeline.cli._args`' readers (a ``BadValue`` is a usage error)."""

    def __init__(
        self, name: str, read: Callable[[str], Any], completions: Sequence[str] = ()
    ) -> None:
        self.name = name
        self.read = read
        self.completions = tuple(completions)

    def shell_complete(
        self, ctx: click.Context, param: click.Parameter, incomplete: str
    ) -> list[click.shell_completion.CompletionItem]:
        """The completions that start with what was typed (any case)."""
        del ctx, param  # click's signature
        typed = incomplete.casefold()
        return [
            click.shell_completion.CompletionItem(c)
            for c in self.completions
            if c.casefold().startswith(typed)
        ]

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if not isinstance(value, str):
            return value
        try:
            return self.read(value)
        except BadValue as e:
            self.fail(str(e), param, ctx)


class Choice(click.Choice[str]):
    """One of some names, any of ``aliases`` standing for another: ``invalid choice: 'x'``."""

    def __init__(self, choices: Sequence[str], aliases: Mapping[str, str] | None = None) -> None:
        self.aliases = dict(aliases or {})
        super().__init__([*choices, *self.aliases])

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        chosen = super().convert(value, param, ctx)
        return self.aliases.get(chosen, chosen)

    def get_invalid_choice_message(self, value: Any, ctx: click.Context | None) -> str:  # noqa: ARG002  # click's
        return f"invalid choice: {value!r} (choose from {', '.join(map(str, self.choices))})"


def shared_options() -> list[click.Parameter]:
    """``--log``, ``--debug``, ``--no-progress``: before or after the command's name.

    Given after it, a value wins over one given before it; a flag given either place is on.
    """
    return [
        click.Option(
            ["--log"],
            metavar="URL",
            help="the log: a .db/.sqlite or .jsonl path, sqlite:///path, postgresql://... "
            f"(default: ${LOG_ENV}, else {DEFAULT_LOG})",
        ),
        click.Option(["--debug"], is_flag=True, help="show the traceback of an error"),
        click.Option(
            ["--no-progress"],
            is_flag=True,
            help="never draw a progress bar (none is drawn unless stderr is a terminal)",
        ),
    ]


def add_command(
    group: click.Group,
    name: str,
    handler: Handler,
    summary: str,
    *examples: str,
    params: Sequence[click.Parameter] = (),
) -> Command:
    """Add a command whose callback returns ``(handler, args)``."""

    def callback(**values: Any) -> tuple[Handler, Args]:
        root = click.get_current_context().find_root().params
        values["log"] = values.get("log") or root.get("log")
        values["debug"] = bool(values.get("debug") or root.get("debug"))
        values["no_progress"] = bool(values.get("no_progress") or root.get("no_progress"))
        values["command"] = name
        return handler, Args(**values)

    command = Command(
        name,
        callback=callback,
        params=[*params, *shared_options()],
        help=summary[0].upper() + summary[1:] + ".",
        short_help=summary,
        epilog=example(*examples),
        context_settings={"help_option_names": ["-h", "--help"]},
    )
    group.add_command(command)
    return command


def param_name(param: click.Parameter) -> str:
    """How a usage error names a parameter: its long option, or its metavar."""
    if isinstance(param, click.Option):
        longs = [o for o in param.opts if o.startswith("--")]
        return (longs or param.opts)[0]
    return param.metavar or (param.name or "").upper()


def usage_message(error: click.UsageError) -> str:
    """A usage error as one line, naming the argument: ``argument --from: not a date ...``."""
    param = getattr(error, "param", None)
    if isinstance(error, click.MissingParameter) and param is not None:
        return f"the following arguments are required: {param_name(param)}"
    if isinstance(error, click.BadParameter) and param is not None:
        return f"argument {param_name(param)}: {error.message}"
    return " ".join(error.format_message().split())
