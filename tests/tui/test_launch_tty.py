"""An app whose terminal goes away without a SIGHUP (its pty master closed, as for an
orphaned child) exits instead of spinning a core: Textual's input thread reads end-of-file
in a loop, so `launch` quits the app when the terminal hangs up."""

from __future__ import annotations

import fcntl
import os
import select
import struct
import subprocess
import sys
import termios
import time

import pytest

from musicrec_tui.cli.tui_cmd import TERMINAL_GONE

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux ptys")

# Generous bounds for a loaded machine; the app needs well under a second for either.
START_TIMEOUT_S = 30.0
EXIT_TIMEOUT_S = 5.0


def _read_until(master: int, marker: bytes, timeout: float) -> bytes:
    seen = b""
    deadline = time.monotonic() + timeout
    while marker not in seen:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([master], [], [], left)[0]:
            raise AssertionError(f"the app never drew {marker!r}: {seen[-300:]!r}")
        seen += os.read(master, 65536)
    return seen


def _start_in_pty(*args: str) -> tuple[subprocess.Popen, int]:
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 36, 120, 0, 0))
    env = dict(os.environ, TERM="xterm-256color")
    env.pop("TEXTUAL", None)
    # No new session: the pty is not the child's controlling terminal, so closing the
    # master sends it no SIGHUP (as for the orphaned benchmark child that spun).
    proc = subprocess.Popen([sys.executable, "-m", "musicrec_tui", *args], stdin=slave,
                            stdout=slave, stderr=slave, env=env, close_fds=True)
    os.close(slave)
    return proc, master


def test_the_app_exits_when_its_terminal_goes():
    proc, master = _start_in_pty()
    try:
        _read_until(master, b"Load", START_TIMEOUT_S)
        os.close(master)
        master = -1
        assert proc.wait(timeout=EXIT_TIMEOUT_S) == TERMINAL_GONE
    finally:
        if master >= 0:
            os.close(master)
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_a_quit_still_exits_normally():
    proc, master = _start_in_pty()
    try:
        _read_until(master, b"Load", START_TIMEOUT_S)
        os.write(master, b"\x11")  # ctrl+q
        assert proc.wait(timeout=EXIT_TIMEOUT_S) == 0
    finally:
        os.close(master)
        if proc.poll() is None:
            proc.kill()
            proc.wait()
