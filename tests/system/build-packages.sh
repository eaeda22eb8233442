#!/bin/bash
# build-packages.sh SOURCE_DIR OUT_DIR
#
# The Debian packages of the tree as it is now (committed or not), built
# with dpkg-buildpackage -b into OUT_DIR/debs, without the tests
# (DEB_BUILD_OPTIONS=nocheck: the suite runs them itself). The source is
# copied to OUT_DIR/src/winfsp-VERSION first (dpkg-buildpackage writes
# beside the tree it builds); a rebuild reuses the compiled objects there
# and builds only what changed. When the files are the same as for the
# last build (OUT_DIR/stamp, a hash of their contents), the packages are
# reused as they are.
set -u
source=${1:?usage: build-packages.sh SOURCE_DIR OUT_DIR}
out=${2:?}

for tool in dpkg-buildpackage dh; do
        command -v $tool >/dev/null ||
                { echo "build-packages: $tool is missing (packages dpkg-dev, debhelper)"; exit 1; }
done
version=$(dpkg-parsechangelog -l "$source/debian/changelog" -S Version) ||
        { echo "build-packages: cannot read $source/debian/changelog"; exit 1; }
tree=$out/src/winfsp-${version%%-*}

# The files of the tree: git's view (tracked, and new ones not ignored), or
# everything but build trees outside git.
list_files() {
        if git -C "$source" rev-parse --show-toplevel >/dev/null 2>&1; then
                git -C "$source" ls-files -z --cached --others --exclude-standard |
                        while IFS= read -r -d '' f; do [ -e "$source/$f" ] && printf '%s\0' "$f"; done
        else
                (cd "$source" && find . \( -name 'build*' -o -name 'obj-*' -o -name .git \) -prune -o \
                        ! -type d -printf '%P\0')
        fi
}

mkdir -p "$out"
list_files | sort -z >"$out/files"
stamp=$( (cd "$source" && xargs -0 sha256sum <"$out/files"; echo "version $version") | sha256sum | cut -d' ' -f1)
if [ -f "$out/stamp" ] && [ "$(cat "$out/stamp")" = "$stamp" ] && ls "$out"/debs/*.deb >/dev/null 2>&1; then
        echo "build-packages: the tree is unchanged since the last build; reusing $out/debs"
        exit 0
fi

# The copy: everything but the compiled objects is replaced; tar keeps the
# files' times, so make rebuilds only what changed.
mkdir -p "$tree"
find "$tree" -mindepth 1 -maxdepth 1 ! -name 'obj-*' -exec rm -rf {} +
(cd "$source" && tar --null -T "$out/files" -cf -) | tar -xf - -C "$tree" ||
        { echo "build-packages: copying $source to $tree failed"; exit 1; }

rm -f "$out"/src/*.deb "$out"/src/*.changes "$out"/src/*.buildinfo "$out/stamp"
start=$SECONDS
if ! (cd "$tree" && DEB_BUILD_OPTIONS="nocheck parallel=$(nproc)" \
        dpkg-buildpackage -us -uc -b -nc) >"$out/build.log" 2>&1; then
        tail -40 "$out/build.log"
        echo "build-packages: dpkg-buildpackage failed (log: $out/build.log)"
        exit 1
fi
rm -rf "$out/debs"
mkdir -p "$out/debs"
mv "$out"/src/*.deb "$out/debs/"
echo "$stamp" >"$out/stamp"
echo "build-packages: built in $((SECONDS - start)) s:"
(cd "$out/debs" && ls -l -- *.deb | awk '{ printf "  %s (%d bytes)\n", $9, $5 }')
