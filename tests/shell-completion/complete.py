#!/usr/bin/python3
# complete.py COMPLETION_FILE LINE: what bash completion offers at the end of
# LINE, one candidate a line, as "complete -F" hands it to readline.
#
# The line is split into COMP_WORDS the way bash does before it calls the
# function: at unquoted blanks, and at the characters of COMP_WORDBREAKS,
# a run of which is a word of its own ("a:b" is a, :, b). Then a
# non-interactive bash with bash-completion and COMPLETION_FILE loaded
# calls the function that "complete -p COMMAND" names.
import shlex
import subprocess
import sys

BREAKS = "\"'><=;|&(:"


def split(line):
    words, word, kind = [], "", None  # kind: "w" word characters, "b" break characters
    quote = None
    i = 0
    while i < len(line):
        c = line[i]
        if quote:
            word += c
            if c == quote:
                quote = None
        elif c == "\\" and i + 1 < len(line):
            if kind == "b":
                words.append(word)
                word = ""
            word += line[i : i + 2]
            kind = "w"
            i += 1
        elif c in " \t\n":
            if kind:
                words.append(word)
            word, kind = "", None
        elif c in BREAKS and c not in "\"'":
            if kind == "w":
                words.append(word)
                word = ""
            word += c
            kind = "b"
        else:
            if c in "\"'":
                quote = c
            if kind == "b":
                words.append(word)
                word = ""
            word += c
            kind = "w"
        i += 1
    if kind:
        words.append(word)
    if line and line[-1] in " \t":
        words.append("")
    return words or [""]


def main():
    completion, line = sys.argv[1], sys.argv[2]
    words = split(line)
    script = f"""
. /usr/share/bash-completion/bash_completion
. {shlex.quote(completion)}
COMP_LINE={shlex.quote(line)}
COMP_POINT=${{#COMP_LINE}}
COMP_WORDS=({" ".join(shlex.quote(w) for w in words)})
COMP_CWORD={len(words) - 1}
spec=$(complete -p {shlex.quote(words[0])}) || exit 3
fn=${{spec#*-F }}
fn=${{fn%% *}}
COMPREPLY=()
"$fn" {shlex.quote(words[0])} "${{COMP_WORDS[COMP_CWORD]}}" "${{COMP_WORDS[COMP_CWORD-1]}}"
printf '%s\\n' "${{COMPREPLY[@]}}"
"""
    r = subprocess.run(["bash", "--norc", "--noprofile", "-c", script], stdout=subprocess.PIPE)
    sys.stdout.buffer.write(r.stdout)
    sys.exit(r.returncode)


main()
