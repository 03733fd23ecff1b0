"""The `inference-energy` command line: one subcommand per module, imported only when used.

Each command module defines `add_arguments(parser)` and `run(args) -> int` (the exit code),
so a command's options live beside its code and `validate` never pays for importing DuckDB.

A person's mistake (a folder that is not a package, a missing file, an unreadable descriptor)
prints one line `inference-energy <command>: error: ...` and exits 1; argparse's usage errors
exit 2. Anything else is a bug: one line naming it as an internal error, exit 1, and the
traceback only with INFERENCE_ENERGY_DEBUG=1.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import importlib
import json
import os
import sys
from pathlib import Path

# The garbage collector's thresholds in a command's own process. Most of what a command allocates
# is the modules it imports (pandas, pandera, pyarrow, DuckDB, frictionless: about 100,000
# objects the collector tracks, alive to the end); with Python's default (700, 10, 10) full
# collections traverse them all again and again: importing those five took 0.69-0.72 s of CPU
# with the default, 0.65 s with this (validate on the real package: 0.906 -> 0.873 s). Young
# garbage is still collected every 700 allocations; only full collections are put off (from
# every 70,000 allocations to every 7,000,000).
COMMAND_GC_THRESHOLDS = (700, 10, 1000)

COMMANDS = {
    "validate": ("inference_energy.validate", "check the package: descriptor, headers, every cell, cross-table rules"),
    "build": ("inference_energy.build", "validate, then build build/ai-inference-energy.duckdb and build/parquet/"),
    "query": ("inference_energy.query", "run SQL on the built database (read-only)"),
    "release": ("inference_energy.release", "write dist/ai-inference-energy-<version>/ with hashes and a zip"),
    "verify": ("inference_energy.verify", "check a downloaded release against its hashes and validate it"),
    "diff": ("inference_energy.diff", "show what changed between two versions of the package"),
    "check-version": ("inference_energy.versioning", "check the version bump and CHANGELOG entry against a base"),
    "docs": ("inference_energy.docs", "generate the documentation pages and figures"),
    "import": ("inference_energy.importers.command", "import measured energy from upstream repos (mlperf, mlenergy)"),
}
DEBUG_ENV = "INFERENCE_ENERGY_DEBUG"


class UsageError(Exception):
    """A mistake in what was typed, found before the command runs."""


def tool_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("inference-energy")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown (not installed)"


def check_package_argument(args: argparse.Namespace) -> None:
    """The package a command is pointed at exists and has a descriptor, before any work starts."""
    from .metadata import DESCRIPTOR, descriptor_path

    validating = args.command == "validate"  # validate reports a missing package as a problem itself
    given = getattr(args, "path" if validating else "package", None)
    if given is None:
        return
    path = Path(given)
    if not validating and not path.exists():
        raise UsageError(f"--package {given}: no such folder or file")
    if not validating and not descriptor_path(path).is_file():
        where = "in the current folder" if given == "." else f"in {given}"
        raise UsageError(f"no {DESCRIPTOR} {where}: run it in the package folder or give --package <folder>")
    if path.is_file() and path.name != DESCRIPTOR:
        try:
            content = json.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            content = None
        if not isinstance(content, dict) or "resources" not in content:
            raise UsageError(
                f"{given} is not a package descriptor (a JSON {DESCRIPTOR} with resources): "
                "give the package folder or its datapackage.json"
            )


def user_error_text(exc: BaseException) -> str | None:
    """One line for an error caused by the input, or None when the exception is a bug."""
    if isinstance(exc, UsageError):
        return str(exc)
    if isinstance(exc, OSError):
        what = exc.strerror or str(exc)
        return f"{exc.filename}: {what}" if exc.filename else what
    if isinstance(exc, (UnicodeDecodeError, json.JSONDecodeError)):
        return f"cannot read a file of the package: {exc}"
    if type(exc).__module__.startswith("inference_energy.") and isinstance(exc, Exception):
        return str(exc) or type(exc).__name__  # the package's own errors (BuildError, SideError, ...)
    return None


def one_line(text: str) -> str:
    return " ".join(text.split())


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(prog="inference-energy", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"inference-energy {tool_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    name = argv[0] if argv and argv[0] in COMMANDS else None
    for cmd, (module_name, help_text) in COMMANDS.items():
        cmd_parser = sub.add_parser(cmd, help=help_text, description=help_text)
        if cmd == name:  # import only the module that will run
            module = importlib.import_module(module_name)
            module.add_arguments(cmd_parser)
            cmd_parser.set_defaults(run=module.run)
    args = parser.parse_args(argv)
    from inference_energy.metadata import PackageError

    try:
        check_package_argument(args)
        return args.run(args)
    except KeyboardInterrupt:
        print(f"inference-energy {args.command}: interrupted", file=sys.stderr)
        return 130
    except PackageError as exc:  # a descriptor or schema no command can use: located lines, never a traceback
        if os.environ.get(DEBUG_ENV):
            raise
        for problem in exc.problems:
            print(problem.as_text(), file=sys.stderr)
        print(
            f"inference-energy {args.command}: error: the package cannot be read; fix the problems above",
            file=sys.stderr,
        )
        return 1
    except Exception as exc:
        if os.environ.get(DEBUG_ENV):
            raise
        text = user_error_text(exc)
        if text is not None:
            print(f"inference-energy {args.command}: error: {one_line(text)}", file=sys.stderr)
        else:
            print(
                f"inference-energy {args.command}: internal error: {type(exc).__name__}: {one_line(str(exc))} "
                f"(a bug, please report it; {DEBUG_ENV}=1 shows the traceback)",
                file=sys.stderr,
            )
        return 1


PR_SET_THP_DISABLE = 41  # linux/prctl.h


def no_huge_pages() -> None:
    """No transparent huge pages for this process and its children (Linux; elsewhere nothing).

    numpy (arrays of 4 MiB or more) and pyarrow's allocator (its 1 GiB arenas) ask the kernel for
    huge pages (madvise). Where the kernel must first find a free 2 MiB page for them (with
    `defrag` set to `madvise`, its default, it compacts memory in the fault), a fault can wait:
    touching 512 MiB took 0.09-3.9 s with huge pages and 0.20-0.22 s without, and validating
    1,000,000 rows spent 2.1-3.2 s in the kernel with them and 0.3-0.4 s without, in the same
    minutes (its peak memory fell from 571-583 to 514-534 MiB). A preference: a kernel that
    refuses it is no error.
    """
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0)


def entry() -> None:
    """The console script and `python -m inference_energy`: main(), then exit at once.

    Tearing the interpreter down (pandas, pandera, pyarrow and DuckDB unloaded module by
    module) takes about 0.3 s and does nothing a command needs: by then every command has
    closed its database, renamed its outputs into place and removed its temporary folders
    (all in `with` blocks). Only the standard streams are still buffered: flush them first.

    Before that, full garbage collections are made rare (COMMAND_GC_THRESHOLDS) and the process
    is given no transparent huge pages (no_huge_pages).
    """
    gc.set_threshold(*COMMAND_GC_THRESHOLDS)
    no_huge_pages()
    code = main()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (BrokenPipeError, ValueError):  # the reader went away (`| head`), or the stream is closed
            code = code or 1
    os._exit(code)
