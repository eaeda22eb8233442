/* SPDX-License-Identifier: MIT */
/*
 * The credential sources, tried in the order credentials.h gives. Every
 * password lives in an FspSecret from the moment it is read until it is
 * wiped; the launcher gets it only through the attempt callback (a pipe).
 */
#include <fcntl.h>

#include "agent.h"
#include "credentials.h"
#include "macro.h"
#include "net.h"
#include "prompt.h"

#define INTERACTIVE_TRIES 3

typedef enum Source {
        SOURCE_DIRECTORY, /* $CREDENTIALS_DIRECTORY */
        SOURCE_KEYRING,
        SOURCE_STDIN,
        SOURCE_TERMINAL,
        SOURCE_AGENT,
        SOURCE_NONE,
} Source;

typedef struct LoginState {
        const Login *login;
        LoginAttemptFn attempt;
        void *userdata;
        int tty;                    /* the controlling terminal, or -1 */
        char *fixed_user;           /* --user or winfsp.user: never asked for */
        char *guess_user;           /* fixed_user, else what the instance suggests */
        char *keyring_user;         /* the user the keyring was asked about; NULL: not asked yet */
        bool keyring_refused;       /* a remembered password was refused: replace it */
} LoginState;

static void login_state_done(LoginState *st)
{
        safe_close(st->tty);
        free(st->fixed_user);
        free(st->guess_user);
        free(st->keyring_user);
}

static const char *remote_of(const LoginState *st)
{
        return st->login->remote->normalized;
}

char *login_user_from_instance(const char *instance)
{
        size_t first = strcspn(instance, "/");
        const char *at = memrchr(instance, '@', first);

        if (!at || at == instance)
                return NULL;
        return strndup(instance, (size_t) (at - instance));
}

/* A file of $CREDENTIALS_DIRECTORY; -ENOENT when there is no such directory or file. */
static int read_credential(const char *name, FspSecret **ret)
{
        const char *dir = getenv("CREDENTIALS_DIRECTORY");
        _cleanup_free_ char *path = NULL;
        _cleanup_close_ int fd = -1;
        int r;

        if (isempty(dir))
                return -ENOENT;
        if (asprintf(&path, "%s/%s", dir, name) < 0)
                return -ENOMEM;
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;
        r = fsp_secret_read_fd(fd, FSP_SECRET_MAX, 0, ret);
        if (r < 0)
                return r;
        fsp_secret_chomp(*ret);
        return 0;
}

static int remember(LoginState *st, Source source, const char *user, const FspSecret *password)
{
        const Login *login = st->login;
        FspRemember where = login->remember;
        _cleanup_free_ char *message = NULL;
        int r;

        if (where == _FSP_REMEMBER_INVALID) {
                if (st->keyring_refused && source != SOURCE_DIRECTORY)
                        where = FSP_REMEMBER_FOREVER; /* replace the one that no longer works */
                else if (source == SOURCE_TERMINAL) {
                        r = prompt_remember(st->tty, remote_of(st), &where);
                        if (r < 0)
                                where = FSP_REMEMBER_NEVER;
                } else
                        where = FSP_REMEMBER_NEVER;
        }
        if (where == FSP_REMEMBER_NEVER)
                return 0;

        /* Storing replaces the entry for this remote and user, whichever collection held it. */
        r = fsp_keyring_store(remote_of(st), login->remote->class_name, strempty(user), password, where,
                              &message);
        if (r < 0) {
                net_log_warning("mounted, but the password could not be remembered: %s",
                                message ? message : strerror(-r));
                return 0;
        }
        net_log_verbose("password remembered (%s)", fsp_remember_to_string(where));
        return 0;
}

/* Returns 0 when logged in, 1 when the source had nothing (or was refused) so the next one goes. */
static int try_keyring(LoginState *st, const char *user)
{
        _cleanup_secret_ FspSecret *password = NULL;
        _cleanup_free_ char *message = NULL, *reason = NULL;
        int r;

        r = free_and_strdup(&st->keyring_user, strempty(user));
        if (r < 0)
                return r;

        r = fsp_keyring_lookup(remote_of(st), st->login->remote->class_name, strempty(user), &password, &message);
        if (r == -ENOENT)
                return 1;
        if (r < 0) {
                net_log_verbose("no keyring to look in: %s", message ? message : strerror(-r));
                return 1;
        }
        net_log_verbose("trying the remembered password");
        r = st->attempt(user, password, &reason, st->userdata);
        if (r == -EKEYREJECTED) {
                st->keyring_refused = true;
                net_log_warning("the remembered password for %s was refused%s%s", remote_of(st),
                                reason ? ": " : "", strempty(reason));
                return 1;
        }
        return r;
}

static int try_credentials_directory(LoginState *st)
{
        _cleanup_secret_ FspSecret *password = NULL;
        _cleanup_free_ char *reason = NULL;
        const char *user = st->guess_user;
        int r;

        r = read_credential("winfsp.password", &password);
        if (r == -ENOENT)
                return 1;
        if (r < 0)
                return net_fail(r, NET_EXIT_NO_PASSWORD, "cannot read $CREDENTIALS_DIRECTORY/winfsp.password: %s",
                                strerror(-r));
        if (st->login->credentials == 3 && !user)
                return net_fail(-EINVAL, NET_EXIT_NO_PASSWORD,
                                "$CREDENTIALS_DIRECTORY has winfsp.password but no winfsp.user, and no user "
                                "name was given");

        net_log_verbose("trying the password of $CREDENTIALS_DIRECTORY/winfsp.password");
        r = st->attempt(user, password, &reason, st->userdata);
        if (r == -EKEYREJECTED)
                return net_fail(r, NET_EXIT_AUTHENTICATION_FAILED,
                                "the password in $CREDENTIALS_DIRECTORY/winfsp.password was refused%s%s",
                                reason ? ": " : "", strempty(reason));
        if (r < 0)
                return r;
        return remember(st, SOURCE_DIRECTORY, user, password);
}

static char *question(const LoginState *st, const char *user)
{
        char *q;

        if (user && asprintf(&q, "Password for %s on %s: ", user, remote_of(st)) >= 0)
                return q;
        if (!user && asprintf(&q, "Password for %s: ", remote_of(st)) >= 0)
                return q;
        return NULL;
}

static int ask_user(LoginState *st, Source source, const char *last, char **ret)
{
        _cleanup_free_ char *q = NULL;
        _cleanup_secret_ FspSecret *answer = NULL;
        const char *suggestion = last ? last : st->guess_user;
        int r;

        if (st->fixed_user)
                return (*ret = strdup(st->fixed_user)) ? 0 : -ENOMEM;
        if (asprintf(&q, "User name for %s", remote_of(st)) < 0)
                return -ENOMEM;

        if (source == SOURCE_TERMINAL)
                r = prompt_line(st->tty, q, suggestion, ret);
        else if (source == SOURCE_AGENT && !suggestion) {
                _cleanup_free_ char *id = NULL;

                if (asprintf(&id, "winfsp:%s", remote_of(st)) < 0)
                        return -ENOMEM;
                r = agent_ask(id, "winfsp.user", q, true, &answer);
                if (r >= 0)
                        r = (*ret = strdup(answer->data)) ? 0 : -ENOMEM;
        } else if (suggestion)
                r = (*ret = strdup(suggestion)) ? 0 : -ENOMEM;
        else
                return net_fail(-EINVAL, NET_EXIT_NO_PASSWORD,
                                "%s needs a user name: give --username (or -o username=NAME), or write the instance "
                                "as NAME@INSTANCE", remote_of(st));
        if (r == -ECANCELED)
                return net_fail(r, NET_EXIT_NO_PASSWORD, "no user name given");
        if (r < 0)
                return net_fail(r, NET_EXIT_NO_PASSWORD, "cannot ask for a user name: %s", strerror(-r));
        if (isempty(*ret)) {
                free(*ret);
                return net_fail(-EINVAL, NET_EXIT_NO_PASSWORD, "no user name given");
        }
        return 0;
}

static int ask_password(LoginState *st, Source source, const char *user, FspSecret **ret)
{
        _cleanup_free_ char *q = question(st, user), *id = NULL;
        int r;

        if (!q)
                return -ENOMEM;
        switch (source) {
        case SOURCE_STDIN:
                /* Typed by a person after all: one line, without echo. */
                if (isatty(STDIN_FILENO)) {
                        r = prompt_password(STDIN_FILENO, q, ret);
                        break;
                }
                r = fsp_secret_read_fd(STDIN_FILENO, FSP_SECRET_MAX, 0, ret);
                if (r >= 0)
                        fsp_secret_chomp(*ret);
                break;
        case SOURCE_TERMINAL:
                r = prompt_password(st->tty, q, ret);
                break;
        case SOURCE_AGENT:
                if (asprintf(&id, "winfsp:%s", remote_of(st)) < 0)
                        return -ENOMEM;
                r = agent_ask(id, "winfsp.password", q, false, ret);
                break;
        default:
                r = -ENXIO;
        }
        if (r == -ECANCELED)
                return net_fail(r, NET_EXIT_NO_PASSWORD, "no password given");
        if (r == -EMSGSIZE)
                return net_fail(r, NET_EXIT_NO_PASSWORD, "the password is longer than %d bytes", FSP_SECRET_MAX);
        if (r < 0)
                return net_fail(r, NET_EXIT_NO_PASSWORD, "cannot read the password: %s", strerror(-r));
        return 0;
}

static Source interactive_source(const LoginState *st)
{
        if (st->login->password_stdin)
                return SOURCE_STDIN;
        if (st->tty >= 0)
                return SOURCE_TERMINAL;
        if (agent_available())
                return SOURCE_AGENT;
        return SOURCE_NONE;
}

static int no_source(const LoginState *st)
{
        return net_fail(-ENXIO, NET_EXIT_NO_PASSWORD,
                        "%s%s needs a password and there is no terminal to ask on: use --password-stdin "
                        "(-o password_stdin), a remembered password, or $CREDENTIALS_DIRECTORY/winfsp.password",
                        st->keyring_refused ? "the remembered password was refused; " : "", remote_of(st));
}

static int try_interactive(LoginState *st)
{
        Source source = interactive_source(st);
        int tries = source == SOURCE_STDIN ? 1 : INTERACTIVE_TRIES;
        _cleanup_free_ char *user = NULL;
        int r;

        if (source == SOURCE_NONE)
                return no_source(st);

        for (int i = 1; i <= tries; i++) {
                _cleanup_secret_ FspSecret *password = NULL;
                _cleanup_free_ char *reason = NULL;

                if (st->login->credentials == 3) {
                        char *last = TAKE_PTR(user);

                        r = ask_user(st, source, last, &user);
                        free(last);
                        if (r < 0)
                                return r;
                        /* A name typed just now may have a password remembered. */
                        if (!st->keyring_user || !streq(st->keyring_user, user)) {
                                r = try_keyring(st, user);
                                if (r <= 0)
                                        return r;
                        }
                }
                r = ask_password(st, source, user, &password);
                if (r < 0)
                        return r;
                r = st->attempt(user, password, &reason, st->userdata);
                if (r == 0)
                        return remember(st, source, user, password);
                if (r != -EKEYREJECTED)
                        return r;
                if (i == tries)
                        return net_fail(r, NET_EXIT_AUTHENTICATION_FAILED, "the password was refused%s%s",
                                        reason ? ": " : "", strempty(reason));
                net_log_warning("the password was refused%s%s; try again", reason ? ": " : "", strempty(reason));
        }
        return -EKEYREJECTED; /* not reached */
}

static int login_state_init(LoginState *st, const Login *login)
{
        _cleanup_secret_ FspSecret *user_file = NULL;
        int r;

        if (login->credentials == 3) {
                if (login->user)
                        st->fixed_user = strdup(login->user);
                else if (read_credential("winfsp.user", &user_file) >= 0)
                        st->fixed_user = strdup(user_file->data);
                st->guess_user = st->fixed_user ? strdup(st->fixed_user)
                                                : login_user_from_instance(login->remote->instance);
        }
        if (!login->password_stdin) {
                r = prompt_open_terminal(&st->tty);
                if (r < 0)
                        st->tty = -1;
        }
        return 0;
}

int login_run(const Login *login, LoginAttemptFn attempt, void *userdata)
{
        _cleanup_(login_state_done) LoginState st = {
                .login = login, .attempt = attempt, .userdata = userdata, .tty = -1,
        };
        int r;

        r = login_state_init(&st, login);
        if (r < 0)
                return r;

        r = try_credentials_directory(&st);
        if (r <= 0)
                return r;
        if (login->credentials != 3 || st.guess_user) {
                r = try_keyring(&st, st.guess_user);
                if (r <= 0)
                        return r;
        }
        return try_interactive(&st);
}
