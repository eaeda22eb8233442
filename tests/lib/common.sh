# shellcheck shell=bash
# SPDX-License-Identifier: MIT
# What every shell test needs, whatever it tests: is something mounted, wait
# for a condition with a bound, is a process alive, make a test user, make
# /dev/fuse usable by users, skip with the reason. Sourced by
# tests/integration/lib.sh (and through it tests/netprovider/netlib.sh) and
# tests/memfs/lib.sh; it defines functions only and changes nothing.

# fsp_skip REASON: exit 77 (skipped, to ctest), saying why.
fsp_skip() {
        echo "SKIP: $*"
        exit 77
}

# fsp_require_root WHY: skip unless root.
fsp_require_root() {
        [ "$(id -u)" = 0 ] || fsp_skip "needs root ($*)"
}

# fsp_require_tool TOOL [PACKAGE]: skip unless TOOL is installed.
fsp_require_tool() {
        command -v "$1" >/dev/null 2>&1 || fsp_skip "$1 is not installed${2:+ (Debian package $2)}"
}

# fsp_require_fs TYPE MODULE: skip unless the kernel knows the file-system
# type TYPE (loading MODULE if it can).
fsp_require_fs() {
        grep -qw "$1" /proc/filesystems && return 0
        modprobe "$2" 2>/dev/null
        grep -qw "$1" /proc/filesystems || fsp_skip "the kernel has no $1 file system (module $2)"
}

# fsp_require_fuse: skip unless FUSE can mount here (/dev/fuse and the
# kernel's fuse file system).
fsp_require_fuse() {
        [ -c /dev/fuse ] || fsp_skip "no /dev/fuse"
        fsp_require_fs fuse fuse
}

fsp_now_ms() { date +%s%3N; }

# fsp_wait_until SECONDS CMD...: poll a condition every 10 ms until it holds;
# fails at the deadline.
fsp_wait_until() {
        local limit=$1
        shift
        local deadline=$(($(date +%s%N) + limit * 1000000000))
        until "$@" >/dev/null 2>&1; do
                if [ "$(date +%s%N)" -ge $deadline ]; then
                        return 1
                fi
                sleep 0.01
        done
}

# fsp_pid_alive PID: the process exists and is not a zombie.
fsp_pid_alive() {
        [ -e "/proc/$1" ] && ! grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null
}

# fsp_wait_gone PID SECONDS: until PID has ended (zombies count as ended).
fsp_wait_gone() {
        local pid=$1 deadline=$(($(date +%s%N) + $2 * 1000000000))
        while fsp_pid_alive "$pid"; do
                [ "$(date +%s%N)" -lt $deadline ] || return 1
                sleep 0.01
        done
}

# fsp_mount_points: every mount point, with mountinfo's octal escapes undone.
fsp_mount_points() {
        python3 -c '
import re
for line in open("/proc/self/mountinfo"):
    print(re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), line.split()[4]))'
}

# fsp_mountinfo_path PATH: PATH as /proc/self/mountinfo writes it (octal
# escapes for space, tab, newline and backslash).
fsp_mountinfo_path() {
        local s=${1//\\/\\134}
        s=${s// /\\040}
        s=${s//$'\t'/\\011}
        printf '%s' "${s//$'\n'/\\012}"
}

# fsp_is_mounted DIR: a mount sits exactly at DIR.
fsp_is_mounted() {
        FSP_D=$(fsp_mountinfo_path "$1") awk '$5 == ENVIRON["FSP_D"] { f = 1 } END { exit !f }' /proc/self/mountinfo
}

# fsp_mounts_under PREFIX: mount points that start with PREFIX.
fsp_mounts_under() {
        fsp_mount_points | awk -v t="$1" 'index($0, t) == 1'
}

# fsp_mount_fstype DIR: the file-system type of the topmost mount at DIR.
fsp_mount_fstype() {
        FSP_D=$(fsp_mountinfo_path "$1") awk '$5 == ENVIRON["FSP_D"] { for (i = 7; i <= NF; i++) if ($i == "-") { t = $(i + 1); break } }
                         END { print t }' /proc/self/mountinfo
}

# fsp_user NAME: a local test user without a home (created once, kept);
# prints its uid. Tests running side by side share the users, so creation
# is serialised.
fsp_user() {
        local name=$1
        (
                flock 9
                id -u "$name" >/dev/null 2>&1 ||
                        useradd --no-create-home --shell /bin/sh "$name" >&2
        ) 9>/run/fsp-test-users.lock
        id -u "$name"
}

# fsp_group NAME [USER...]: a group, with those users as members; prints its gid.
fsp_group() {
        local name=$1
        shift
        (
                flock 9
                getent group "$name" >/dev/null || groupadd "$name"
                local u
                for u in "$@"; do
                        id -nG "$u" | tr ' ' '\n' | grep -qx "$name" || usermod -aG "$name" "$u"
                done
        ) 9>/run/fsp-test-users.lock
        getent group "$name" | cut -d: -f3
}

# fsp_as USER CMD...: run as USER with its groups, keeping the environment.
fsp_as() {
        local user=$1
        shift
        setpriv --reuid="$user" --regid="$(id -g "$user")" --init-groups -- "$@"
}

# fsp_fuse_for_users: FUSE mounts by unprivileged users need /dev/fuse open
# to all, as Debian's udev rule makes it. Machines without udev (containers,
# this CI) leave it 0600: do what udev would. Call it in every test that
# mounts as a user, whatever ran before.
fsp_fuse_for_users() {
        [ -c /dev/fuse ] || fsp_skip "no /dev/fuse"
        if [ "$(stat -c %a /dev/fuse)" != 666 ]; then
                echo "note: /dev/fuse was $(stat -c %a /dev/fuse); made 0666 as udev would"
                chmod 0666 /dev/fuse
        fi
}
