"""``python -m labs <command>`` (also installed as ``labs``): the course's command line.

Each command lives in the module that owns the job and is imported only when used, so that
``python -m labs sweep`` does not pay for notebook tooling and vice versa.
"""

from __future__ import annotations

import importlib
import sys

#: command -> ("module", "function", one-line help). The function takes argv and returns an exit code.
COMMANDS: dict[str, tuple[str, str, str]] = {
    "emulator": ("labs.helpers.emulator.cli", "main", "start a shared moto server with the fidelity layer on 127.0.0.1"),
    "sweep": ("labs.helpers.sweep", "main", "list (and with --yes delete) every course resource (name starting sc-) in the account"),
    "build": ("labs.course.build", "main", "write student notebooks in notebooks/ from solutions/ (--check: verify only)"),
    "bench": ("labs.course.bench", "main", "run the benchmarks and print the figures"),
    "wrong-answers": ("labs.course.wrong_answers", "main",
                      "run plausible wrong answers through the labs and print how many the checks catch"),
}


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help", "help"} or args[0] not in COMMANDS:
        print("usage: python -m labs <command> [options]\n\ncommands:")
        for name, (_, _, text) in COMMANDS.items():
            print(f"  {name:10} {text}")
        return 0 if not args or args[0] in {"-h", "--help", "help"} else 2
    module, function, _ = COMMANDS[args[0]]
    return int(getattr(importlib.import_module(module), function)(args[1:]) or 0)


if __name__ == "__main__":
    sys.exit(main())
