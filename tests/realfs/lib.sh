# shellcheck shell=bash disable=SC2034  # (RC, OUT, SSHD_* are read by the tests)
# Shared by tests/realfs/*.sh: real FUSE programs of Debian (sshfs,
# gocryptfs, encfs, rclone, bindfs, squashfuse, fuse-zip) run through the
# shipped classes of conf.d/, unchanged, by the real launcher on a private
# bus (tests/netprovider/netlib.sh), as test users with a home of their own
# under $T, against a real OpenSSH server the test starts on 127.0.0.1.

# shellcheck source=../netprovider/netlib.sh
. "$FSP_SOURCE_DIR/tests/netprovider/netlib.sh"

SSHD_PORT=

# realfs_init PROGRAM PACKAGE...: the harness, FUSE for users, and the
# programs (else skip, naming the package).
realfs_init() {
        net_init
        fsp_fuse_for_users
        while [ $# -ge 2 ]; do
                fsp_require_tool "$1" "$2"
                shift 2
        done
}

# realfs_classes NAME...: the shipped classes, as configured in the build.
realfs_classes() {
        local c
        for c in "$@"; do
                cp "$FSP_BUILD_DIR/conf.d/$c.conf" "$T/conf.d/" || { echo "FATAL: no class $c in the build"; exit 1; }
        done
}

# realfs_user NAME [PASSWORD]: a test user whose home is $T/home-NAME (ssh
# and rclone find their files there), with that login password (or none).
# Prints nothing; sets NET_HOME, NET_RUNTIME (netlib's net_home).
realfs_user() {
        local name=$1 pw=${2:-}
        fsp_user "$name" >/dev/null
        net_home "$name"
        (
                flock 9
                usermod -d "$NET_HOME" "$name"
                if [ -n "$pw" ]; then
                        printf '%s:%s\n' "$name" "$pw" | chpasswd
                else
                        passwd -l "$name" >/dev/null
                fi
        ) 9>/run/fsp-test-users.lock
}

# realfs_as USER CMD...: CMD as USER in its session (home, runtime dir, keyring if started).
realfs_as() {
        net_as "$@"
}

# realfs_free_port: a TCP port nobody listens on, on 127.0.0.1.
realfs_free_port() {
        python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# realfs_sshd_start USER...: an OpenSSH server of the test's own on
# 127.0.0.1 (a free port, its own host key and configuration), password and
# key logins for USERs only; sftp starts in $T/sftp/USER (made, theirs).
# Sets SSHD_PORT and SSHD_HOSTKEY (the public key).
realfs_sshd_start() {
        fsp_require_tool /usr/sbin/sshd openssh-server
        fsp_require_tool ssh-keygen openssh-client
        local u
        mkdir -p "$T/sshd" "$T/sshd/authorized"
        ssh-keygen -q -t ed25519 -N '' -C fsp-test -f "$T/sshd/host_key"
        SSHD_HOSTKEY=$(cat "$T/sshd/host_key.pub")
        for u in "$@"; do
                mkdir -p "$T/sftp/$u"
                chown "$u:" "$T/sftp/$u"
        done
        # The privilege separation directory sshd insists on (Debian's unit makes it).
        mkdir -p /run/sshd
        chmod 755 /run/sshd
        for _ in 1 2 3; do
                SSHD_PORT=$(realfs_free_port)
                cat >"$T/sshd/config" <<CONF
ListenAddress 127.0.0.1
Port $SSHD_PORT
HostKey $T/sshd/host_key
PidFile none
UsePAM no
PasswordAuthentication yes
KbdInteractiveAuthentication no
PubkeyAuthentication yes
AuthorizedKeysFile $T/sshd/authorized/%u
StrictModes no
AllowUsers $*
LoginGraceTime 30
Subsystem sftp internal-sftp -d $T/sftp/%u
LogLevel VERBOSE
CONF
                : >"$T/sshd/log"
                /usr/sbin/sshd -D -e -f "$T/sshd/config" >>"$T/sshd/log" 2>&1 &
                local pid=$!
                if fsp_wait_until 10 grep -q "Server listening on 127.0.0.1 port $SSHD_PORT" "$T/sshd/log"; then
                        net_on_exit "kill -TERM $pid 2>/dev/null"
                        return 0
                fi
                kill -TERM $pid 2>/dev/null
                wait $pid 2>/dev/null
        done
        echo "FATAL: sshd did not start:"
        cat "$T/sshd/log"
        exit 1
}

# realfs_ssh_alias USER ALIAS: ALIAS in USER's ~/.ssh/config names the test
# server (127.0.0.1, its port), and its host key is known.
realfs_ssh_alias() {
        local user=$1 alias=$2 home=$T/home-$1
        mkdir -p "$home/.ssh"
        printf 'Host %s\n    HostName 127.0.0.1\n    Port %s\n' "$alias" "$SSHD_PORT" >>"$home/.ssh/config"
        printf '[127.0.0.1]:%s %s\n' "$SSHD_PORT" "$SSHD_HOSTKEY" >>"$home/.ssh/known_hosts"
        chown -R "$user:" "$home/.ssh"
        chmod 700 "$home/.ssh"
        chmod 600 "$home/.ssh/config" "$home/.ssh/known_hosts"
}

# realfs_mkdirs USER NAME...: mount points $T/mnt/NAME owned by USER.
realfs_mkdirs() {
        local user=$1 d
        shift
        for d in "$@"; do
                mkdir -p "$T/mnt/$d"
                chown "$user:" "$T/mnt/$d"
        done
}

# realfs_argv_of EXE-BASENAME DIR-WORD: the argv (one per line) of the
# running program that has DIR-WORD among its arguments.
realfs_argv_of() {
        local p
        for p in /proc/[0-9]*; do
                [ "$(basename "$(readlink "$p/exe" 2>/dev/null)")" = "$1" ] || continue
                tr '\0' '\n' <"$p/cmdline" 2>/dev/null | grep -qxF -- "$2" || continue
                tr '\0' '\n' <"$p/cmdline"
                return 0
        done
        return 1
}

# realfs_no_process_of EXE-BASENAME WORD: no process of that program has
# WORD among its arguments (a refused start left nothing behind).
realfs_no_process_of() {
        ! realfs_argv_of "$@" >/dev/null
}

# realfs_timed VAR CMD...: run CMD, its output in $OUT and its status in
# $RC, the time it took (ms) in VAR.
realfs_timed() {
        local var=$1 t0
        shift
        t0=$(fsp_now_ms)
        RC=0
        OUT=$("$@" 2>&1) || RC=$?
        printf -v "$var" '%s' $(($(fsp_now_ms) - t0))
}

# realfs_write_read USER DIR WHAT: USER writes a file through DIR and reads it back.
realfs_write_read() {
        local data="winfsp $RANDOM$RANDOM"
        if realfs_as "$1" sh -c 'printf "%s\n" "$1" >"$2/probe.txt" && cat "$2/probe.txt"' sh "$data" "$2" |
                grep -qxF "$data"; then
                pass "$3"
        else
                fail "$3: nothing or something else read back from $2/probe.txt"
        fi
}
