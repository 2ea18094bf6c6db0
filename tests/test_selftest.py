"""The self-test the installed app runs (``RagArt --self-test``; packaging/smoke)."""
from __future__ import annotations

import socket

from ragart_desktop import selftest


def test_every_step_is_reported_and_a_failing_one_fails_the_run():
    lines: list[str] = []

    def broken(ctx):
        raise AssertionError("no results")

    code = selftest.run(lines.append, steps=(("a good step", lambda ctx: "fine"), ("a broken step", broken)))
    assert code == 1
    assert lines[0].startswith("ok   a good step") and lines[0].endswith(": fine")
    assert any(line.startswith("FAIL a broken step") and "no results" in line for line in lines)
    assert lines[-1].startswith("self-test: 1/2 steps passed")
    assert selftest.run(lines.append, steps=(("a good step", lambda ctx: "fine"),)) == 0


def test_the_self_test_refuses_the_network_while_it_runs():
    def connect(ctx):
        socket.create_connection(("192.0.2.1", 80), timeout=0.1)   # TEST-NET-1: never routable
        return "connected"

    lines: list[str] = []
    assert selftest.run(lines.append, steps=(("connect", connect),)) == 1
    assert "refuses network connections" in "\n".join(lines)


def test_the_steps_cover_what_the_smoke_test_promises():
    names = " / ".join(name for name, _ in selftest.STEPS)
    for promise in ("demo library", "words", "example image", "example MIDI", "Chinese", "generate an image",
                    "generate music", "render a WAV", "generate text", "main window"):
        assert promise in names
