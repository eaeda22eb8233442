#!/bin/bash
# lintian.sh STAGE_DIR: the packages system/stage built are lintian-clean:
# no error and no warning (debian/*.lintian-overrides say why for what is
# overridden); the informational tags are printed for the reader.
set -u
stage=${1:?usage: lintian.sh STAGE_DIR}
command -v lintian >/dev/null || { echo "SKIP: lintian is missing (package lintian)"; exit 77; }
debs=("$stage"/debs/*.deb)
[ -e "${debs[0]}" ] || { echo "FAIL: no packages in $stage/debs (run the system/stage test first)"; exit 1; }
out=$(lintian --fail-on error,warning --display-info --pedantic "${debs[@]}" 2>&1)
rc=$?
printf '%s\n' "$out" | grep -v '^running with root privileges'
if [ $rc = 0 ]; then
        echo "PASS: lintian finds no error or warning in ${#debs[@]} packages"
        exit 0
fi
echo "FAIL: lintian exited $rc"
exit 1
