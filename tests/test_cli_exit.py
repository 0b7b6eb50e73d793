"""Leaving the process without freeing the org (orgraph.cli.exiting): same output, same exit code, same files."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap

from click.testing import CliRunner

from orgraph.cli import exiting, main

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# A command that holds an object whose finalizer says when it is freed, run as the program (sys.argv).
PROGRAM = textwrap.dedent("""
    import atexit, sys, threading, time
    import click
    from orgraph.cli import main
    from orgraph.cli.exiting import hold_until_exit

    class Big:
        def __del__(self):
            sys.stderr.write("freed\\n")

    @main.command("hold-test")
    @click.option("--code", type=int, default=0)
    @click.option("--hold/--no-hold", default=True)
    @click.option("--thread", is_flag=True)
    def hold_test(code, hold, thread):
        big = Big()
        if thread:
            threading.Thread(target=lambda: (time.sleep(0.3), print("thread finished", file=sys.stderr))).start()
        if hold:
            hold_until_exit(big)
        click.echo("written " * 2000)          # more than one buffer's worth, still in the buffer at the end
        atexit.register(lambda: sys.stdout.write("exit handler ran\\n"))
        click.get_current_context().exit(code)

    sys.argv = ["orgraph", "hold-test", *sys.argv[1:]]
    main()
""")


def _program(*args):
    env = {**os.environ, "PYTHONPATH": ROOT + os.pathsep + os.environ.get("PYTHONPATH", "")}
    return subprocess.run([sys.executable, "-c", PROGRAM, *args], capture_output=True, text=True, env=env)


def test_a_held_object_is_not_freed_at_exit_and_output_and_code_are_kept():
    p = _program("--code", "3")
    assert p.returncode == 3
    assert p.stdout == "written " * 2000 + "\nexit handler ran\n"
    assert "freed" not in p.stderr          # the process ended without freeing it
    p = _program("--code", "0")
    assert p.returncode == 0 and p.stdout.endswith("exit handler ran\n") and "freed" not in p.stderr


def test_a_running_thread_is_waited_for_as_python_would():
    p = _program("--thread", "--code", "4")
    assert p.returncode == 4
    assert "thread finished" in p.stderr and p.stdout.endswith("exit handler ran\n")


def test_without_holding_the_process_ends_the_normal_way():
    p = _program("--no-hold", "--code", "2")
    assert p.returncode == 2
    assert p.stdout == "written " * 2000 + "\nexit handler ran\n"
    assert "freed" in p.stderr


def test_under_a_test_runner_nothing_is_held():
    assert CliRunner().invoke(main, ["--help"]).exit_code == 0
    exiting.hold_until_exit(object())
    assert exiting._held == []
    with exiting.as_program():
        exiting.hold_until_exit("x")
        assert exiting._held == ["x"]
    assert exiting._held == []


def test_leave_returns_for_a_code_python_must_print():
    with exiting.as_program():
        exiting.hold_until_exit("x")
        assert exiting.leave("Error text") is None      # Python's own exit prints it and exits 1


def test_audit_as_a_program_prints_and_writes_what_it_does_in_process(tmp_path):
    folder = os.path.join(ROOT, "examples", "riverbend")
    out = tmp_path / "audit"
    env = {**os.environ, "PYTHONPATH": ROOT + os.pathsep + os.environ.get("PYTHONPATH", "")}
    p = subprocess.run([sys.executable, "-m", "orgraph", "audit", folder, "--no-png", "--out", str(out)],
                       capture_output=True, text=True, env=env)
    assert p.returncode == 0, p.stderr
    as_program = {name: (out / name).read_bytes() for name in sorted(os.listdir(out))}
    r = CliRunner().invoke(main, ["audit", folder, "--no-png", "--out", str(out)])
    assert r.exit_code == 0
    assert p.stdout == r.stdout
    assert {name: (out / name).read_bytes() for name in sorted(os.listdir(out))} == as_program
    assert "Findings:" in p.stdout.splitlines()[-1]
