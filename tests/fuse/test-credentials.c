/* SPDX-License-Identifier: MIT */
/*
 * The credentials handshake through winfsp-memfs --secret-hash: the right
 * password is answered "OK" and only then does the mount appear; every
 * other case (wrong, empty, oversized, never-ending stdin, unreadable hash)
 * is answered "NO ...", the process exits non-zero and nothing is mounted.
 */
#include <crypt.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "test.h"

#define PASSWORD "correct horse battery staple"

#define BOB_PASSWORD "bob's own"

static char hash_path[512], passwd_path[512];

/* A hash of password made here with libcrypt: yescrypt, or SHA-512 as "openssl passwd -6" makes. */
static int make_hash(const char *prefix, const char *password, char *out, size_t size)
{
        char salt[CRYPT_GENSALT_OUTPUT_SIZE];
        struct crypt_data cd = { 0 };

        if (!crypt_gensalt_rn(prefix, 0, NULL, 0, salt, sizeof(salt)))
                return -errno;
        if (!crypt_rn(password, salt, &cd, sizeof(cd)))
                return -errno;
        snprintf(out, size, "%s", cd.output);
        return 0;
}

/* "hash": a bare hash of PASSWORD; "passwd": NAME:HASH lines for --secret-user. */
static int make_hash_files(const char *dir)
{
        char alice[CRYPT_OUTPUT_SIZE], bob[CRYPT_OUTPUT_SIZE], contents[3 * CRYPT_OUTPUT_SIZE];
        int r;

        r = make_hash("$y$", PASSWORD, alice, sizeof(alice));
        if (r == 0)
                r = make_hash("$6$", BOB_PASSWORD, bob, sizeof(bob));
        if (r < 0)
                return r;
        snprintf(hash_path, sizeof(hash_path), "%s/hash", dir);
        snprintf(contents, sizeof(contents), "%s\n", alice);
        r = harness_write_file(hash_path, contents);
        if (r < 0)
                return r;
        snprintf(passwd_path, sizeof(passwd_path), "%s/passwd", dir);
        snprintf(contents, sizeof(contents), "alice:%s\nbob:%s\n", alice, bob);
        return harness_write_file(passwd_path, contents);
}

static void spawn_as_user(MemfsProc *m, const char *hash, const char *timeout_ms, const char *user)
{
        const char *args[] = { "--secret-hash", hash, "--secret-timeout", timeout_ms,
                               user ? "--secret-user" : NULL, user, NULL };
        SpawnOptions opts = { .args = args, .pipe_stdin = true, .pipe_stdout = true };

        CHECK_INT(harness_spawn(m, &opts), 0);
}

static void spawn_with_hash(MemfsProc *m, const char *hash, const char *timeout_ms)
{
        spawn_as_user(m, hash, timeout_ms, NULL);
}

static void send_secret(MemfsProc *m, const char *secret, size_t size)
{
        size_t done = 0;

        while (done < size) {
                ssize_t k = write(m->stdin_fd, secret + done, size - done);
                if (k < 0)
                        break; /* EPIPE: memfs stopped reading, which is what a refusal looks like */
                done += (size_t) k;
        }
        close(m->stdin_fd);
        m->stdin_fd = -1;
}

/* The answer, the exit, and never a mount. */
static void expect_refused(MemfsProc *m, const char *what, const char *secret)
{
        char line[512] = "";
        int status;

        CHECK(harness_read_line(m->stdout_fd, line, sizeof(line), 10000));
        fprintf(stderr, "%s: answer '%s'\n", what, line);
        CHECK(strncmp(line, "NO", 2) == 0);
        if (secret && secret[0])
                CHECK(!strstr(line, secret));
        status = harness_wait_exit(m, 10000);
        CHECK(status != -1);
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) != 0);
        CHECK(harness_wait_unmounted(m->mnt, 0));
}

static void expect_accepted(const char *user, const char *password)
{
        MemfsProc m;
        char line[64] = "";
        int status;

        CHECK_INT(harness_make_dir(&m), 0);
        spawn_as_user(&m, user ? passwd_path : hash_path, "10000", user);
        /* Nothing is mounted before the answer. */
        CHECK(harness_wait_unmounted(m.mnt, 0));
        send_secret(&m, password, strlen(password));
        CHECK(harness_read_line(m.stdout_fd, line, sizeof(line), 10000));
        CHECK_STR(line, "OK");
        CHECK(harness_wait_mounted(m.mnt, 10000));
        CHECK_INT(kill(m.pid, SIGTERM), 0);
        status = harness_wait_exit(&m, 10000);
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        CHECK(harness_wait_unmounted(m.mnt, 0));
        harness_cleanup(&m);
}

static void test_right_password(void)
{
        expect_accepted(NULL, PASSWORD);
}

/* --secret-user: each user's own line of the file, and nobody else's. */
static void test_users(void)
{
        MemfsProc m;

        expect_accepted("bob", BOB_PASSWORD);
        expect_accepted("alice", PASSWORD);

        CHECK_INT(harness_make_dir(&m), 0);
        spawn_as_user(&m, passwd_path, "10000", "alice");
        send_secret(&m, BOB_PASSWORD, strlen(BOB_PASSWORD));
        expect_refused(&m, "alice with bob's password", BOB_PASSWORD);
        harness_cleanup(&m);

        CHECK_INT(harness_make_dir(&m), 0);
        spawn_as_user(&m, passwd_path, "10000", "carol");
        send_secret(&m, PASSWORD, strlen(PASSWORD));
        expect_refused(&m, "unknown user", PASSWORD);
        harness_cleanup(&m);
}

static void test_wrong_password(void)
{
        MemfsProc m;

        CHECK_INT(harness_make_dir(&m), 0);
        spawn_with_hash(&m, hash_path, "10000");
        send_secret(&m, "not the password", strlen("not the password"));
        expect_refused(&m, "wrong password", "not the password");
        harness_cleanup(&m);
}

/* A newline at the end is part of the password in WinFsp's protocol: no match. */
static void test_password_with_newline(void)
{
        MemfsProc m;

        CHECK_INT(harness_make_dir(&m), 0);
        spawn_with_hash(&m, hash_path, "10000");
        send_secret(&m, PASSWORD "\n", strlen(PASSWORD) + 1);
        expect_refused(&m, "password with a newline", NULL);
        harness_cleanup(&m);
}

static void test_empty_stdin(void)
{
        MemfsProc m;

        CHECK_INT(harness_make_dir(&m), 0);
        spawn_with_hash(&m, hash_path, "10000");
        send_secret(&m, "", 0);
        expect_refused(&m, "empty stdin", NULL);
        harness_cleanup(&m);
}

/* 1 MiB starting with the right password: refused, not cut to 4 KiB. */
static void test_huge_stdin(void)
{
        size_t size = 1024 * 1024;
        char *big = malloc(size);
        MemfsProc m;

        CHECK(big != NULL);
        memset(big, 'x', size);
        memcpy(big, PASSWORD, strlen(PASSWORD));
        CHECK_INT(harness_make_dir(&m), 0);
        spawn_with_hash(&m, hash_path, "10000");
        send_secret(&m, big, size);
        expect_refused(&m, "1 MiB of stdin", NULL);
        harness_cleanup(&m);
        free(big);
}

/* stdin never closed: refused once --secret-timeout has passed. */
static void test_stdin_left_open(void)
{
        MemfsProc m;

        CHECK_INT(harness_make_dir(&m), 0);
        spawn_with_hash(&m, hash_path, "300");
        CHECK_INT(write(m.stdin_fd, PASSWORD, strlen(PASSWORD)), (long long) strlen(PASSWORD));
        expect_refused(&m, "stdin left open", PASSWORD);
        harness_cleanup(&m);
}

/*
 * A hash file it cannot read is no verdict on the password: memfs exits
 * without answering (the launcher reports a failed start, and winfsp-net
 * does not say the password was refused).
 */
static void test_missing_hash_file(void)
{
        char line[512] = "";
        MemfsProc m;
        int status;

        CHECK_INT(harness_make_dir(&m), 0);
        spawn_with_hash(&m, "/nonexistent/hash", "10000");
        send_secret(&m, PASSWORD, strlen(PASSWORD));
        CHECK(!harness_read_line(m.stdout_fd, line, sizeof(line), 10000));
        CHECK_STR(line, "");
        status = harness_wait_exit(&m, 10000);
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) != 0);
        CHECK(harness_wait_unmounted(m.mnt, 0));
        harness_cleanup(&m);
}

int main(int argc, char *argv[])
{
        MemfsProc scratch;

        memfs_binary = argc > 1 ? argv[1] : NULL;
        harness_require_root();
        alarm(120);

        CHECK_INT(harness_make_dir(&scratch), 0);
        CHECK_INT(make_hash_files(scratch.dir), 0);

        test_right_password();
        test_users();
        test_wrong_password();
        test_password_with_newline();
        test_empty_stdin();
        test_huge_stdin();
        test_stdin_left_open();
        test_missing_hash_file();

        harness_cleanup(&scratch);
        return test_result();
}
