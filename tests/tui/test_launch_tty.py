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

import pytest

from musicrec_tui.cli.tui_cmd import TERMINAL_GONE

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux ptys")

# Every wait below returns as soon as its event happens (output, end of file, exit); this
# bound is reached only when the app hangs, which is the failure these tests look for.
HANG_S = 120.0


def _ready(fd: int, what: str) -> None:
    if not select.select([fd], [], [], HANG_S)[0]:
        raise AssertionError(f"nothing happened for {HANG_S:.0f} s waiting for {what}")


def _read_until(master: int, marker: bytes) -> bytes:
    """The pty's output up to ``marker``; an error if the app exits before drawing it."""
    seen = b""
    while marker not in seen:
        _ready(master, f"the app to draw {marker!r}")
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: every slave end closed, the app is gone
            chunk = b""
        if not chunk:
            raise AssertionError(f"the app exited before drawing {marker!r}: {seen[-300:]!r}")
        seen += chunk
    return seen


def _drain(master: int) -> None:
    """Read the pty until the app closes it (so its last writes never block)."""
    while True:
        _ready(master, "the app to close its terminal")
        try:
            if not os.read(master, 65536):
                return
        except OSError:
            return


def _exit_code(proc: subprocess.Popen) -> int:
    """Wait for the exit without polling: a pidfd becomes readable when the process ends."""
    pidfd = os.pidfd_open(proc.pid)
    try:
        _ready(pidfd, "the app to exit")
    finally:
        os.close(pidfd)
    return proc.wait()


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
        _read_until(master, b"Load")
        os.close(master)
        master = -1
        assert _exit_code(proc) == TERMINAL_GONE
    finally:
        if master >= 0:
            os.close(master)
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_a_quit_still_exits_normally():
    proc, master = _start_in_pty()
    try:
        _read_until(master, b"Load")
        os.write(master, b"\x11")  # ctrl+q
        _drain(master)
        assert _exit_code(proc) == 0
    finally:
        os.close(master)
        if proc.poll() is None:
            proc.kill()
            proc.wait()
