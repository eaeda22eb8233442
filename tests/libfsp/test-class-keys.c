/* SPDX-License-Identifier: MIT */
/* The [Service] keys: each value's syntax, good and hostile, the defaults, and the rules between keys. */
#include "class-test.h"

static void test_full_class(void)
{
        Warnings w;
        FspClass *c = parse_ok("; a class with every key\n"
                               "# comment\n"
                               "[Service]\n"
                               "Description=In-memory file system\n"
                               "Executable=/usr/bin/winfsp-memfs\n"
                               "CommandLine=-n 65536 -s 67108864 -u %1 -m '%2'\n"
                               "Security=D:P(A;;RPWPLC;;;WD)\n"
                               "Credentials=3\n"
                               "RunAs=.\n"
                               "WorkDirectory=%P/work\n"
                               "Stderr=/var/log/winfsp/%C-%I.log\n"
                               "JobControl=no\n"
                               "Recovery=True\n"
                               "RecoveryBurst=1000\n"
                               "RecoveryInterval=1min 30s\n"
                               "MountPoint=%2\n"
                               "StartTimeout=500ms\n"
                               "StopTimeout=2\n"
                               "CredentialsTimeout=1h\n",
                               &w);
        if (!c)
                return;
        CHECK_INT(w.n, 0);
        CHECK_INT(c->n_ref, 1);
        CHECK_STR(c->name, "test");
        CHECK_STR(c->path, "test.conf");
        CHECK_STR(c->description, "In-memory file system");
        CHECK_STR(c->executable, "/usr/bin/winfsp-memfs");
        CHECK_INT(strv_length(c->command_line), 8);
        CHECK_STR(c->command_line[5], "%1");
        CHECK_STR(c->command_line[7], "%2");
        CHECK_STR(c->security_text, "D:P(A;;RPWPLC;;;WD)");
        CHECK(c->security != NULL);
        CHECK_INT(c->credentials, FSP_CREDENTIALS_USER_PASSWORD);
        CHECK_STR(c->run_as, ".");
        CHECK_STR(c->work_directory, "%P/work");
        CHECK_STR(c->stderr_path, "/var/log/winfsp/%C-%I.log");
        CHECK(!c->job_control);
        CHECK(c->recovery);
        CHECK_INT(c->recovery_burst, 1000);
        CHECK_INT(c->recovery_interval_usec, 90 * USEC_PER_SEC);
        CHECK_STR(c->mount_point, "%2");
        CHECK_INT(c->start_timeout_usec, 500 * USEC_PER_MSEC);
        CHECK_INT(c->stop_timeout_usec, 2 * USEC_PER_SEC);
        CHECK_INT(c->credentials_timeout_usec, 3600 * USEC_PER_SEC);

        CHECK(fsp_class_ref(c) == c);
        CHECK_INT(c->n_ref, 2);
        CHECK(fsp_class_unref(c) == NULL);
        CHECK_INT(c->n_ref, 1);
        fsp_class_unref(c);
}

static void test_defaults(void)
{
        FspClass *c = parse_ok(HEAD, NULL);
        _cleanup_free_ char *sec = NULL;

        if (!c)
                return;
        CHECK_STR(c->description, "");
        CHECK(c->command_line && !c->command_line[0]);
        CHECK_STR(c->security_text, FSP_SECURITY_DEFAULT);
        CHECK_STR(sec = fsp_security_to_string(c->security), FSP_SECURITY_DEFAULT);
        CHECK_INT(c->credentials, FSP_CREDENTIALS_NONE);
        CHECK(c->run_as == NULL);
        CHECK_STR(c->work_directory, "/");
        CHECK(c->stderr_path == NULL);
        CHECK(c->job_control);
        CHECK(!c->recovery);
        CHECK_INT(c->recovery_burst, 5);
        CHECK_INT(c->recovery_interval_usec, 5 * USEC_PER_MINUTE);
        CHECK(c->mount_point == NULL);
        CHECK_INT(c->start_timeout_usec, 30 * USEC_PER_SEC);
        CHECK_INT(c->stop_timeout_usec, 5 * USEC_PER_SEC);
        CHECK_INT(c->credentials_timeout_usec, 15 * USEC_PER_SEC);
        CHECK_INT(c->credentials_reply, FSP_CREDENTIALS_REPLY_OK);
        CHECK_INT(c->credentials_stdin, FSP_CREDENTIALS_STDIN_PASSWORD);
        CHECK_INT(c->mount_by, FSP_MOUNT_BY_PROGRAM);
        CHECK(c->mount_options == NULL);
        CHECK(c->accept_options && !c->accept_options[0]);
        CHECK(c->memory_max == FSP_RESOURCE_UNSET);
        CHECK(c->tasks_max == FSP_RESOURCE_UNSET);
        CHECK(c->cpu_quota_per_sec_usec == FSP_RESOURCE_UNSET);
        CHECK(c->slice == NULL);
        CHECK_INT(c->max_instances_per_user, 0);
        fsp_class_unref(c);

        /* Stderr=journal and an empty MountPoint= give the defaults back. */
        c = parse_ok(HEAD "Stderr=/tmp/x\nStderr=journal\nMountPoint=/m\nMountPoint=\n", NULL);
        if (c) {
                CHECK(c->stderr_path == NULL);
                CHECK(c->mount_point == NULL);
                fsp_class_unref(c);
        }
}

/* One key's value: accepted, with the class handed to a check. */
static void test_values(void)
{
        FspClass *c;

        /* Booleans, every spelling. */
        const char *yes[] = { "1", "yes", "YES", "true", "True", "on", "On" };
        const char *no[] = { "0", "no", "No", "false", "FALSE", "off", "OFF" };
        for (size_t i = 0; i < ELEMENTSOF(yes); i++) {
                CHECK((c = parse_value("Recovery", yes[i])) && c->recovery);
                fsp_class_unref(c);
                CHECK((c = parse_value("JobControl", no[i])) && !c->job_control);
                fsp_class_unref(c);
        }
        check_bad_value("Recovery", "2", 10, "invalid boolean '2'");
        check_bad_value("JobControl", "yess", 12, "invalid boolean 'yess'");
        check_bad_value("JobControl", "", 12, "invalid boolean ''");

        /* Times. */
        static const struct {
                const char *text;
                uint64_t usec;
        } times[] = {
                { "30", 30 * USEC_PER_SEC },
                { "1ms", USEC_PER_MSEC },
                { "5s", 5 * USEC_PER_SEC },
                { "5sec", 5 * USEC_PER_SEC },
                { "2m", 2 * USEC_PER_MINUTE },
                { "2min", 2 * USEC_PER_MINUTE },
                { "24h", 24 * 60 * USEC_PER_MINUTE },
                { "1min 30s", 90 * USEC_PER_SEC },
                { "1h 1min 1s 1ms", 3661001 * USEC_PER_MSEC },
                { "1min30s", 90 * USEC_PER_SEC },
                { "5 s", 5 * USEC_PER_SEC },
        };
        for (size_t i = 0; i < ELEMENTSOF(times); i++) {
                c = parse_value("StartTimeout", times[i].text);
                CHECK(c && c->start_timeout_usec == times[i].usec);
                fsp_class_unref(c);
        }
        check_bad_value("StartTimeout", "3x", 14, "invalid time '3x'");
        check_bad_value("StopTimeout", "", 13, "invalid time ''");
        check_bad_value("StopTimeout", "-5", 13, "invalid time '-5'");
        check_bad_value("StopTimeout", "1.5s", 13, "invalid time '1.5s'");
        check_bad_value("StopTimeout", "1 30", 13, "invalid time '1 30'");
        check_bad_value("StopTimeout", "5S", 13, "invalid time '5S'");
        check_bad_value("StopTimeout", "5 days", 13, "invalid time '5 days'");
        check_bad_value("CredentialsTimeout", "0", 20, "time '0' is out of range (1ms to 24h)");
        check_bad_value("CredentialsTimeout", "0ms", 20, "out of range");
        check_bad_value("CredentialsTimeout", "25h", 20, "out of range");
        check_bad_value("CredentialsTimeout", "24h 1ms", 20, "out of range");
        check_bad_value("RecoveryInterval", "99999999999999999999", 18, "out of range");
        check_bad_value("RecoveryInterval", "18446744073709551615h", 18, "out of range");

        /* Integers. */
        CHECK((c = parse_value("RecoveryBurst", "1")) && c->recovery_burst == 1);
        fsp_class_unref(c);
        check_bad_value("RecoveryBurst", "0", 15, "invalid count '0'");
        check_bad_value("RecoveryBurst", "1001", 15, "invalid count '1001'");
        check_bad_value("RecoveryBurst", "+5", 15, "invalid count '+5'");
        check_bad_value("RecoveryBurst", "0x10", 15, "invalid count");
        check_bad_value("RecoveryBurst", "18446744073709551621", 15, "invalid count");

        /* Credentials: WinFsp's 0, 1 and 3. */
        CHECK((c = parse_value("Credentials", "1")) && c->credentials == FSP_CREDENTIALS_PASSWORD);
        fsp_class_unref(c);
        check_bad_value("Credentials", "2", 13, "invalid value '2'");
        check_bad_value("Credentials", "4", 13, "invalid value '4'");
        check_bad_value("Credentials", "yes", 13, "invalid value 'yes'");

        /* RunAs. */
        CHECK((c = parse_value("RunAs", "_daemon-1.x$")) && streq(c->run_as, "_daemon-1.x$"));
        fsp_class_unref(c);
        CHECK((c = parse_value("RunAs", "abcdefghijklmnopqrstuvwxyz012345")) != NULL); /* 32 bytes */
        fsp_class_unref(c);
        check_bad_value("RunAs", "abcdefghijklmnopqrstuvwxyz0123456", 7, "valid user name");
        check_bad_value("RunAs", "Root", 7, "'Root' is neither");
        check_bad_value("RunAs", "1user", 7, "valid user name");
        check_bad_value("RunAs", "a$b", 7, "valid user name");
        check_bad_value("RunAs", "..", 7, "valid user name");
        check_bad_value("RunAs", "", 7, "valid user name");

        /* Executable and path templates. */
        check_bad_value("Executable", "bin/memfs", 12, "'bin/memfs' is not an absolute path");
        check_bad_value("Executable", "", 12, "not an absolute path");
        check_bad_value("WorkDirectory", "work", 15, "not an absolute path");
        check_bad_value("WorkDirectory", "%U/x", 15, "not an absolute path");
        check_bad_value("WorkDirectory", "/srv/%X", 20, "unknown sequence '%X'");
        check_bad_value("Stderr", "log.txt", 8, "not an absolute path");
        check_bad_value("Stderr", "/var/log/%", 17, "'%' at the end");
        check_bad_value("MountPoint", "/mnt/%Z", 17, "unknown sequence '%Z'");
        CHECK((c = parse_value("Stderr", "%P/.cache/x.log")) && streq(c->stderr_path, "%P/.cache/x.log"));
        fsp_class_unref(c);

        /* CommandLine and Security: the column is the one in the line. */
        check_bad_value("CommandLine", "-o 'x", 16, "unterminated ' quote");
        check_bad_value("CommandLine", "-u %Q", 16, "unknown sequence '%Q'");
        check_bad_value("Security", "D:P(A;;RPXX;;;WD)", 19, "unknown right 'XX'");
        check_bad_value("Security", "D:P(A;;RP;;;BU)", 22, "trustee 'BU' is not supported here");
        check_bad_value("Security", "", 10, "empty");
}

static void test_new_keys(void)
{
        Warnings w;
        FspClass *c = parse_ok(HEAD "Credentials=3\n"
                                    "CommandLine=-o %O --password-file=%S %3\n"
                                    "CredentialsReply=none\n"
                                    "CredentialsStdin=user-password-lines\n"
                                    "MountBy=launcher\n"
                                    "MountOptions=allow_other,\n"
                                    "  default_permissions, noatime,max_read=131072\n"
                                    "AcceptOptions=reconnect, cache=no\n"
                                    "MemoryMax=512M\n"
                                    "TasksMax=64\n"
                                    "CPUQuota=250%\n"
                                    "Slice=system-winfsp.slice\n"
                                    "MaxInstancesPerUser=3\n",
                               &w);

        CHECK_INT(w.n, 0);
        if (c) {
                CHECK_INT(c->credentials_reply, FSP_CREDENTIALS_REPLY_NONE);
                CHECK_INT(c->credentials_stdin, FSP_CREDENTIALS_STDIN_USER_PASSWORD_LINES);
                CHECK_INT(c->mount_by, FSP_MOUNT_BY_LAUNCHER);
                CHECK_STR(c->mount_options, "allow_other, default_permissions, noatime,max_read=131072");
                CHECK_INT(strv_length(c->accept_options), 2);
                CHECK_STR(c->accept_options[1], "cache=no");
                CHECK_INT(c->memory_max, 512ULL << 20);
                CHECK_INT(c->tasks_max, 64);
                CHECK_INT(c->cpu_quota_per_sec_usec, 2500000);
                CHECK_STR(c->slice, "system-winfsp.slice");
                CHECK_INT(c->max_instances_per_user, 3);
        }
        fsp_class_unref(c);

        /* The spellings, both ways. */
        CHECK_STR(fsp_credentials_reply_to_string(FSP_CREDENTIALS_REPLY_OK), "OK");
        CHECK_INT(fsp_credentials_reply_from_string("none"), FSP_CREDENTIALS_REPLY_NONE);
        CHECK_INT(fsp_credentials_reply_from_string("ok"), _FSP_CREDENTIALS_REPLY_INVALID);
        CHECK_STR(fsp_credentials_stdin_to_string(FSP_CREDENTIALS_STDIN_PASSWORD_LINE), "password-line");
        CHECK_INT(fsp_credentials_stdin_from_string(NULL), _FSP_CREDENTIALS_STDIN_INVALID);
        CHECK_STR(fsp_mount_by_to_string(FSP_MOUNT_BY_LAUNCHER), "launcher");
        CHECK(fsp_mount_by_to_string(_FSP_MOUNT_BY_MAX) == NULL);
        CHECK(fsp_mount_by_to_string(_FSP_MOUNT_BY_INVALID) == NULL);

        /* Sizes, counts, quotas and slices. */
        static const struct {
                const char *key, *value;
                uint64_t expected;
        } good[] = {
                { "MemoryMax", "1", 1 },
                { "MemoryMax", "1048576", 1048576 },
                { "MemoryMax", "4K", 4096 },
                { "MemoryMax", "2G", 2ULL << 30 },
                { "MemoryMax", "3T", 3ULL << 40 },
                { "MemoryMax", "16777215T", 16777215ULL << 40 },
                { "MemoryMax", "infinity", FSP_RESOURCE_INFINITY },
                { "TasksMax", "1", 1 },
                { "TasksMax", "infinity", FSP_RESOURCE_INFINITY },
                { "CPUQuota", "1%", 10000 },
                { "CPUQuota", "100%", 1000000 },
                { "CPUQuota", "1600%", 16000000 },
                { "MaxInstancesPerUser", "0", 0 },
                { "MaxInstancesPerUser", "4294967295", 4294967295U },
        };
        for (size_t i = 0; i < ELEMENTSOF(good); i++) {
                c = parse_value(good[i].key, good[i].value);
                CHECK(c);
                if (!c)
                        continue;
                uint64_t got = streq(good[i].key, "MemoryMax")  ? c->memory_max
                               : streq(good[i].key, "TasksMax") ? c->tasks_max
                               : streq(good[i].key, "CPUQuota") ? c->cpu_quota_per_sec_usec
                                                                : c->max_instances_per_user;
                CHECK_INT(got, good[i].expected);
                fsp_class_unref(c);
        }
        const char *slices[] = { "winfsp.slice", "system-winfsp.slice", "-.slice", "a:b_c.d\\x2d.slice",
                                 "user-1000.slice" };
        for (size_t i = 0; i < ELEMENTSOF(slices); i++) {
                CHECK((c = parse_value("Slice", slices[i])) && streq(c->slice, slices[i]));
                fsp_class_unref(c);
        }

        check_bad_value("CredentialsReply", "ok", 18, "invalid value 'ok'; use OK or none");
        check_bad_value("CredentialsReply", "", 18, "invalid value ''");
        check_bad_value("CredentialsStdin", "passwd", 18,
                        "invalid value 'passwd'; use password, password-line, user-password-lines or none");
        check_bad_value("MountBy", "Launcher", 9, "invalid value 'Launcher'; use program or launcher");
        check_bad_value("MemoryMax", "0", 11, "size '0' is out of range");
        check_bad_value("MemoryMax", "-1", 11, "invalid size '-1'");
        check_bad_value("MemoryMax", "1.5G", 11, "invalid size '1.5G'");
        check_bad_value("MemoryMax", "512m", 11, "invalid size '512m'");
        check_bad_value("MemoryMax", "1KB", 11, "invalid size");
        check_bad_value("MemoryMax", "G", 11, "invalid size");
        check_bad_value("MemoryMax", "50%", 11, "invalid size");
        check_bad_value("MemoryMax", "Infinity", 11, "invalid size");
        check_bad_value("MemoryMax", "16777216T", 11, "out of range");
        check_bad_value("MemoryMax", "18446744073709551614", 11, "out of range");
        check_bad_value("MemoryMax", "99999999999999999999999", 11, "invalid size");
        check_bad_value("TasksMax", "0", 10, "invalid count '0'");
        check_bad_value("TasksMax", "-5", 10, "invalid count");
        check_bad_value("TasksMax", "10%", 10, "invalid count");
        check_bad_value("TasksMax", "18446744073709551614", 10, "invalid count");
        check_bad_value("CPUQuota", "50", 10, "invalid quota '50'; write a whole percentage");
        check_bad_value("CPUQuota", "0%", 10, "invalid quota");
        check_bad_value("CPUQuota", "%", 10, "invalid quota");
        check_bad_value("CPUQuota", "12.5%", 10, "invalid quota");
        check_bad_value("CPUQuota", "-5%", 10, "invalid quota");
        check_bad_value("CPUQuota", "1844674407370956%", 10, "invalid quota");
        check_bad_value("CPUQuota", "50 %", 10, "invalid quota");
        check_bad_value("MaxInstancesPerUser", "-1", 21, "invalid count '-1'");
        check_bad_value("MaxInstancesPerUser", "4294967296", 21, "invalid count");
        check_bad_value("MaxInstancesPerUser", "", 21, "invalid count");
        const char *bad_slices[] = { "winfsp",    "winfsp.service", ".slice",        "a--b.slice",
                                     "-a.slice",  "a-.slice",       "a/b.slice",     "a b.slice",
                                     "a@b.slice", "Grüße.slice",    "x.slice.slice2" };
        for (size_t i = 0; i < ELEMENTSOF(bad_slices); i++)
                check_bad_value("Slice", bad_slices[i], 7, "is not a slice name");
        /* A slice name cannot be longer than a line (199 bytes), below systemd's 255. */
        char long_slice[200];
        memset(long_slice, 'a', sizeof(long_slice));
        strcpy(long_slice + 187 - 6, ".slice");
        CHECK((c = parse_value("Slice", long_slice)) && strlen(c->slice) == 187);
        fsp_class_unref(c);

        /* Mount options: the column is that of the offending option. */
        check_bad_value("MountOptions", "ro,suid", 17, "option 'suid' is refused");
        check_bad_value("MountOptions", "noexec,reconnect", 21,
                        "'reconnect' is not an option the launcher applies");
        check_bad_value("MountOptions", "x-systemd.automount", 14, "not an option the launcher applies");
        check_bad_value("MountOptions", "max_read=0", 14, "max_read");
        check_bad_value("MountOptions", "ro,,rw", 17, "empty option");
        check_bad_value("AcceptOptions", "reconnect,allow_other", 25, "set it in MountOptions=");
        check_bad_value("AcceptOptions", "a,,b", 17, "empty option");
        check_refused(
                HEAD "MountOptions=allow_other,\n  nodev,\n  dev\n",
                "test.conf:5:3: MountOptions: option 'dev' is refused: mounts made by the launcher are "
                "always nosuid,nodev");
        c = parse_ok(HEAD "MountBy=launcher\nMountOptions=ro\nMountOptions=\n", &w);
        CHECK(c && c->mount_options == NULL);
        fsp_class_unref(c);
}

/* The text loads, with exactly this one warning. */
static void check_one_warning_(const char *file, int line, const char *text, const char *expected)
{
        Warnings w;
        FspClass *c = parse_ok_(file, line, text, &w);

        test_checks++;
        if (!c || w.n != 1 || strcmp(w.text[0], expected) != 0) {
                test_failures++;
                fprintf(stderr, "%s:%d: FAIL: %zu warnings, the first \"%s\"; expected \"%s\"\n", file, line,
                        w.n, w.n ? w.text[0] : "", expected);
        }
        fsp_class_unref(c);
}
#define check_one_warning(text, expected) check_one_warning_(__FILE__, __LINE__, text, expected)

static void test_key_rules(void)
{
        Warnings w;
        FspClass *c;

        /* The password's way to the program. */
        check_refused(HEAD "Credentials=1\nCredentialsStdin=user-password-lines\n",
                      "test.conf:4: CredentialsStdin: user-password-lines writes a user name, which only "
                      "Credentials=3 asks for");
        check_refused(HEAD "CredentialsStdin=user-password-lines\n", "test.conf:3: CredentialsStdin: *");
        check_refused(
                HEAD "CommandLine=-o pw=%S\n",
                "test.conf:3: CommandLine: %S is the file holding the password; it needs Credentials=1 "
                "or 3");
        check_refused(HEAD "Credentials=1\nCredentialsStdin=none\nCommandLine=-o pw=%%S\n",
                      "test.conf:4: CredentialsStdin: none writes nothing to the program and CommandLine= "
                      "has no %S: it would never get the password");
        check_refused(HEAD "MountPoint=/run/%S\n", "test.conf:3:17: MountPoint: '%S' may only be used in "
                                                   "CommandLine=");
        check_refused(HEAD "Stderr=/var/log/%O.log\n", "test.conf:3:17: Stderr: '%O' may only be used in *");
        check_refused(HEAD "WorkDirectory=/%S\n", "test.conf:3:16: WorkDirectory: *");

        c = parse_ok(HEAD "Credentials=1\nCredentialsStdin=none\nCommandLine=--password-file %S\n", &w);
        CHECK_INT(w.n, 0);
        CHECK(c && c->credentials_stdin == FSP_CREDENTIALS_STDIN_NONE);
        fsp_class_unref(c);
        c = parse_ok(HEAD "Credentials=3\nCredentialsStdin=password-line\nCommandLine=%S\n", &w);
        CHECK_INT(w.n, 0);
        fsp_class_unref(c);

        /* Warnings: a key without effect. */
        check_one_warning(
                HEAD "CredentialsStdin=none\nCredentialsReply=none\n",
                "test.conf:4: CredentialsReply= and CredentialsStdin= have no effect with Credentials=0");
        check_one_warning(HEAD "MountOptions=allow_other\n",
                          "test.conf:3: MountOptions= only applies with MountBy=launcher; ignored");
        check_one_warning(
                HEAD "MountBy=program\nAcceptOptions=reconnect\nCommandLine=-o reconnect\n",
                "test.conf:4: AcceptOptions= lists options, but CommandLine= has no %O to pass them on");
        c = parse_ok(HEAD "AcceptOptions=\nCommandLine=-o %O\n", &w);
        CHECK_INT(w.n, 0);
        fsp_class_unref(c);
}

int main(void)
{
        test_full_class();
        test_defaults();
        test_values();
        test_new_keys();
        test_key_rules();
        return test_result();
}
