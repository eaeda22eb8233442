/* SPDX-License-Identifier: MIT */
/*
 * The options every libfsp-fuse file system shares, parsed in one pass with
 * the file system's own: fuse_opt gives a single data pointer to both, so
 * the library keeps its state for the duration of the parse in a
 * thread-local pointer.
 */
#include <errno.h>
#include <fsp/fuse.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"

enum {
        KEY_VOLUME_PREFIX = FSP_FUSE_OPT_KEY_RESERVED,
        KEY_MOUNTPOINT,
        KEY_DEBUG,
        KEY_HELP,
        KEY_VERSION,
        KEY_MAX_THREADS,
        KEY_MAX_IDLE_THREADS,
        KEY_CLONE_FD,
        KEY_FOLLOW_CALLER,
        KEY_NO_FOLLOW_CALLER,
};

static const struct fuse_opt standard_opts[] = {
        FUSE_OPT_KEY("-u ", KEY_VOLUME_PREFIX),
        FUSE_OPT_KEY("-m ", KEY_MOUNTPOINT),
        FUSE_OPT_KEY("-d", KEY_DEBUG),
        FUSE_OPT_KEY("-h", KEY_HELP),
        FUSE_OPT_KEY("--help", KEY_HELP),
        FUSE_OPT_KEY("-V", KEY_VERSION),
        FUSE_OPT_KEY("--version", KEY_VERSION),
        FUSE_OPT_KEY("max_threads=", KEY_MAX_THREADS),
        FUSE_OPT_KEY("max_idle_threads=", KEY_MAX_IDLE_THREADS),
        FUSE_OPT_KEY("clone_fd", KEY_CLONE_FD),
        FUSE_OPT_KEY("follow_caller", KEY_FOLLOW_CALLER),
        FUSE_OPT_KEY("no_follow_caller", KEY_NO_FOLLOW_CALLER),
        FUSE_OPT_END,
};

typedef struct ParseState {
        FspFuseOptions *options;
        fuse_opt_proc_t fs_proc;
        const char *program;
        bool positional_seen;
} ParseState;

static _Thread_local ParseState *parse_state;

static const char *program_name(const char *argv0)
{
        const char *slash = argv0 ? strrchr(argv0, '/') : NULL;
        return slash ? slash + 1 : strempty(argv0);
}

static int set_mountpoint(ParseState *st, const char *path, bool positional)
{
        if (positional && (st->positional_seen || st->options->mountpoint)) {
                fprintf(stderr, "%s: unexpected argument '%s' (the mount point is already '%s')\n", st->program,
                        path, strempty(st->options->mountpoint));
                return -EINVAL;
        }
        if (!positional && st->positional_seen) {
                fprintf(stderr, "%s: -m %s: the mount point was already given as an argument\n", st->program,
                        path);
                return -EINVAL;
        }
        st->positional_seen = st->positional_seen || positional;
        return free_and_strdup(&st->options->mountpoint, path);
}

/* "max_threads=N": a count from 1 to 1024. */
static int set_count(ParseState *st, const char *arg, unsigned *field)
{
        const char *value = strchr(arg, '=') + 1;
        char *end;
        unsigned long n;

        errno = 0;
        n = strtoul(value, &end, 10);
        if (errno || end == value || *end || n < 1 || n > 1024) {
                fprintf(stderr, "%s: -o %s: expected a number from 1 to 1024\n", st->program, arg);
                return -1;
        }
        *field = (unsigned) n;
        return 0;
}

static int standard_key(ParseState *st, const char *arg, int key)
{
        FspFuseOptions *o = st->options;

        /* fuse_opt hands "-uVALUE" for both "-u VALUE" and "-uVALUE": keep what follows the flag. */
        switch (key) {
        case KEY_VOLUME_PREFIX:
                return free_and_strdup(&o->volume_prefix, arg + 2) < 0 ? -1 : 0;
        case KEY_MOUNTPOINT:
                return set_mountpoint(st, arg + 2, false) < 0 ? -1 : 0;
        case KEY_DEBUG:
                o->debug = true;
                return 1; /* fuse_session_new() understands -d itself */
        case KEY_HELP:
                o->show_help = true;
                return 0;
        case KEY_VERSION:
                o->show_version = true;
                return 0;
        case KEY_MAX_THREADS:
                return set_count(st, arg, &o->max_threads);
        case KEY_MAX_IDLE_THREADS:
                return set_count(st, arg, &o->max_idle_threads);
        case KEY_CLONE_FD:
                o->clone_fd = true;
                return 0;
        case KEY_FOLLOW_CALLER:
        case KEY_NO_FOLLOW_CALLER:
                o->no_follow_caller = key == KEY_NO_FOLLOW_CALLER;
                return 0;
        }
        return -1;
}

static int parse_proc(void *data, const char *arg, int key, struct fuse_args *outargs)
{
        ParseState *st = parse_state;

        if (key >= FSP_FUSE_OPT_KEY_RESERVED)
                return standard_key(st, arg, key);

        switch (key) {
        case FUSE_OPT_KEY_NONOPT:
                return set_mountpoint(st, arg, true) < 0 ? -1 : 0;
        case FUSE_OPT_KEY_OPT:
                if (arg[0] == '-') {
                        fprintf(stderr, "%s: unknown option '%s' (try --help)\n", st->program, arg);
                        return -1;
                }
                return 1; /* an -o option: FUSE's (or an error from fuse_session_new()) */
        default:
                return st->fs_proc ? st->fs_proc(data, arg, key, outargs) : 1;
        }
}

static size_t opts_count(const struct fuse_opt *opts)
{
        size_t n = 0;
        while (opts && opts[n].templ)
                n++;
        return n;
}

/* The file system's templates first, so its own option wins a clash; then ours. */
static struct fuse_opt *opts_merge(const struct fuse_opt *fs_opts)
{
        size_t n_fs = opts_count(fs_opts), n_std = opts_count(standard_opts);
        struct fuse_opt *all = calloc(n_fs + n_std + 1, sizeof(*all));

        if (!all)
                return NULL;
        if (n_fs)
                memcpy(all, fs_opts, n_fs * sizeof(*all));
        memcpy(all + n_fs, standard_opts, n_std * sizeof(*all));
        return all;
}

int fsp_fuse_options_parse(int argc, char *argv[], const struct fuse_opt *fs_opts, void *fs_data,
                           fuse_opt_proc_t fs_proc, const FspFuseOptions *defaults, FspFuseOptions **ret)
{
        _cleanup_free_ struct fuse_opt *all = NULL;
        struct fuse_args args = FUSE_ARGS_INIT(argc, argv);
        FspFuseOptions *o;
        ParseState st;
        int r;

        if (argc < 1 || !argv)
                return -EINVAL;
        all = opts_merge(fs_opts);
        o = calloc(1, sizeof(*o));
        if (!all || !o) {
                free(o);
                return -ENOMEM;
        }
        if (defaults) {
                o->max_threads = defaults->max_threads;
                o->max_idle_threads = defaults->max_idle_threads;
                o->clone_fd = defaults->clone_fd;
                o->no_follow_caller = defaults->no_follow_caller;
        }
        st = (ParseState) { .options = o, .fs_proc = fs_proc, .program = program_name(argv[0]) };

        /* On success fuse_opt_parse() replaces args with a fresh, allocated vector; argv stays as it was. */
        parse_state = &st;
        r = fuse_opt_parse(&args, fs_data, all, parse_proc);
        parse_state = NULL;
        if (r < 0) {
                fsp_fuse_options_free(o);
                return -EINVAL;
        }
        o->args = args;
        *ret = o;
        return 0;
}

/* Escape what fuse_opt splits on, so a value may hold commas and backslashes. */
int fsp_fuse_options_add(FspFuseOptions *o, const char *option)
{
        _cleanup_free_ char *escaped = NULL;

        if (fuse_opt_add_opt_escaped(&escaped, option) < 0)
                return -ENOMEM;
        if (fuse_opt_add_arg(&o->args, "-o") < 0 || fuse_opt_add_arg(&o->args, escaped) < 0)
                return -ENOMEM;
        return 0;
}

FspFuseOptions *fsp_fuse_options_free(FspFuseOptions *o)
{
        if (!o)
                return NULL;
        free(o->volume_prefix);
        free(o->mountpoint);
        fuse_opt_free_args(&o->args);
        free(o);
        return NULL;
}

void fsp_fuse_print_help(FILE *f)
{
        fputs("  -u PREFIX              volume prefix, e.g. //memfs/share: the mount's source\n"
              "  -m MOUNTPOINT          where to mount (also accepted as the only argument)\n"
              "  -d                     print FUSE requests and replies on stderr\n"
              "  -o OPT[,OPT...]        FUSE mount and connection options (see mount.fuse3(8)), and\n"
              "                         max_threads=N, max_idle_threads=N, clone_fd for the loop, and\n"
              "                         no_follow_caller (serve metadata on any CPU, not the caller's)\n"
              "  -h, --help             show this help and exit\n"
              "  -V, --version          show the version and exit\n",
              f);
}
