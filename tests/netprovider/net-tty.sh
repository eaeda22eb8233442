#!/bin/bash
# The terminal prompt, driven through a pseudo-terminal (pty-drive.py) as an
# unprivileged user with a Secret Service: the password is not echoed and is
# in no process's argv or environment while it is in use, remembering is
# offered and obeyed, three tries, Ctrl-D, Ctrl-C during the no-echo prompt
# (echo comes back), and the user name question of a Credentials=3 class.
# shellcheck source=netlib.sh
. "$FSP_SOURCE_DIR/tests/netprovider/netlib.sh"

net_init
fsp_bus_start
U=fspnet1
fsp_user $U >/dev/null
net_keyring_start $U

PW="Tty-pw-$$-m5"
net_hash "$PW" >"$T/sec.hash"
net_memfs_class sec 1 --secret-hash "$T/sec.hash"
fsp_class rec3 <<EOF
[Service]
Executable=$TESTFS
CommandLine=--password user3pw --record $T/rec-%I --mount %2 %1 --stderr %3
MountPoint=%2
Security=D:P(A;;RPWPLC;;;WD)
Credentials=3
EOF
fsp_launcher_start
for i in 1 2 3 4 5 6 7; do
        mkdir -p "$T/mnt/t$i"
        chown $U: "$T/mnt/t$i"
done

drive() { # drive STEPS... -- ARGS of winfsp-net use, as the user on a terminal
        net_drive_use $U "$@"
}

# The password typed without echo; remembering offered; "f" stores it.
expect_status "a password typed on the terminal, remembered forever" 0 drive \
        "expect=Password for //sec/t1: " "send=$PW\n" \
        "expect=Remember the password for //sec/t1? [n]ever, [s]ession, [f]orever [never]: " \
        "noecho=$PW" "scan=$PW" "send=f\n" eof status=0 echo-on -- "$T/mnt/t1" //sec/t1
expect_contains "the transcript shows the mount" "$OUT" "//sec/t1 mounted at $T/mnt/t1"
expect_ok "mounted" fsp_is_mounted "$T/mnt/t1"
expect_contains "remembered" "$(net_secrets $U remote //sec/t1)" "label = winfsp password for //sec/t1"
expect_ok "delete t1" net_as $U "$NET" delete //sec/t1
expect_status "the remembered password: no question on the terminal" 0 drive \
        eof status=0 -- "$T/mnt/t1" //sec/t1
expect_not_contains "no question asked" "$OUT" "Password for"
expect_ok "mounted again" fsp_is_mounted "$T/mnt/t1"

# A wrong one, then the right one; "never" (the default) stores nothing.
expect_status "refused once, then accepted" 0 drive \
        "expect=Password for //sec/t2: " "send=wrong-one\n" \
        "expect=the password was refused" "expect=Password for //sec/t2: " "send=$PW\n" \
        "expect=Remember the password for //sec/t2?" "send=\n" eof status=0 -- "$T/mnt/t2" //sec/t2
expect_ok "t2 mounted" fsp_is_mounted "$T/mnt/t2"
expect_eq "never: nothing stored" "$(net_secrets $U remote //sec/t2)" ""

# Three wrong ones: refused, nothing mounted, nothing stored.
expect_status "three wrong passwords" 0 drive \
        "expect=Password for //sec/t3: " "send=bad1\n" "expect=Password for //sec/t3: " "send=bad2\n" \
        "expect=Password for //sec/t3: " "send=bad3\n" "expect=the password was refused" eof status=7 \
        -- --remember=forever "$T/mnt/t3" //sec/t3
expect_fail "three wrong: nothing mounted" fsp_is_mounted "$T/mnt/t3"
expect_eq "three wrong: nothing stored" "$(net_secrets $U remote //sec/t3)" ""

# Ctrl-D gives up; Ctrl-C during the no-echo prompt leaves echo on.
expect_status "Ctrl-D at the prompt" 0 drive \
        "expect=Password for //sec/t4: " "send=\x04" "expect=no password given" eof status=13 \
        -- "$T/mnt/t4" //sec/t4
expect_status "Ctrl-C at the prompt" 0 drive \
        "expect=Password for //sec/t4: " "send=\x03" eof signaled=2 echo-on -- "$T/mnt/t4" //sec/t4
expect_fail "t4 not mounted" fsp_is_mounted "$T/mnt/t4"

# --remember=session given: no question, stored in the session collection.
expect_status "--remember=session on a terminal" 0 drive \
        "expect=Password for //sec/t5: " "send=$PW\n" eof status=0 -- --remember=session "$T/mnt/t5" //sec/t5
expect_not_contains "--remember given: no question" "$OUT" "Remember the password"
expect_ok "stored in the session collection" net_in_collection $U session //sec/t5

# --password-stdin with a terminal as stdin: one line, no echo, no question after.
expect_status "--password-stdin on a terminal" 0 drive \
        "expect=Password for //sec/t7: " "send=$PW\n" "expect=mounted at" "noecho=$PW" eof status=0 \
        -- --password-stdin "$T/mnt/t7" //sec/t7
expect_not_contains "--password-stdin: no remember question" "$OUT" "Remember the password"
expect_ok "t7 mounted" fsp_is_mounted "$T/mnt/t7"

# Credentials=3: the user name asked, suggested from NAME@INSTANCE.
expect_status "a user name and a password on the terminal" 0 drive \
        "expect=User name for //rec3/alice@t6 [alice]: " "send=\n" \
        "expect=Password for alice on //rec3/alice@t6: " "send=user3pw\n" \
        "expect=Remember the password" "send=n\n" eof status=0 -- "$T/mnt/t6" //rec3/alice@t6
expect_eq "the suggested user name was used as %3" "$(sed -n 's/^argv\[9\]=//p' "$T/rec-alice@t6")" "alice"

expect_secret_nowhere "the password is nowhere" "$PW"
fsp_done
