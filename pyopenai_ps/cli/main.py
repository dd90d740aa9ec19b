"""``pyopenai-ps``: the cmdlets from any shell, with PowerShell's syntax.

::

    pyopenai-ps [--format list|table|json|jsonl] [--property a,b] <Cmdlet-Name> [PowerShell-style arguments]
    pyopenai-ps [--format ...] [--property ...] -c "<PowerShell line>"        (also -Command)
    pyopenai-ps help <Cmdlet-Name> [-Full | -Examples]      pyopenai-ps <Cmdlet-Name> -?
    pyopenai-ps --list | demo | serve [--port N] [--host H] | --version | --help

The shell has already split the words: a word starting with ``-`` and a letter
names a parameter (``-Name:value`` reads the value as a PowerShell literal
when it is ``$true``/``$false``/``$null``, a number or quoted), ``--`` ends the
parameters, a word starting with ``@{`` or ``@(`` is that literal, a word with commas
and no spaces given to a ``String[]`` parameter is a list, and every other word is
one string value the binder converts.

Output is PowerShell's list view on a terminal and JSON Lines otherwise; bytes (a file's
content) are written as they are.  Exit
status: 0 success, 2 usage or binding error (nothing sent), 1 any other error,
including errors reported under ``-ErrorAction Continue`` and a pipeline record
that does not bind after earlier records were sent.

Startup matters, so the package is imported only as each path needs it.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from ..errors import UsageError
from .args import (PROG, has_help_token, isatty, lists_for_collections, secrets_in, switch_given, wants_stdin,
                   words_to_arguments)

__all__ = ["main"]

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2

USAGE = f"""\
usage: {PROG} [--format FORMAT] [--property NAMES] <Cmdlet-Name> [arguments...]
       {PROG} [--format FORMAT] [--property NAMES] -c "<PowerShell line>"
       {PROG} help <Cmdlet-Name> [-Full | -Examples]   |   {PROG} <Cmdlet-Name> -?
       {PROG} --list | demo | serve [--port N] [--host H] | --version

Runs PSOpenAI's cmdlets with PowerShell's parameter binding, e.g.
  {PROG} Get-ThreadRun -Thread thread_abc123 -All
  {PROG} -c "'thread_a','thread_b' | Get-ThreadRun -All"
  {PROG} Get-ThreadRun -Thread thread_abc123 -All | {PROG} Get-ThreadRun

Arguments after the cmdlet name follow PowerShell's rules: -Name value,
-Name:value, switches, positional values; '--' ends the parameters.
When standard input is a pipe or a file and the command lacks its pipeline
input, records are read from it: JSON (an array, or one value a line) or
plain lines (strings).  A complete command never reads standard input.

tool options (before the cmdlet name):
  -c, -Command LINE   run a whole PowerShell line, pipelines included
  --format FORMAT     list, table, json (one array) or jsonl (one object a
                      line); default: list on a terminal, else jsonl
  --property NAMES    only these properties, in this order (comma-separated,
                      * and ? wildcards), in every format
  --list              list the cmdlets and their synopses (honours --format)
  --version           print the version
  -h, --help          show this help

Settings come from the environment: OPENAI_API_KEY, OPENAI_API_BASE,
OPENAI_ORGANIZATION (or each cmdlet's connection parameters: see its help).
Exit status: 0 success, 1 error, 2 usage or binding error (nothing sent).
"""

# --- the session: one run of the tool ---------------------------------------------------------


class _Options:
    """The tool options given before the cmdlet name."""

    def __init__(self) -> None:
        self.fmt: str | None = None
        self.properties: list[str] | None = None
        self.listing = False  #: --list, wherever it stands among the tool options


class _Session:
    def __init__(self, options: _Options) -> None:
        from .streams import NO_PROGRESS, Messages, Progress, Scrubber

        self.fmt = options.fmt or ("list" if isatty(sys.stdout) else "jsonl")
        self.properties = options.properties
        # progress only where a person watches: a terminal's stderr
        self.hook = Progress() if isatty(sys.stderr) else None
        self.progress = self.hook or NO_PROGRESS
        self.scrub = Scrubber([os.environ.get("OPENAI_API_KEY", "")])
        self.messages = Messages(self.progress, self.scrub)
        self.messages.install()
        self.debug = False
        self.failed_in: dict[str, str] = {}
        self.invocations: list[Any] = []
        self.columns: tuple[str, ...] = ()

    def tagged(self, invocation: Any) -> Any:
        """The invocation's objects; remembers which command of a pipeline raised."""
        try:
            yield from invocation
        except Exception:
            self.failed_in.setdefault("name", invocation.command.name)
            raise

    def prepare(self, command: Any, arguments: list[Any], records: Any, first: bool) -> Any:
        """Bind one command (nothing is sent) and return its lazy output."""
        from ..runtime.command import REGISTRY
        from ..runtime.invocation import Invocation

        self.debug = self.debug or switch_given(command, arguments, "Debug")
        for secret in secrets_in(command, arguments):
            self.scrub.add(secret)
        if first and records is None and wants_stdin(command, arguments):
            from .streams import stdin_records

            records = stdin_records(sys.stdin)
        invocation = Invocation(command, arguments, records=records, progress=self.hook, lookup=REGISTRY.get)
        self.invocations.append(invocation)
        self.columns = command.spec.view.table  # the table view of the pipeline's last command
        return self.tagged(invocation)

    def sent_anything(self) -> bool:
        """Whether any command of the run has sent a request (then exit status 2 no longer applies)."""
        return any(invocation.calls for invocation in self.invocations)

    def settings_failure(self) -> int | None:
        """Check every command's own settings before the first request; the exit status if one is bad."""
        from ..errors import ConfigurationError

        for invocation in self.invocations:
            try:
                invocation.check_settings()
            except ConfigurationError as error:
                self.report(error, invocation.command.name)
                return EXIT_FAILED
        return None

    def run(self, stream: Any, default_name: str) -> int:
        """Write the objects as they arrive; the exit status."""
        from ..errors import ParameterBindingError, PSOpenAIError
        from .writers import OutputFailed, check_stdout, make_writer

        writer = make_writer(self.fmt, self.progress, properties=self.properties, columns=self.columns)
        code = EXIT_OK
        try:
            check_stdout()  # nowhere to write: say so before anything is sent
            try:
                for item in stream:
                    if isinstance(item, (bytes, bytearray)):
                        writer.write_bytes(item)
                    else:
                        writer.write(item)
            finally:
                self.progress.clear()
                writer.close()
        except BrokenPipeError:
            _silence_stdout()
            return EXIT_FAILED
        except OutputFailed as failed:
            _silence_stdout()  # so Python's own flush at exit fails no more
            self.report_text(f"{PROG}: cannot write the output: {failed.reason}.")
            return EXIT_FAILED
        except PSOpenAIError as error:
            name = self.failed_in.get("name", default_name)
            self.report(error, name)
            nothing_sent = isinstance(error, ParameterBindingError) and not self.sent_anything()
            code = EXIT_USAGE if nothing_sent else EXIT_FAILED
        except Exception as error:  # a bug or an OS error: still no traceback unless -Debug
            self.report(error, PROG, internal=True)
            code = EXIT_FAILED
        if code == EXIT_OK and self.messages.errors:
            code = EXIT_FAILED  # -ErrorAction Continue went on past errors
        return code

    def report(self, error: BaseException, where: str, internal: bool = False) -> None:
        self.progress.clear()
        if self.debug:
            import traceback

            # format_exception shows no local variables, and the scrubber masks any key text
            _err(self.scrub("".join(traceback.format_exception(error))))
        if internal:
            message = f"internal error: {type(error).__name__}: {error}"
            if not self.debug:
                message += " (run with -Debug to see the traceback)"
        else:
            message = str(error)
        self.report_text(f"{where}: {message}")

    def report_text(self, text: str) -> None:
        from .streams import ERROR_STYLE, colour_for, paint

        self.progress.clear()
        _err(paint(self.scrub(text), ERROR_STYLE, colour_for(sys.stderr)) + "\n")


def _err(text: str) -> None:
    """Write to stderr; a closed or broken stderr never changes the outcome or the exit status."""
    from .streams import write_stderr

    write_stderr(text)


def _silence_stdout() -> None:
    """After the reader went away (``| head``), keep Python from complaining at exit."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # not a file (a caller's stream), or no stdout at all
        pass


# --- entry points -----------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    words = sys.argv[1:] if argv is None else list(argv)
    try:
        return _main(words)
    except KeyboardInterrupt:
        _err("\n")
        return 130
    except BrokenPipeError:  # the reader went away (``demo | head``): quietly, like the listings
        _silence_stdout()
        return EXIT_FAILED
    except UsageError as error:
        from .streams import ERROR_STYLE, colour_for, paint

        _err(paint(f"{error.where}: {error}", ERROR_STYLE, colour_for(sys.stderr)) + "\n")
        if error.where == PROG:
            _err(f"Try '{PROG} --help' for more information.\n")
        return EXIT_USAGE
    finally:
        # give the pyopenai_ps logger back as it was: main() may run again in this process
        io = sys.modules.get("pyopenai_ps.cli.streams")
        if io is not None:
            io.uninstall_all()


_TOOL_OPTIONS = ("--format", "--property", "--list")


def _tool_option_in(words: list[str]) -> str | None:
    """The first word that is one of the tool's own options (given after the cmdlet name or line)."""
    for word in words:
        if word == "--":
            return None  # what follows is values
        name = word.partition("=")[0]
        if name in _TOOL_OPTIONS:
            return name
    return None


def _option_value(words: list[str], i: int, option: str, example: str) -> tuple[str, int]:
    """The value of ``--option value`` or ``--option=value`` at ``words[i]``, and the next index."""
    word = words[i]
    if "=" in word:
        return word.partition("=")[2], i + 1
    if i + 1 < len(words):
        return words[i + 1], i + 2
    raise UsageError(f"{option} needs a value: {example}.")


def _main(words: list[str]) -> int:
    options = _Options()
    i = 0
    while i < len(words):
        word = words[i]
        if word in ("-h", "--help", "-?", "/?"):
            print(USAGE, end="")
            return EXIT_OK
        if options.listing and (word == "--version" or word.lower() in ("-c", "-command", "--command")):
            raise UsageError(f"--list cannot be combined with {word}.")
        if word == "--version":
            from .._version import __version__

            print(f"{PROG} {__version__}")
            return EXIT_OK
        if word == "--list":
            options.listing = True
            i += 1
            continue
        if word == "--format" or word.startswith("--format="):
            value, i = _option_value(words, i, "--format", "list, table, json or jsonl")
            options.fmt = value.lower()
            if options.fmt not in ("list", "table", "json", "jsonl"):
                raise UsageError(f"unknown format '{value}': use list, table, json or jsonl.")
            continue
        if word == "--property" or word.startswith("--property="):
            value, i = _option_value(words, i, "--property", "property names separated by commas, e.g. id,status")
            names = [name.strip() for name in value.split(",") if name.strip()]
            if not names:
                raise UsageError("--property needs property names separated by commas, e.g. id,status.")
            options.properties = (options.properties or []) + names
            continue
        if word.lower() in ("-c", "-command", "--command"):
            line = " ".join(words[i + 1:])  # like pwsh -Command, the remaining words make the line
            misplaced = _tool_option_in(words[i + 1:])
            if misplaced:
                raise UsageError(f"tool options such as {misplaced} go before {word}, not after the line.")
            if not line.strip():
                raise UsageError(f"{word} needs a PowerShell line, e.g. {word} \"Get-ThreadRun -Thread thread_abc\".")
            return _run_line(line, options)
        if word.startswith("-") and word != "-":
            raise UsageError(f"unknown option '{word}' (tool options go before the cmdlet name).")
        break
    if options.listing:
        if i < len(words):
            raise UsageError(f"--list takes no cmdlet name ('{words[i]}'): use help {words[i]} for one cmdlet.")
        from .helpview import list_cmdlets

        list_cmdlets(options.fmt, options.properties)
        return EXIT_OK
    if i >= len(words):
        _err(USAGE)
        return EXIT_USAGE
    name, rest = words[i], words[i + 1:]
    special = name.lower()
    if special == "help":
        from .helpview import help_command

        help_command(rest)
        return EXIT_OK
    if special == "demo":
        if rest:
            raise UsageError("demo takes no arguments.")
        from .demo import run_demo

        return run_demo(sys.stdout)
    if special == "serve":
        from ..server.__main__ import main as serve

        return serve(rest, prog=f"{PROG} serve")
    return _run_command(name, rest, options)


def _print_help(command: Any) -> None:
    from .helpview import show_help

    show_help(command)


def _run_command(name: str, words: list[str], options: _Options) -> int:
    from ..errors import CommandNotFoundError, PSOpenAIError, SpecError
    from ..runtime.command import REGISTRY

    session = _Session(options)
    try:
        command = REGISTRY.get(name)
        arguments = lists_for_collections(command, words_to_arguments(words))
        if has_help_token(arguments):
            _print_help(command)
            return EXIT_OK
        stream = session.prepare(command, arguments, None, first=True)
    except UsageError as error:
        raise UsageError(str(error), where=name) from None
    except SpecError as error:
        session.report(error, name)
        return EXIT_FAILED
    except PSOpenAIError as error:  # binding and setup: nothing was sent
        shown = error.name if isinstance(error, CommandNotFoundError) else getattr(error, "command_name", name)
        session.report(error, shown)
        misplaced = _tool_option_in(words)
        if misplaced:
            _err(f"{PROG}: tool options such as {misplaced} go before the cmdlet name.\n")
        return EXIT_USAGE
    return session.settings_failure() or session.run(stream, name)


def _run_line(line: str, options: _Options) -> int:
    from ..errors import CommandNotFoundError, LineSyntaxError, PSOpenAIError, SpecError
    from ..pslang.parser import parse_line
    from ..runtime.command import REGISTRY

    session = _Session(options)
    name = PROG
    try:
        pipeline = parse_line(line)
        commands = [(REGISTRY.get(call.name), list(call.arguments)) for call in pipeline.commands]
        for command, arguments in commands:
            if has_help_token(arguments):
                _print_help(command)
                return EXIT_OK
        stream: Any = list(pipeline.input) if pipeline.input is not None else None
        for position, (command, arguments) in enumerate(commands):
            name = command.name
            stream = session.prepare(command, arguments, stream, first=position == 0)
    except LineSyntaxError as error:
        session.report(error, "ParserError")
        return EXIT_USAGE
    except SpecError as error:
        session.report(error, name)
        return EXIT_FAILED
    except PSOpenAIError as error:
        shown = error.name if isinstance(error, CommandNotFoundError) else getattr(error, "command_name", name)
        session.report(error, shown)
        return EXIT_USAGE
    return session.settings_failure() or session.run(stream, name)
