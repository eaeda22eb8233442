#!/bin/bash
# bindfs, squashfuse and fuse-zip through the shipped classes, as a user
# (RunAs=.): //CLASS/PATH names the directory, image or archive /PATH.
# bindfs with a program option the class accepts (-o perms=) and a generic
# one (ro); a SquashFS image made by the test; a ZIP archive read and
# written back when the instance stops.
# shellcheck source=lib.sh
. "$FSP_SOURCE_DIR/tests/realfs/lib.sh"

realfs_init bindfs bindfs squashfuse squashfuse mksquashfs squashfs-tools fuse-zip fuse-zip zip zip
fsp_bus_start
U=fsprarch
realfs_user $U
realfs_classes bindfs squashfuse fuse-zip
fsp_launcher_start
realfs_mkdirs $U b1 b2 b3 q1 z1
H=$T/home-$U
realfs_as $U mkdir -p "$H/src"
realfs_as $U sh -c "echo source-file >'$H/src/f.txt'"

# ---------------------------------------------------------------- bindfs
expect_ok "//bindfs/PATH" realfs_as $U "$NET" use "$T/mnt/b1" "//bindfs$H/src"
expect_eq "the directory's file" "$(realfs_as $U cat "$T/mnt/b1/f.txt")" "source-file"
realfs_write_read $U "$T/mnt/b1" "a file written through bindfs reads back"
expect_ok "it is in the directory" test -f "$H/src/probe.txt"
expect_ok "delete" realfs_as $U "$NET" delete "$T/mnt/b1"
expect_ok "-o perms=a-w (bindfs's own option)" realfs_as $U "$NET" use -o perms=a-w "$T/mnt/b2" "//bindfs$H/src"
expect_eq "perms= reached bindfs: no write bit" "$(stat -c %A "$T/mnt/b2/f.txt" | tr -d r-)" ""
expect_ok "delete" realfs_as $U "$NET" delete "$T/mnt/b2"
expect_ok "-o ro" realfs_as $U "$MOUNT_WINFSP" "//bindfs$H/src" "$T/mnt/b3" -o ro
expect_fail "a write fails" realfs_as $U sh -c "echo x >'$T/mnt/b3/new'"
expect_contains "with EROFS" "$OUT" "Read-only file system"
expect_ok "delete" realfs_as $U "$NET" delete "$T/mnt/b3"

# ---------------------------------------------------------------- squashfuse
expect_ok "mksquashfs" realfs_as $U mksquashfs "$H/src" "$H/img.sqfs" -quiet -noappend
expect_ok "//squashfuse/PATH" realfs_as $U "$NET" use "$T/mnt/q1" "//squashfuse$H/img.sqfs"
expect_eq "the image's file" "$(realfs_as $U cat "$T/mnt/q1/f.txt")" "source-file"
expect_eq "the mount" "$(fsp_mount_fstype "$T/mnt/q1")" "fuse.squashfuse"
expect_status "delete" 0 realfs_as $U "$NET" delete "$T/mnt/q1"
expect_eq "a stop reads as a stop (squashfuse exits 8 on SIGTERM)" "$OUT" "//squashfuse$H/img.sqfs stopped"

# ---------------------------------------------------------------- fuse-zip
expect_ok "zip" realfs_as $U sh -c "cd '$H/src' && zip -q '$H/a.zip' f.txt"
expect_ok "//fuse-zip/PATH" realfs_as $U "$NET" use "$T/mnt/z1" "//fuse-zip$H/a.zip"
expect_eq "the archive's file" "$(realfs_as $U cat "$T/mnt/z1/f.txt")" "source-file"
expect_ok "a new file in it" realfs_as $U sh -c "echo added >'$T/mnt/z1/added.txt'"
expect_ok "delete" realfs_as $U "$NET" delete "$T/mnt/z1"
expect_eq "written back into the archive at the stop" "$(unzip -p "$H/a.zip" added.txt 2>&1)" "added"
fsp_done
