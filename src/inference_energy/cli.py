"""The `inference-energy` command line: one subcommand per module, imported only when used.

Each command module defines `add_arguments(parser)` and `run(args) -> int` (the exit code),
so a command's options live beside its code and `validate` never pays for importing DuckDB.
"""
from __future__ import annotations

import argparse
import importlib
import sys

COMMANDS = {
    "validate": ("inference_energy.validate", "check the package: descriptor, headers, every cell, cross-table rules"),
    "build": ("inference_energy.build", "validate, then build build/ai-inference-energy.duckdb and build/parquet/"),
    "query": ("inference_energy.query", "run SQL on the built database (read-only)"),
    "release": ("inference_energy.release", "write dist/ai-inference-energy-<version>/ with hashes and a zip"),
    "verify": ("inference_energy.verify", "check a downloaded release against its hashes and validate it"),
    "diff": ("inference_energy.diff", "show what changed between two versions of the package"),
    "check-version": ("inference_energy.versioning", "check the version bump and CHANGELOG entry against a base"),
    "docs": ("inference_energy.docs", "generate the documentation pages and figures"),
}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(prog="inference-energy", description=__doc__.splitlines()[0])
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
        return args.run(args)
    except PackageError as exc:  # a descriptor or schema no command can use: located lines, never a traceback
        for problem in exc.problems:
            print(problem.as_text(), file=sys.stderr)
        print(f"{args.command} stopped: the package cannot be read; fix the problems above", file=sys.stderr)
        return 1
