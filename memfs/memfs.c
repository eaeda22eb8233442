/* SPDX-License-Identifier: MIT */
/*
 * winfsp-memfs: options, the optional password check, the root directory,
 * and the hand-over to libfsp-fuse, which mounts, reports readiness, and
 * unmounts on a stop signal.
 */
#include <crypt.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <locale.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "memfs.h"

#define EXIT_USAGE 2
#define DEFAULT_MAX_NODES 1048576
#define DEFAULT_TIMEOUT_MS 1000
#define DEFAULT_SECRET_TIMEOUT_MS 30000

typedef struct MemfsOptions {
        uint64_t max_nodes;
        uint64_t max_file_size; /* 0: the machine's physical memory, and no -s given */
        char *fsname;
        int case_insensitive;
        unsigned timeout_ms;
        char *log_path;
        char *secret_hash_path;
        char *secret_user;
        unsigned secret_timeout_ms;
} MemfsOptions;

enum {
        KEY_MAX_NODES,
        KEY_MAX_FILE_SIZE,
        KEY_TIMEOUT,
        KEY_SECRET_TIMEOUT_EQ,
        KEY_SECRET_TIMEOUT,
};

#define MEMFS_OPT(t, field) { t, offsetof(MemfsOptions, field), 1 }

/* "--long=VALUE" before "--long VALUE": fuse_opt takes the first template that matches. */
static const struct fuse_opt memfs_opts[] = {
        FUSE_OPT_KEY("-n ", KEY_MAX_NODES),
        FUSE_OPT_KEY("-s ", KEY_MAX_FILE_SIZE),
        MEMFS_OPT("-F %s", fsname),
        MEMFS_OPT("-i", case_insensitive),
        FUSE_OPT_KEY("-t ", KEY_TIMEOUT),
        MEMFS_OPT("-D %s", log_path),
        MEMFS_OPT("--secret-hash=%s", secret_hash_path),
        MEMFS_OPT("--secret-hash %s", secret_hash_path),
        MEMFS_OPT("--secret-user=%s", secret_user),
        MEMFS_OPT("--secret-user %s", secret_user),
        FUSE_OPT_KEY("--secret-timeout=", KEY_SECRET_TIMEOUT_EQ),
        FUSE_OPT_KEY("--secret-timeout ", KEY_SECRET_TIMEOUT),
        FUSE_OPT_END,
};

static const char *program = "winfsp-memfs";

static void usage(FILE *f)
{
        fprintf(f,
                "Usage: %s [OPTIONS] -m MOUNTPOINT\n"
                "An in-memory file system, run in the foreground.\n\n"
                "memfs options:\n"
                "  -n MAXNODES            most inodes (files, directories, links...), ENOSPC past it (default %d)\n"
                "  -s MAXFILESIZE         largest file in bytes, K/M/G/T suffixes, EFBIG past it\n"
                "                         (default: the machine's physical memory)\n"
                "  -F FSNAME              file system name: the mount's type is fuse.FSNAME (default memfs)\n"
                "  -i                     case-insensitive lookups; names keep the case they were created with\n"
                "  -t MILLIS              attribute and entry cache timeout (default %d)\n"
                "  -D FILE                log every operation to FILE (- for stderr)\n"
                "  --secret-hash FILE     read a password on stdin, answer OK only if it matches the\n"
                "                         crypt(3) hash in FILE, else NO and exit without mounting\n"
                "  --secret-user NAME     the user logging in: FILE then holds NAME:HASH lines\n"
                "  --secret-timeout MILLIS  how long to wait for the password (default %d)\n\n"
                "Standard options:\n",
                program, DEFAULT_MAX_NODES, DEFAULT_TIMEOUT_MS, DEFAULT_SECRET_TIMEOUT_MS);
        fsp_fuse_print_help(f);
}

/* A number of bytes: digits and an optional binary K, M, G or T; no sign, no overflow. */
static int parse_size(const char *s, uint64_t *ret)
{
        static const char suffixes[] = "KMGT";
        const char *suffix;
        char *end;
        uint64_t v, scale = 1;

        if (*s < '0' || *s > '9')
                return -EINVAL;
        errno = 0;
        v = strtoull(s, &end, 10);
        if (errno)
                return -errno;
        if (*end) {
                suffix = strchr(suffixes, *end & ~0x20);
                if (!suffix || end[1])
                        return -EINVAL;
                scale = 1ULL << (10 * (suffix - suffixes + 1));
        }
        if (v > UINT64_MAX / scale)
                return -ERANGE;
        *ret = v * scale;
        return 0;
}

static int parse_millis(const char *s, unsigned *ret)
{
        uint64_t v;
        int r = parse_size(s, &v);

        if (r == 0 && (strpbrk(s, "KMGTkmgt") || v > 86400000))
                r = -ERANGE;
        if (r == 0)
                *ret = (unsigned) v;
        return r;
}

static const char *key_flag(int key)
{
        switch (key) {
        case KEY_MAX_NODES:
                return "-n";
        case KEY_MAX_FILE_SIZE:
                return "-s";
        case KEY_TIMEOUT:
                return "-t";
        case KEY_SECRET_TIMEOUT_EQ:
                return "--secret-timeout=";
        default:
                return "--secret-timeout";
        }
}

/* fuse_opt hands over the flag and its value as one string ("-n100" for "-n 100"). */
static int memfs_opt_proc(void *data, const char *arg, int key, struct fuse_args *outargs)
{
        MemfsOptions *mo = data;
        const char *value = arg + strlen(key_flag(key));
        int r = -EINVAL;

        switch (key) {
        case KEY_MAX_NODES:
                r = parse_size(value, &mo->max_nodes);
                if (r == 0 && mo->max_nodes < 1)
                        r = -ERANGE;
                break;
        case KEY_MAX_FILE_SIZE:
                r = parse_size(value, &mo->max_file_size);
                if (r == 0 && mo->max_file_size > INT64_MAX)
                        r = -ERANGE;
                break;
        case KEY_TIMEOUT:
                r = parse_millis(value, &mo->timeout_ms);
                break;
        case KEY_SECRET_TIMEOUT_EQ:
        case KEY_SECRET_TIMEOUT:
                r = parse_millis(value, &mo->secret_timeout_ms);
                break;
        }
        if (r < 0) {
                fprintf(stderr, "%s: %.*s: invalid value '%s': %s\n", program, (int) strcspn(key_flag(key), "="),
                        key_flag(key), value, strerror(-r));
                return -1;
        }
        return 0;
}

void memfs_log(Memfs *fs, const char *fmt, ...)
{
        struct timespec ts = now_timespec();
        va_list ap;

        pthread_mutex_lock(&fs->log_lock);
        fprintf(fs->log, "%lld.%06ld ", (long long) ts.tv_sec, ts.tv_nsec / 1000);
        va_start(ap, fmt);
        vfprintf(fs->log, fmt, ap);
        va_end(ap);
        fputc('\n', fs->log);
        fflush(fs->log);
        pthread_mutex_unlock(&fs->log_lock);
}

static int log_open(Memfs *fs, const char *path)
{
        int fd;

        if (!path)
                return 0;
        if (streq(path, "-")) {
                fs->log = stderr;
                return 0;
        }
        fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0600);
        if (fd < 0 || !(fs->log = fdopen(fd, "a"))) {
                int r = -errno;
                safe_close(fd);
                fprintf(stderr, "%s: -D %s: %s\n", program, path, strerror(-r));
                return r;
        }
        return 0;
}

/* Trim the line end and trailing blanks; the line is the hash, or "NAME:HASH" with a user. */
static char *line_trim(char *line)
{
        size_t n = strcspn(line, "\r\n");
        while (n > 0 && (line[n - 1] == ' ' || line[n - 1] == '\t'))
                n--;
        line[n] = 0;
        return line;
}

/*
 * The hash to check against: without a user, the first line of FILE (a
 * crypt(3) hash such as "$y$..." or "$6$..."); with one, the HASH of the
 * line "USER:HASH", as in an htpasswd file. -ENOENT: no such user.
 */
static int hash_read(const char *path, const char *user, char **ret)
{
        _cleanup_fclose_ FILE *f = fopen(path, "re");
        char line[1024];

        if (!f)
                return -errno;
        while (fgets(line, sizeof(line), f)) {
                char *hash = line_trim(line), *colon;
                if (!user) {
                        if (!*hash)
                                return -ENODATA;
                        *ret = strdup(hash);
                        return *ret ? 0 : -ENOMEM;
                }
                colon = strchr(line, ':');
                if (!colon || (size_t) (colon - line) != strlen(user) || !strneq(line, user, strlen(user)))
                        continue;
                *ret = strdup(colon + 1);
                return *ret ? 0 : -ENOMEM;
        }
        if (ferror(f))
                return -EIO;
        return user ? -ENOENT : -ENODATA;
}

/* Constant time in the contents: a mismatch early says nothing about where. */
static bool equal_secretly(const char *a, const char *b)
{
        size_t n = strlen(a), m = strlen(b);
        unsigned char diff = n != m;

        for (size_t i = 0; i < n && i < m; i++)
                diff |= (unsigned char) (a[i] ^ b[i]);
        return diff == 0;
}

static int password_check(const FspSecret *secret, const char *hash)
{
        struct crypt_data *cd;
        const char *out;
        int r;

        if (secret->size == 0)
                return -ENODATA;
        if (strlen(secret->data) != secret->size)
                return -EACCES; /* a NUL inside: crypt(3) would see a shorter password */
        cd = calloc(1, sizeof(*cd));
        if (!cd)
                return -ENOMEM;
        out = crypt_rn(secret->data, hash, cd, sizeof(*cd));
        if (!out || out[0] == '*')
                r = -EINVAL;
        else
                r = equal_secretly(out, hash) ? 0 : -EACCES;
        explicit_bzero(cd, sizeof(*cd));
        free(cd);
        return r;
}

static const char *refusal_reason(int r, bool with_user)
{
        switch (r) {
        case -ETIMEDOUT:
                return "timed out waiting for the password";
        case -EMSGSIZE:
                return "password longer than 4096 bytes";
        case -ENODATA:
                return "empty password";
        case -EACCES:
                return with_user ? "wrong user name or password" : "wrong password";
        case -EINVAL:
                return "the password hash is not valid";
        default:
                return "cannot check the password";
        }
}

/* An unknown user costs the same crypt(3) as a known one, so timing does not tell them apart. */
static char *decoy_hash(void)
{
        char salt[CRYPT_GENSALT_OUTPUT_SIZE];
        return crypt_gensalt_rn("$y$", 0, NULL, 0, salt, sizeof(salt)) ? strdup(salt) : NULL;
}

static int secret_check(const MemfsOptions *mo, const char *hash, bool known_user)
{
        FspSecret *secret = NULL;
        int r;

        r = fsp_credentials_read((unsigned long long) mo->secret_timeout_ms * USEC_PER_MSEC, &secret);
        if (r < 0)
                return r;
        r = password_check(secret, hash);
        fsp_credentials_free(secret);
        return r == 0 && !known_user ? -EACCES : r;
}

/* The handshake: the launcher waits for "OK" before it considers us authenticated. */
static int credentials_check(const MemfsOptions *mo)
{
        _cleanup_free_ char *hash = NULL;
        bool known_user = true;
        int r;

        r = hash_read(mo->secret_hash_path, mo->secret_user, &hash);
        if (r == -ENOENT && mo->secret_user && access(mo->secret_hash_path, R_OK) == 0) {
                known_user = false;
                hash = decoy_hash();
                r = hash ? 0 : -ENOMEM;
        }
        if (r < 0) {
                fprintf(stderr, "%s: --secret-hash %s: %s\n", program, mo->secret_hash_path,
                        r == -ENODATA ? "no hash in the file" : strerror(-r));
                fsp_credentials_refuse("cannot read the password hash");
                return r;
        }
        r = secret_check(mo, hash, known_user);
        if (r < 0) {
                fprintf(stderr, "%s: authentication failed%s%s: %s\n", program, mo->secret_user ? " for " : "",
                        strempty(mo->secret_user), known_user ? refusal_reason(r, false) : "no such user");
                fsp_credentials_refuse(refusal_reason(r, mo->secret_user));
                return r;
        }
        return fsp_credentials_accept();
}

static uint64_t physical_memory(void)
{
        long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);
        return pages > 0 && size > 0 ? (uint64_t) pages * (uint64_t) size : 1ULL << 30;
}

/* max_nodes * max_file_size in pages, saturated. */
static uint64_t capacity_pages(uint64_t nodes, uint64_t file_size)
{
        uint64_t file_pages = (file_size + MEMFS_PAGE_SIZE - 1) / MEMFS_PAGE_SIZE;
        return file_pages && nodes > UINT64_MAX / file_pages ? UINT64_MAX : nodes * file_pages;
}

/* The root takes the mount point's owner, group and mode, so its owner can use the file system. */
static int memfs_init(Memfs *fs, const MemfsOptions *mo, const struct stat *mp)
{
        int r;

        pthread_rwlock_init(&fs->ns_lock, NULL);
        pthread_mutex_init(&fs->log_lock, NULL);
        pthread_mutex_init(&fs->all_lock, NULL);
        fs->max_nodes = mo->max_nodes;
        fs->max_file_size = mo->max_file_size ? mo->max_file_size : physical_memory();
        fs->capacity_pages = capacity_pages(fs->max_nodes, fs->max_file_size);
        fs->next_number = FUSE_ROOT_ID;
        fs->case_insensitive = mo->case_insensitive;
        /* -s promises EFBIG from write(2) itself; with the writeback cache the kernel would accept the
         * data first and report the error only at fsync or close. */
        fs->writeback_cache = mo->max_file_size == 0;
        fs->attr_timeout = mo->timeout_ms / 1000.0;
        /* -i: another spelling may name an entry the kernel cached under the first one. */
        fs->entry_timeout = fs->case_insensitive ? 0 : fs->attr_timeout;

        r = inode_new(fs, S_IFDIR | (mp->st_mode & 07777), mp->st_uid, mp->st_gid, &fs->root);
        if (r < 0)
                return r;
        fs->root->dir.parent = fs->root;
        fs->root->nlookup = 1;
        return log_open(fs, mo->log_path);
}

static void memfs_done(Memfs *fs)
{
        memfs_free_all(fs);
        if (fs->log && fs->log != stderr)
                fclose(fs->log);
        pthread_rwlock_destroy(&fs->ns_lock);
        pthread_mutex_destroy(&fs->log_lock);
        pthread_mutex_destroy(&fs->all_lock);
}

/* default_permissions: the kernel checks modes. As root, allow_other lets every user in. */
static int mount_options(FspFuseOptions *o, const MemfsOptions *mo)
{
        _cleanup_free_ char *subtype = NULL;
        int r;

        if (asprintf(&subtype, "subtype=%s", mo->fsname ? mo->fsname : "memfs") < 0)
                return -ENOMEM;
        r = fsp_fuse_options_add(o, subtype);
        if (r == 0)
                r = fsp_fuse_options_add(o, "default_permissions");
        if (r == 0 && geteuid() == 0)
                r = fsp_fuse_options_add(o, "allow_other");
        return r;
}

static int memfs_serve(const MemfsOptions *mo, FspFuseOptions *o)
{
        Memfs fs = { 0 };
        struct fuse_session *se;
        struct stat mp;
        int r;

        if (fsp_fuse_mountpoint_is_fd(o->mountpoint)) {
                /* Mounted for us already: no directory to take the root's owner and mode from. */
                mp = (struct stat){ .st_mode = S_IFDIR | 0755, .st_uid = getuid(), .st_gid = getgid() };
        } else if (stat(o->mountpoint, &mp) < 0) {
                r = -errno;
                fprintf(stderr, "%s: mount point %s: %s\n", program, o->mountpoint, strerror(-r));
                return r;
        }
        if (!S_ISDIR(mp.st_mode)) {
                fprintf(stderr, "%s: mount point %s: not a directory\n", program, o->mountpoint);
                return -ENOTDIR;
        }
        r = mount_options(o, mo);
        if (r == 0)
                r = data_pool_init();
        if (r == 0)
                r = memfs_init(&fs, mo, &mp);
        if (r == 0)
                r = fsp_fuse_mount(o, &memfs_ops, sizeof(memfs_ops), &fs, &se);
        if (r == 0) {
                fs.se = se;
                bdi_tune(o->mountpoint);
                LOG(&fs, "mounted on %s", o->mountpoint);
                r = fsp_fuse_run(o, se);
        }
        memfs_done(&fs);
        data_pool_done();
        return r;
}

int main(int argc, char *argv[])
{
        MemfsOptions mo = {
                .max_nodes = DEFAULT_MAX_NODES,
                .timeout_ms = DEFAULT_TIMEOUT_MS,
                .secret_timeout_ms = DEFAULT_SECRET_TIMEOUT_MS,
        };
        /* Handlers never block (memory only): one thread per CPU serves best, with the lowest latency. */
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        FspFuseOptions *o = NULL, defaults = { .max_threads = (unsigned) MAX(2, MIN(cpus, 64)) };
        int r;

        if (argc > 0 && argv[0][0])
                program = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
        if (fsp_fuse_options_parse(argc, argv, memfs_opts, &mo, memfs_opt_proc, &defaults, &o) < 0)
                return EXIT_USAGE;
        if (o->show_help || o->show_version) {
                if (o->show_help)
                        usage(stdout);
                else
                        printf("%s %s (libfuse %d)\n", program, FSP_VERSION, fuse_version());
                fsp_fuse_options_free(o);
                return EXIT_SUCCESS;
        }
        if (!o->mountpoint) {
                fprintf(stderr, "%s: no mount point given (use -m MOUNTPOINT; --help for more)\n", program);
                fsp_fuse_options_free(o);
                return EXIT_USAGE;
        }
        if (mo.case_insensitive && !setlocale(LC_CTYPE, "C.UTF-8"))
                fprintf(stderr, "%s: -i: no C.UTF-8 locale, only ASCII letters fold\n", program);

        if (mo.secret_user && !mo.secret_hash_path) {
                fprintf(stderr, "%s: --secret-user needs --secret-hash\n", program);
                fsp_fuse_options_free(o);
                return EXIT_USAGE;
        }
        r = mo.secret_hash_path ? credentials_check(&mo) : 0;
        if (r == 0)
                r = memfs_serve(&mo, o);

        fsp_fuse_options_free(o);
        free(mo.fsname);
        free(mo.log_path);
        free(mo.secret_hash_path);
        free(mo.secret_user);
        return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
