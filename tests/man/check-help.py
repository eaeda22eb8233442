#!/usr/bin/env python3
"""check-help.py PROGRAMS.CONF NAME BINARY MANDIR

A program's --help and its man page describe the same program: the same
options both ways, and whatever else PROGRAMS.CONF lists for NAME (its
commands, its exit codes, words both must mention, options that print the
same text as --help). One checker for every program; what differs between
programs is data in PROGRAMS.CONF, whose header explains each key.

Prints one "ok:" or "FAIL:" line per comparison; exits 1 on any FAIL.
"""
import configparser
import os
import re
import subprocess
import sys

OPTION = re.compile(r"(?<![\w-])--?[A-Za-z][A-Za-z0-9-]*")


def run_help(program, flag):
    r = subprocess.run([program, flag], capture_output=True, text=True, timeout=30)
    if r.returncode != 0:
        raise SystemExit(f"FAIL: {program} {flag} exited {r.returncode}: {r.stderr.strip()}")
    return r.stdout


def help_section(text, title):
    """The lines of --help from the line starting with title to the next unindented line."""
    if not title:
        return text.splitlines()
    out, on = [], False
    for line in text.splitlines():
        if line.startswith(title):
            on = True
        elif on and line and not line[0].isspace():
            break
        elif on:
            out.append(line)
    if not out:
        raise SystemExit(f"FAIL: --help has no section '{title}'")
    return out


def help_options(lines):
    """Options in the left column of indented lines that start with a dash."""
    found = set()
    for line in lines:
        if not re.match(r"\s+-", line):
            continue
        column = re.split(r"\s{2,}", line.strip())[0]
        found |= set(OPTION.findall(column))
    return found


def roff_text(line):
    """A man-page line as it reads: no macro, no font escapes, \\- as -."""
    line = re.sub(r"^\.\w+\s*", "", line)
    line = line.replace("\\-", "-").replace("\\(em", "-").replace("\\(-", "-")
    line = re.sub(r"\\f[BIRP]|\\f\(\w\w|\\&", "", line)
    return line.replace('"', "")


def man_sections(page_lines, names):
    """The lines of the .SH sections named in names."""
    out, on = [], False
    for line in page_lines:
        if line.startswith(".SH"):
            on = line.split(None, 1)[1].strip().strip('"') in names
        elif on:
            out.append(line)
    return out


def tp_tags(lines):
    """The tag (the line after .TP) of each paragraph, as it reads."""
    return [roff_text(lines[i + 1]) for i, line in enumerate(lines[:-1]) if line.strip() == ".TP"]


class Verdict:
    def __init__(self):
        self.failed = False

    def same(self, what, in_help, in_man):
        if not in_help and not in_man:
            self.fail(f"{what}: neither --help nor the man page lists any")
        elif in_help == in_man:
            print(f"ok: {what}: --help and the man page agree: {' '.join(sorted(in_help))}")
        else:
            self.fail(f"{what}: only in --help: {sorted(in_help - in_man)}; "
                      f"only in the man page: {sorted(in_man - in_help)}")

    def fail(self, text):
        print(f"FAIL: {text}")
        self.failed = True


def main():
    conf_path, name, binary, mandir = sys.argv[1:5]
    conf = configparser.ConfigParser(interpolation=None)
    conf.read(conf_path)
    if name not in conf:
        raise SystemExit(f"FAIL: {conf_path} has no [{name}]")
    c = conf[name]
    program = os.path.join(os.path.dirname(binary), c["program"]) if "program" in c else binary
    page_name = c["page"]
    page = open(f"{mandir}/{page_name}", encoding="utf-8").read().splitlines()
    text = run_help(program, "--help")
    v = Verdict()

    sections = c.get("man-sections", "OPTIONS").split(",")
    v.same(f"options ({page_name} {'/'.join(sections)})",
           help_options(help_section(text, c.get("help-section", ""))),
           {o for t in tp_tags(man_sections(page, sections)) for o in OPTION.findall(t)})

    if "commands" in c:
        in_help = set()
        for line in text.splitlines():
            in_help |= set(re.findall(c["commands"], line))
        v.same("commands", in_help, {t.split()[0] for t in tp_tags(man_sections(page, ["COMMANDS"]))})

    if c.getboolean("exit-codes", False):
        tail = text.split("Exit status:", 1)
        in_help = set(re.findall(r"(?<![\w-])(\d+) [a-z]", tail[1])) if len(tail) == 2 else set()
        in_man = {t.split()[0] for t in tp_tags(man_sections(page, ["EXIT STATUS"]))}
        v.same("exit codes", in_help, in_man)

    readable_page = "\n".join(roff_text(line) for line in page)
    words = c.get("words", "").split()
    unmentioned = 0
    for word in words:
        missing = [where for where, body in (("--help", text), (page_name, readable_page)) if word not in body]
        if missing:
            v.fail(f"'{word}' is not mentioned in {' and '.join(missing)}")
            unmentioned += 1
    if words and not unmentioned:
        print(f"ok: --help and {page_name} both mention {' '.join(words)}")

    for alias in c.get("same-as-help", "").split():
        if run_help(program, alias) == text:
            print(f"ok: {alias} prints the same as --help")
        else:
            v.fail(f"{alias} prints something else than --help")

    sys.exit(1 if v.failed else 0)


if __name__ == "__main__":
    main()
