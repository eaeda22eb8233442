#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Run a command on a new pseudo-terminal (its controlling terminal) and
drive it like a person at the keyboard, step by step:

  expect=TEXT    wait (20 s at most) until TEXT appears in the output
  send=TEXT      type TEXT (backslash escapes: \\n, \\x04 for Ctrl-D, \\x03)
  noecho=TEXT    TEXT must not be anywhere in what the terminal showed so far
  scan=TEXT      TEXT must not be in any process's /proc/PID/cmdline or environ
  eof            wait (30 s at most) for the command to end
  status=N       it exited with status N (after eof)
  signaled=N     it was killed by signal N (after eof)
  echo-on        the terminal has echo on again (after eof)

Usage: pty-drive.py STEP... -- COMMAND [ARG...]
Prints the transcript; exits 1 at the first step that fails, saying which.
"""
import codecs
import glob
import os
import pty
import select
import sys
import termios
import time


def fail(why, transcript):
    sys.stdout.write(transcript.decode(errors="replace"))
    sys.stdout.write(f"\npty-drive: FAIL: {why}\n")
    sys.exit(1)


def read_some(fd, timeout):
    r, _, _ = select.select([fd], [], [], timeout)
    if not r:
        return b""
    try:
        return os.read(fd, 4096)
    except OSError:  # EIO: the other side is closed
        return None


def secret_in_proc(text):
    needle = text.encode()
    hits = []
    me = "/proc/%d/" % os.getpid()  # our own argv holds it, of course
    for path in glob.glob("/proc/[0-9]*/cmdline") + glob.glob("/proc/[0-9]*/environ"):
        if path.startswith(me):
            continue
        try:
            with open(path, "rb") as f:
                if needle in f.read():
                    hits.append(path)
        except OSError:
            pass
    return hits


def main():
    args = sys.argv[1:]
    if "--" not in args:
        print(__doc__)
        return 2
    split = args.index("--")
    steps, command = args[:split], args[split + 1:]

    pid, master = pty.fork()
    if pid == 0:
        try:
            os.execvp(command[0], command)
        finally:
            os._exit(127)

    transcript = b""
    mark = 0
    closed = False
    status = None

    for step in steps:
        key, _, value = step.partition("=")
        value = codecs.decode(value, "unicode_escape")
        if key == "expect":
            deadline = time.monotonic() + 20
            while value.encode() not in transcript[mark:]:
                if closed or time.monotonic() > deadline:
                    fail(f"did not see {value!r}", transcript)
                data = read_some(master, 0.2)
                if data is None:
                    closed = True
                elif data:
                    transcript += data
            mark = transcript.index(value.encode(), mark) + len(value)
        elif key == "send":
            os.write(master, value.encode())
        elif key == "noecho":
            # Use after an expect= of what the program prints once it has
            # read the line: an echo would have come before that.
            if value.encode() in transcript:
                fail(f"{value!r} was echoed", transcript)
        elif key == "scan":
            hits = secret_in_proc(value)
            if hits:
                fail(f"{value!r} found in {hits}", transcript)
        elif key == "eof":
            deadline = time.monotonic() + 30
            while not closed and time.monotonic() < deadline:
                data = read_some(master, 0.2)
                if data is None:
                    closed = True
                elif data:
                    transcript += data
            _, status = os.waitpid(pid, 0)
        elif key == "status":
            if status is None or not os.WIFEXITED(status) or os.WEXITSTATUS(status) != int(value):
                fail(f"exit status {status!r} (raw), expected exit {value}", transcript)
        elif key == "signaled":
            if status is None or not os.WIFSIGNALED(status) or os.WTERMSIG(status) != int(value):
                fail(f"status {status!r} (raw), expected signal {value}", transcript)
        elif key == "echo-on":
            lflag = termios.tcgetattr(master)[3]
            if not lflag & termios.ECHO:
                fail("echo is still off", transcript)
        else:
            fail(f"unknown step {step!r}", transcript)

    sys.stdout.write(transcript.decode(errors="replace"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
