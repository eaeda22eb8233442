#!/bin/bash
# The bash completion of launchctl, winfsp-net and mount.winfsp against a
# real launcher on a private bus: verbs and options, class names from
# "launchctl classes", instance names from "launchctl list" (a name with a
# space comes back quoted), mount points from mountinfo (one with a ':'
# completes in readline's colon-split word), the bus the command line
# names. complete.py calls the completion functions with COMP_WORDS split as
# bash splits them; a real interactive bash in tmux checks what readline
# makes of the answers.
# shellcheck source=../integration/lib.sh
. "$FSP_SOURCE_DIR/tests/integration/lib.sh"
[ -r /usr/share/bash-completion/bash_completion ] ||
        { echo "SKIP: bash-completion is not installed (package bash-completion)"; exit 77; }
fsp_init
fsp_bus_start

completion=$FSP_SOURCE_DIR/shell-completion/bash/launchctl
for class in memfs memfs-pw alpha; do
        fsp_class $class <<EOF
[Service]
Description=completion test class $class
Executable=$MEMFS
CommandLine=-u %1 -m %2
MountPoint=%2
Security=D:P(A;;RPWPLC;;;WD)
Credentials=$([ $class = memfs-pw ] && echo 1 || echo 0)
EOF
done
fsp_launcher_start
mkdir -p "$T/mnt/share" "$T/mnt/a:b" "$T/mnt/my dir"
launchctl start memfs share //memfs/share "$T/mnt/share" || { fail "start memfs share"; fsp_done; }
launchctl start memfs "my docs" "//memfs/my docs" "$T/mnt/a:b" || { fail "start memfs 'my docs'"; fsp_done; }
launchctl start memfs memfs //memfs "$T/mnt/my dir" || { fail "start memfs memfs"; fsp_done; }

# The programs the completion runs are the build's.
export PATH=$FSP_BUILD_DIR/launcher:$FSP_BUILD_DIR/netprovider:$PATH

# offers LINE: the candidates, sorted, one a line.
offers() {
        "$FSP_SOURCE_DIR/tests/shell-completion/complete.py" "$completion" "$1" | sort
}

# expect_offers WHAT LINE CANDIDATE...: exactly these.
expect_offers() {
        local what=$1 line=$2 got want
        shift 2
        got=$(offers "$line")
        want=$(printf '%s\n' "$@" | sort)
        [ $# = 0 ] && want=""
        expect_eq "$what ('$line')" "$got" "$want"
}

# expect_offers_some WHAT LINE CANDIDATE...: at least these.
expect_offers_some() {
        local what=$1 line=$2 got c
        shift 2
        got=$(offers "$line")
        for c in "$@"; do
                grep -qxF -- "$c" <<<"$got" || { fail "$what ('$line'): '$c' is not offered: $got"; return; }
        done
        pass "$what ('$line')"
}

# launchctl
expect_offers "launchctl: the commands" "launchctl " start startWithSecret stop info list classes reload
expect_offers "launchctl: commands by prefix" "launchctl st" start startWithSecret stop
expect_offers "launchctl: the options" "launchctl --" --help --version --user --json --bus-address
expect_offers "launchctl: options, then commands" "launchctl --json cl" classes
expect_offers "launchctl start: the classes" "launchctl start " alpha memfs memfs-pw
expect_offers "launchctl startWithSecret: classes by prefix" "launchctl startWithSecret memfs-" memfs-pw
expect_offers "launchctl start: an instance named like its class" "launchctl start alpha " alpha
expect_offers "launchctl start: the remote name as %1" "launchctl start memfs new " //memfs/new
expect_offers "launchctl stop: the classes with instances" "launchctl stop " memfs
expect_offers "launchctl info: the instances of the class" "launchctl info memfs " memfs 'my\ docs' share
expect_offers "launchctl stop: an instance with a space, quoted" "launchctl stop memfs my" 'my\ docs'
expect_offers "launchctl: case-insensitive commands" "launchctl STOP memfs s" share
expect_offers "launchctl info: nothing past the instance" "launchctl info memfs share "
bus=$DBUS_SYSTEM_BUS_ADDRESS
export DBUS_SYSTEM_BUS_ADDRESS=unix:path=$T/no-bus.sock
expect_offers "no launcher reachable: no names, no error" "launchctl start "
expect_offers "launchctl --bus-address ADDR: asks that bus" "launchctl --bus-address $bus start m" memfs memfs-pw
expect_offers "launchctl --bus-address=ADDR: asks that bus" "launchctl --bus-address=$bus info memfs sh" share

export DBUS_SYSTEM_BUS_ADDRESS=$bus

# winfsp-net
expect_offers "winfsp-net: the commands" "winfsp-net " use delete list forget
expect_offers_some "winfsp-net: the options" "winfsp-net --" --username --options --password-stdin --remember= \
        --mkdir --foreground --json --bus-address --help --version
expect_offers "winfsp-net -o: mount options after a comma" "winfsp-net use -o ro,noa" ro,noatime
expect_offers "winfsp-net use -o LIST: then the remote name" "winfsp-net use -o ro $T/mnt/share //a" //alpha //alpha/
expect_offers "winfsp-net --remember" "winfsp-net use --remember " never session forever
expect_offers "winfsp-net --remember=" "winfsp-net use --remember=s" session
expect_offers "winfsp-net use: remote names of the classes" "winfsp-net use //m" //memfs //memfs/ //memfs-pw //memfs-pw/
expect_offers "winfsp-net use MOUNTPOINT: then the remote name" "winfsp-net use $T/mnt/share //a" //alpha //alpha/
expect_offers_some "winfsp-net use: a mount point, or a remote name" "winfsp-net use " //alpha //memfs
expect_offers "winfsp-net use: directories for the mount point" "winfsp-net use $T/mnt/sh" "$T/mnt/share"
expect_offers_some "winfsp-net delete: mount points and remote names" "winfsp-net delete " \
        "$T/mnt/share" "$T/mnt/a:b" "$(printf %q "$T/mnt/my dir")" //memfs/share '//memfs/my\ docs' //memfs
expect_offers "winfsp-net delete: a mount point by prefix" "winfsp-net delete $T/mnt/sh" "$T/mnt/share"
expect_offers "winfsp-net delete: a mount point past a ':' (readline's word)" "winfsp-net delete $T/mnt/a:" b
expect_offers "winfsp-net delete: remote names by prefix" "winfsp-net delete //memfs/" //memfs/share '//memfs/my\ docs'
expect_offers "winfsp-net forget: remote names" "winfsp-net forget //memfs-" //memfs-pw
export DBUS_SYSTEM_BUS_ADDRESS=unix:path=$T/no-bus.sock
expect_offers "winfsp-net --bus-address=ADDR: asks that bus" "winfsp-net --bus-address=$bus use //al" //alpha //alpha/
export DBUS_SYSTEM_BUS_ADDRESS=$bus

# mount.winfsp
expect_offers "mount.winfsp: remote names" "mount.winfsp //al" //alpha //alpha/
expect_offers "mount.winfsp -t" "mount.winfsp -t " winfsp
expect_offers_some "mount.winfsp -o" "mount.winfsp //memfs/x $T/mnt/share -o remember," remember,remember=never \
        remember,username= remember,password_stdin remember,x-mount.mkdir remember,ro
# Directories come from _filedir, for readline to quote (-o filenames).
expect_offers "mount.winfsp: the directory" "mount.winfsp //memfs/x $T/mnt/my" "$T/mnt/my dir"

# Readline itself, in an interactive bash in tmux: what the line becomes.
if command -v tmux >/dev/null; then
        sock=$T/tmux.sock
        cat >"$T/bashrc" <<EOF
PS1='READY> '
. /usr/share/bash-completion/bash_completion
. $completion
bind 'set bell-style none'
EOF
        tmux -S "$sock" new-session -d -x 200 -y 50 \
                "env PATH='$PATH' DBUS_SYSTEM_BUS_ADDRESS='$bus' bash --rcfile '$T/bashrc' -i"
        screen() { tmux -S "$sock" capture-pane -p -J; }
        fsp_wait_until 10 sh -c "tmux -S '$sock' capture-pane -p | grep -q 'READY>'"
        # typed LINE WANT: type LINE and a Tab, the line reads WANT.
        typed() {
                tmux -S "$sock" send-keys -l -- "$1"
                tmux -S "$sock" send-keys Tab
                if fsp_wait_until 10 sh -c "tmux -S '$sock' capture-pane -p -J | grep -qF -- 'READY> $2'"; then
                        pass "readline completes '$1' to '$2'"
                else
                        fail "readline: '$1' + Tab: $(screen | grep 'READY>' | tail -1)"
                fi
                tmux -S "$sock" send-keys C-u
        }
        typed "launchctl stop memfs my" 'launchctl stop memfs my\ docs'
        typed "winfsp-net delete $T/mnt/a:" "winfsp-net delete $T/mnt/a:b"
        typed "mount.winfsp //memfs/x $T/mnt/my" "mount.winfsp //memfs/x $T/mnt/my\\ dir/"
        tmux -S "$sock" kill-server
else
        echo "note: tmux is missing; readline itself not checked"
fi

fsp_done
