"""Run many ``auditor`` command lines, each in its own forked process, from one warm interpreter.

A fresh ``auditor`` process spends about a second importing the CLI and discovering the checks;
the hostile-input table runs two dozen of them. This runner pays that once: it imports the CLI,
then forks one child per command line. The child is a real separate process that enters the same
console-script entry point (``auditor.cli.app:main``) with its own working directory, address-space
limit and stdout/stderr files, and exits with the code the command would have exited with; an
exception that escapes ``main`` prints its traceback and exits 1, as the interpreter would.

Protocol (the parent side is :class:`Forker`): one JSON request per line on stdin, one JSON reply
per line on stdout. The runner is started with the environment every command should see.
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import select
import signal
import subprocess
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

REPO = Path(__file__).resolve().parents[2]


def _warm() -> None:
    """Import what every command needs (the CLI tree, the checks, the loaders) in the parent, and
    load the example city's policy and inventory once: most commands read them beside the file
    under test, and a child still reads every file itself; the loader only skips re-parsing the
    YAML of a file whose text it has parsed before (``auditor.policy.source.parse_located``)."""
    from auditor.audit.inputs import load_bundle
    from auditor.cli.app import build_app
    from auditor.rules import discover

    build_app("en")
    registry = discover()
    import auditor.cli.options  # noqa: F401

    load_bundle(
        REPO / "policies" / "example-city", REPO / "inventory" / "example-city", None, registry
    )


def _child(request: dict[str, Any]) -> None:
    """In the forked child: limits, cwd, stdio, then the console-script entry point. Never returns."""
    code = 1
    try:
        limit = request.get("memory_limit")
        if limit:
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        os.chdir(request["cwd"])
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        for fd, path in ((1, request["stdout"]), (2, request["stderr"])):
            out = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.dup2(out, fd)
            os.close(out)
        os.close(null)
        # fresh text streams on the new descriptors: nothing the parent buffered leaks in
        sys.stdin = open(0, closefd=False)  # noqa: SIM115
        sys.stdout = open(1, "w", closefd=False)  # noqa: SIM115
        sys.stderr = open(2, "w", closefd=False)  # noqa: SIM115
        sys.argv = ["auditor", *request["argv"]]
        from auditor.cli.app import main

        try:
            main()
            code = 0
        except SystemExit as exit_:
            if exit_.code is None:
                code = 0
            elif isinstance(exit_.code, int):
                code = exit_.code
            else:
                print(exit_.code, file=sys.stderr)
                code = 1
    except BaseException:  # what the interpreter would print for an uncaught exception
        traceback.print_exc()
        code = 1
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(BaseException):  # a full disk must not keep it alive
                stream.flush()
        os._exit(code)


def _wait(pid: int, timeout: float) -> int | None:
    """The child's exit code as ``subprocess`` reports it, or None after ``timeout`` (killed)."""
    pidfd = os.pidfd_open(pid)
    try:
        ready, _, _ = select.select([pidfd], [], [], timeout)
        if not ready:
            os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
    finally:
        os.close(pidfd)
    if not ready:
        return None
    return os.waitstatus_to_exitcode(status)


def serve() -> None:
    _warm()
    os.write(1, b'{"ready": true}\n')
    for line in sys.stdin.buffer:
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            _child(request)
        returncode = _wait(pid, float(request["timeout"]))
        os.write(1, json.dumps({"returncode": returncode}).encode() + b"\n")


@dataclass
class Result:
    returncode: int | None
    """None when the command outlived its timeout and was killed."""
    stdout: str
    stderr: str


class Forker:
    """The parent side: start the runner once, then :meth:`run` command lines through it."""

    def __init__(self, env: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve())],
            cwd=REPO,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        assert self.process.stdout is not None
        assert json.loads(self.process.stdout.readline()) == {"ready": True}

    def run(
        self, argv: list[str], *, cwd: Path, output: Path, memory_limit: int, timeout: float
    ) -> Result:
        """``auditor *argv`` in a child process in ``cwd``; its stdout and stderr are written to
        files in the folder ``output`` (kept apart from ``cwd``, which the command may read)."""
        assert self.process.stdin is not None and self.process.stdout is not None
        output.mkdir(parents=True, exist_ok=True)
        stdout, stderr = output / "stdout", output / "stderr"
        request = {
            "argv": argv,
            "cwd": str(cwd),
            "stdout": str(stdout),
            "stderr": str(stderr),
            "memory_limit": memory_limit,
            "timeout": timeout,
        }
        self.process.stdin.write(json.dumps(request).encode() + b"\n")
        self.process.stdin.flush()
        reply = json.loads(self.process.stdout.readline())
        return Result(
            returncode=reply["returncode"],
            stdout=stdout.read_text(encoding="utf-8", errors="replace"),
            stderr=stderr.read_text(encoding="utf-8", errors="replace"),
        )

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def __enter__(self) -> Forker:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


if __name__ == "__main__":
    serve()
