#!/bin/bash
# What lets an unmodified FUSE program run as a class (issue 9, the
# launcher's part): CredentialsReply=none with CredentialsStdin=, the secret
# as a file (%S), the caller's mount options (generic ones applied to the
# mount, accepted ones through %O, the others refused), and MountBy=launcher
# (the launcher makes the connection, the program gets /dev/fd/3).
. "$FSP_SOURCE_DIR/tests/integration/lib.sh"
fsp_init
fsp_bus_start
mkdir -p "$T/mnt/q" "$T/mnt/w" "$T/mnt/o" "$T/mnt/l" "$T/mnt/r"

# Like sshfs -o password_stdin: reads a line, says nothing, mounts, or fails with "Permission denied".
fsp_class quiet <<EOC
[Service]
Executable=$TESTFS
CommandLine=--record $T/record-%I --password-line sesame --mount %1
MountPoint=%1
Security=D:P(A;;RPWPLC;;;WD)
Credentials=1
CredentialsReply=none
CredentialsStdin=password-line
StartTimeout=10
EOC
# Reads %S and %3 (Credentials=3 with user and password on stdin, in lines).
fsp_class files <<EOC
[Service]
Executable=/bin/sh
CommandLine=-c 'cat %S >$T/secret-file; cat >$T/stdin-lines; echo "%3" >$T/user; exec sleep 60'
Security=D:P(A;;RPWPLC;;;WD)
Credentials=3
CredentialsReply=none
CredentialsStdin=user-password-lines
EOC
# Takes the caller's options it accepts through %O.
fsp_class opts <<EOC
[Service]
Executable=$TESTFS
CommandLine=--record $T/record-%I -o %O --mount %1
MountPoint=%1
Security=D:P(A;;RPWPLC;;;WD)
AcceptOptions=reconnect,uid
EOC
# memfs with the connection made by the launcher.
fsp_class lmemfs <<EOC
[Service]
Executable=$MEMFS
CommandLine=-u //lmemfs/%I -m %1
MountPoint=%1
Security=D:P(A;;RPWPLC;;;WD)
MountBy=launcher
MountOptions=allow_other,default_permissions
EOC
# memfs whose hash file is missing: the server's fault, not the password's.
fsp_class nohash <<EOC
[Service]
Executable=$MEMFS
CommandLine=-u //nohash/%I -m %1 --secret-hash $T/no-such.hash
MountPoint=%1
Security=D:P(A;;RPWPLC;;;WD)
Credentials=1
EOC
fsp_launcher_start

start_options() { # CLASS INSTANCE OPTIONS ARG...: StartWithOptions with MountOptions
        local class=$1 inst=$2 opts=$3
        shift 3
        gdbus call --system --dest org.winfsp.Launcher1 --object-path /org/winfsp/Launcher1 \
                --method org.winfsp.Launcher1.StartWithOptions "$class" "$inst" "$(gv_strv "$@")" \
                "{'MountOptions': <'$opts'>}"
}

# --- CredentialsReply=none
expect_ok "the right password, as a line: it mounts, ready without an OK" \
        sh -c "printf sesame | '$LAUNCHCTL' startWithSecret quiet q '$T/mnt/q'"
expect_ok "mounted" fsp_is_mounted "$T/mnt/q"
expect_ok "stop" "$LAUNCHCTL" stop quiet q
expect_status "a wrong password: it exits before it mounts" 11 \
        sh -c "printf wrong | '$LAUNCHCTL' startWithSecret quiet w '$T/mnt/w'"
expect_contains "the error has its words" "$OUT" "Permission denied, please try again."
expect_contains "and its exit" "$OUT" "exited with status 1 before it was ready"
expect_fail "nothing mounted" fsp_is_mounted "$T/mnt/w"
expect_eq "no instance left" "$(bus_call List)" "a(ss) 0"

# --- a server-side error is a failed start, not a refused password
mkdir -p "$T/mnt/h"
expect_status "a missing hash file: StartFailed (11), not AuthenticationFailed (7)" 11 \
        sh -c "printf sesame | '$LAUNCHCTL' startWithSecret nohash h '$T/mnt/h'"
expect_contains "it says why" "$OUT" "no-such.hash: No such file or directory"

# --- %S and user-password-lines
expect_ok "a class reading %S" sh -c "printf 'pw 1' | '$LAUNCHCTL' startWithSecret files f x y alice"
expect_ok "it wrote what it read" fsp_wait_until 5 test -s "$T/user"
expect_eq "%S held the password and a newline" "$(od -c "$T/secret-file" | head -1)" "$(printf 'pw 1\n' | od -c | head -1)"
expect_eq "stdin had the user and the password, a line each" "$(cat "$T/stdin-lines")" "alice
pw 1"
expect_contains "%S was a /dev/fd path" "$(fsp_info_field files f Argv)" "/dev/fd/3"
expect_ok "stop" "$LAUNCHCTL" stop files f

# --- mount options
expect_ok "generic and accepted options" start_options opts o "ro,noexec,_netdev,nofail,x-systemd.automount,reconnect,uid=7" "$T/mnt/o"
expect_eq "the program got only what its class accepts, through %O" \
        "$(grep '^argv\[4\]=' "$T/record-o")" "argv[4]=reconnect,uid=7"
expect_contains "ro and noexec are on the mount" "$(findmnt -n -o OPTIONS "$T/mnt/o")" "ro,nosuid,nodev,noexec"
expect_fail "a write fails" sh -c "echo x >'$T/mnt/o/new'"
expect_ok "stop" "$LAUNCHCTL" stop opts o
expect_ok "no options" "$LAUNCHCTL" start opts n "$T/mnt/o"
expect_eq "-o %O vanished" "$(grep -c '^argv\[[0-9]*\]=-o$' "$T/record-n")" 0
expect_ok "stop" "$LAUNCHCTL" stop opts n
expect_status "an option the class does not accept" 1 start_options opts p "cache=yes" "$T/mnt/o"
expect_contains "refused, naming it" "$OUT" "option 'cache=yes' is not accepted; this class accepts reconnect, uid"
expect_status "a FUSE option from the caller" 1 start_options opts p "allow_other" "$T/mnt/o"
expect_contains "refused" "$OUT" "option 'allow_other' is the class's to set (MountOptions=), not the caller's"
expect_status "suid" 1 start_options opts p "suid" "$T/mnt/o"
expect_contains "refused" "$OUT" "always nosuid,nodev"
expect_eq "nothing started" "$(bus_call List)" "a(ss) 0"

# --- MountBy=launcher
expect_ok "memfs on a connection the launcher made" "$LAUNCHCTL" start lmemfs l "$T/mnt/l"
expect_contains "it got /dev/fd/3" "$(fsp_info_field lmemfs l Argv)" "/dev/fd/3"
expect_ok "mounted" fsp_is_mounted "$T/mnt/l"
expect_eq "its source and type" "$(findmnt -n -o SOURCE,FSTYPE "$T/mnt/l")" "//lmemfs/l fuse.lmemfs"
expect_contains "with the class's options" "$(findmnt -n -o OPTIONS "$T/mnt/l")" "allow_other"
expect_ok "I/O works" sh -c "echo hello >'$T/mnt/l/f' && grep -qx hello '$T/mnt/l/f'"
expect_ok "ro from the caller" start_options lmemfs r "ro" "$T/mnt/r"
expect_contains "is on the mount" "$(findmnt -n -o OPTIONS "$T/mnt/r")" "ro,"
expect_ok "stop" "$LAUNCHCTL" stop lmemfs l
expect_ok "stop the other" "$LAUNCHCTL" stop lmemfs r
expect_fail "unmounted" fsp_is_mounted "$T/mnt/l"
expect_ok "umount(8) of a launcher-made mount ends its instance" "$LAUNCHCTL" start lmemfs l "$T/mnt/l"
expect_ok "umount" umount "$T/mnt/l"
expect_ok "the instance ends" fsp_wait_until 10 sh -c "! '$LAUNCHCTL' info lmemfs l >/dev/null 2>&1"
fsp_done
