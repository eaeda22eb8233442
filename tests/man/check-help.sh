#!/bin/bash
# check-help.sh PROGRAM MANPAGE: every long option --help shows is in the man
# page's OPTIONS section, and every one the section documents is in --help.
set -u
prog=$1 page=$2
help_opts=$("$prog" --help | grep -o -- '--[a-z][a-z0-9-]*' | sort -u)
# The OPTIONS section only: from ".SH OPTIONS" to the next ".SH".
man_opts=$(awk '/^\.SH OPTIONS/ { on = 1; next } /^\.SH/ { on = 0 } on' "$page" |
        sed 's/\\-/-/g' | grep -o -- '--[a-z][a-z0-9-]*' | sort -u)
rc=0
for o in $help_opts; do
        grep -qx -- "$o" <<<"$man_opts" || { echo "FAIL: $o is in --help but not in $(basename "$page")"; rc=1; }
done
for o in $man_opts; do
        grep -qx -- "$o" <<<"$help_opts" || { echo "FAIL: $o is in $(basename "$page") but not in --help"; rc=1; }
done
[ $rc = 0 ] && echo "ok: $(basename "$prog") --help and $(basename "$page") list the same $(wc -w <<<"$help_opts") options"
exit $rc
