# SPDX-License-Identifier: MIT
# Sourced by the memfs test scripts (and bench/memfs/run.sh): start and stop
# memfs and tmpfs mounts in a private temporary directory, wait for mounts
# in /proc/self/mountinfo with a deadline, and undo everything on exit,
# also when a test fails or is interrupted.
#
# Environment: FSP_MEMFS (the winfsp-memfs binary), FSP_FSCONFORM.
# Mounts, users and waiting come from tests/lib/common.sh.

set -u
# shellcheck source=../lib/common.sh
. "${BASH_SOURCE[0]%/*}/../lib/common.sh"

FSP_TMP=
FSP_PIDS=
FSP_MOUNTS=
MEMFS_PID=

fsp_log() { printf '%s: %s\n' "${0##*/}" "$*" >&2; }
fsp_die() { fsp_log "FAIL: $*"; exit 1; }

fsp_require_root_fuse() {
        fsp_require_root "mounts"
        fsp_require_fuse
        [ -n "${FSP_MEMFS:-}" ] && [ -x "$FSP_MEMFS" ] || fsp_skip "memfs is not built (${FSP_MEMFS:-FSP_MEMFS unset})"
}

# fsp_wait_mounted DIR PID SECONDS: until DIR is a mount point; fails early
# if PID exits, or at the deadline.
fsp_wait_mounted() {
        local dir=$1 pid=$2 deadline=$(($(fsp_now_ms) + $3 * 1000))
        while ! fsp_is_mounted "$dir"; do
                kill -0 "$pid" 2>/dev/null || return 1
                [ "$(fsp_now_ms)" -lt "$deadline" ] || return 1
                sleep 0.01
        done
}

# fsp_wait_exit PID SECONDS: until PID is gone; fails at the deadline.
fsp_wait_exit() {
        fsp_wait_gone "$@"
}

fsp_setup() {
        FSP_TMP=$(mktemp -d /tmp/fsp-memfs-test.XXXXXX) || fsp_die "mktemp failed"
        # other users (the unprivileged test user) must reach the mounts below
        chmod 0755 "$FSP_TMP"
        trap fsp_cleanup EXIT
        trap 'exit 130' INT TERM HUP
}

fsp_cleanup() {
        local pid mnt
        for pid in $FSP_PIDS; do
                kill -TERM "$pid" 2>/dev/null
        done
        for pid in $FSP_PIDS; do
                fsp_wait_exit "$pid" 10 || kill -KILL "$pid" 2>/dev/null
        done
        for mnt in $FSP_MOUNTS; do
                if fsp_is_mounted "$mnt"; then
                        umount "$mnt" 2>/dev/null || umount -l "$mnt" 2>/dev/null
                fi
        done
        if [ -n "$FSP_TMP" ] && [ -d "$FSP_TMP" ]; then
                rm -rf --one-file-system "$FSP_TMP"
        fi
}

# fsp_mount_tmpfs DIR OPTIONS
fsp_mount_tmpfs() {
        mkdir -p "$1"
        mount -t tmpfs -o "$2" "fsp-test-tmpfs" "$1" || fsp_die "cannot mount tmpfs at $1"
        FSP_MOUNTS="$FSP_MOUNTS $1"
}

# fsp_start_memfs MOUNTPOINT LOG [MEMFS OPTIONS...]: start memfs in the
# foreground (in the background of this shell) and wait for its mount.
# Sets MEMFS_PID.
fsp_start_memfs() {
        local mnt=$1 log=$2
        shift 2
        mkdir -p "$mnt"
        "$FSP_MEMFS" "$@" -m "$mnt" >"$log" 2>&1 </dev/null &
        MEMFS_PID=$!
        FSP_PIDS="$FSP_PIDS $MEMFS_PID"
        FSP_MOUNTS="$FSP_MOUNTS $mnt"
        if ! fsp_wait_mounted "$mnt" "$MEMFS_PID" 10; then
                fsp_log "memfs $* did not mount at $mnt; its output:"
                cat "$log" >&2
                fsp_die "memfs did not start"
        fi
}

# fsp_stop_memfs PID MOUNTPOINT: SIGTERM, then it must exit 0 within 10 s
# and leave no mount behind.
fsp_stop_memfs() {
        local pid=$1 mnt=$2 status
        kill -0 "$pid" 2>/dev/null || fsp_die "memfs (pid $pid) died during the test"
        kill -TERM "$pid"
        fsp_wait_exit "$pid" 10 || fsp_die "memfs did not exit within 10 s of SIGTERM"
        wait "$pid"
        status=$?
        FSP_PIDS=$(echo "$FSP_PIDS" | tr ' ' '\n' | grep -vx "$pid" | tr '\n' ' ')
        [ "$status" -eq 0 ] || fsp_die "memfs exited with status $status after SIGTERM"
        ! fsp_is_mounted "$mnt" || fsp_die "memfs left its mount at $mnt"
}

# fsp_memfs_alive PID MOUNTPOINT: still running and still answering.
fsp_memfs_alive() {
        kill -0 "$1" 2>/dev/null || fsp_die "memfs (pid $1) is gone"
        stat -f "$2" >/dev/null || fsp_die "memfs at $2 does not answer statfs"
}

# memfs runs in two ways that take different paths through the kernel: by
# default with the writeback cache, and with -s (a size limit), which trades
# the writeback cache for EFBIG from write(2) itself. Tests run on both.
FSP_MEMFS_CONFIGS="default sized"

# fsp_memfs_config_args CONFIG SIZE: the extra memfs options of CONFIG.
fsp_memfs_config_args() {
        [ "$1" = sized ] && echo "-s $2"
        return 0
}

# fsp_ensure_user NAME: the unprivileged test user (fsp_user); sets
# FSP_USER_UID and FSP_USER_GID.
fsp_ensure_user() {
        FSP_USER_UID=$(fsp_user "$1") || fsp_die "cannot create user $1"
        FSP_USER_GID=$(id -g "$1")
}
