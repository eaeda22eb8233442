/* SPDX-License-Identifier: MIT */
/*
 * What each [Service] key means: a parser per kind of value (time,
 * boolean, path template, ...) and the table that ties keys to them and to
 * their fields. Each parser sees one complete value and knows nothing of
 * lines; the caller maps a column in the value back to the file.
 */
#include <fsp/cmdline.h>
#include <fsp/mount-options.h>
#include <limits.h>
#include <stddef.h>
#include <strings.h>

#include "class-keys.h"
#include "macro.h"

#define USER_NAME_MAX      32
#define TIME_MIN_USEC      USEC_PER_MSEC
#define TIME_MAX_USEC      (24 * 60 * USEC_PER_MINUTE)
#define RECOVERY_BURST_MAX 1000
#define UNIT_NAME_MAX      255

/* ---- Values: each parser reads one value; on error err->column is relative to the value. ---- */

static int parse_unsigned(const char *s, uint64_t *ret)
{
        uint64_t v = 0;

        if (!s[0])
                return -EINVAL;
        for (; *s; s++) {
                if (*s < '0' || *s > '9')
                        return -EINVAL;
                if (__builtin_mul_overflow(v, 10, &v) ||
                    __builtin_add_overflow(v, (uint64_t) (*s - '0'), &v))
                        return -ERANGE;
        }
        *ret = v;
        return 0;
}

static uint64_t time_unit_usec(const char *unit, size_t len)
{
        static const struct {
                const char *name;
                uint64_t usec;
        } units[] = {
                { "ms", USEC_PER_MSEC },  { "s", USEC_PER_SEC },      { "sec", USEC_PER_SEC },
                { "m", USEC_PER_MINUTE }, { "min", USEC_PER_MINUTE }, { "h", 60 * USEC_PER_MINUTE },
        };
        for (size_t i = 0; i < ELEMENTSOF(units); i++)
                if (strlen(units[i].name) == len && strneq(unit, units[i].name, len))
                        return units[i].usec;
        return 0;
}

/* "30", "500ms", "1min 30s": -EINVAL when malformed, -ERANGE on overflow. */
static int parse_time(const char *s, uint64_t *ret_usec)
{
        uint64_t total = 0;
        unsigned parts = 0;
        bool bare = false;

        for (s += strspn(s, " \t"); *s; s += strspn(s, " \t")) {
                uint64_t n = 0, unit = USEC_PER_SEC, v;
                size_t digits, letters;

                for (digits = 0; s[digits] >= '0' && s[digits] <= '9'; digits++)
                        if (__builtin_mul_overflow(n, 10, &n) ||
                            __builtin_add_overflow(n, (uint64_t) (s[digits] - '0'), &n))
                                return -ERANGE;
                if (digits == 0)
                        return -EINVAL;
                s += digits;
                s += strspn(s, " \t");
                letters = strspn(s, "abcdefghijklmnopqrstuvwxyz");
                if (letters == 0)
                        bare = true;
                else if ((unit = time_unit_usec(s, letters)) == 0)
                        return -EINVAL;
                s += letters;
                if (__builtin_mul_overflow(n, unit, &v) || __builtin_add_overflow(total, v, &total))
                        return -ERANGE;
                parts++;
        }
        /* A bare number is seconds, alone: "1 30" is a typo, not 31 s. */
        if (parts == 0 || (bare && parts > 1))
                return -EINVAL;
        *ret_usec = total;
        return 0;
}

static int parse_time_key(FspClass *c, void *field, const char *value, FspError *err)
{
        uint64_t usec;
        int r = parse_time(value, &usec);

        if (r == -EINVAL)
                return fsp_error_set(err, r, 0, 0,
                                     "invalid time '%s'; write e.g. 30, 30s, 500ms, 1min 30s or 2h", value);
        if (r < 0 || usec < TIME_MIN_USEC || usec > TIME_MAX_USEC)
                return fsp_error_set(err, -EINVAL, 0, 0, "time '%s' is out of range (1ms to 24h)", value);
        *(uint64_t *) field = usec;
        return 0;
}

static int parse_boolean_key(FspClass *c, void *field, const char *value, FspError *err)
{
        static const char *const yes[] = { "1", "yes", "true", "on" }, *const no[] = { "0", "no", "false",
                                                                                       "off" };

        for (size_t i = 0; i < ELEMENTSOF(yes); i++) {
                if (strcasecmp(value, yes[i]) == 0) {
                        *(bool *) field = true;
                        return 0;
                }
                if (strcasecmp(value, no[i]) == 0) {
                        *(bool *) field = false;
                        return 0;
                }
        }
        return fsp_error_set(err, -EINVAL, 0, 0,
                             "invalid boolean '%s'; use 1/0, yes/no, true/false or on/off", value);
}

static int parse_recovery_burst_key(FspClass *c, void *field, const char *value, FspError *err)
{
        uint64_t n;

        if (parse_unsigned(value, &n) < 0 || n < 1 || n > RECOVERY_BURST_MAX)
                return fsp_error_set(err, -EINVAL, 0, 0,
                                     "invalid count '%s'; use a whole number from 1 to %d", value,
                                     RECOVERY_BURST_MAX);
        *(unsigned *) field = (unsigned) n;
        return 0;
}

static int parse_credentials_key(FspClass *c, void *field, const char *value, FspError *err)
{
        uint64_t n;

        if (parse_unsigned(value, &n) < 0 || (n != 0 && n != 1 && n != 3))
                return fsp_error_set(
                        err, -EINVAL, 0, 0,
                        "invalid value '%s'; use 0 (none), 1 (password) or 3 (user name and password)",
                        value);
        *(FspCredentials *) field = (FspCredentials) n;
        return 0;
}

/* A string field back to "not set". */
static int field_unset(void *field)
{
        free(*(char **) field);
        *(char **) field = NULL;
        return 0;
}

static int parse_description_key(FspClass *c, void *field, const char *value, FspError *err)
{
        return free_and_strdup(field, value) < 0 ? fsp_error_set(err, -ENOMEM, 0, 0, "out of memory") : 0;
}

static int parse_executable_key(FspClass *c, void *field, const char *value, FspError *err)
{
        if (value[0] != '/')
                return fsp_error_set(err, -EINVAL, 0, 1, "'%s' is not an absolute path", value);
        return parse_description_key(c, field, value, err);
}

static int parse_command_line_key(FspClass *c, void *field, const char *value, FspError *err)
{
        char **words;
        int r = fsp_cmdline_split(value, &words, err);

        if (r < 0)
                return r;
        strv_free(c->command_line);
        c->command_line = words;
        return 0;
}

static int parse_security_key(FspClass *c, void *field, const char *value, FspError *err)
{
        FspSecurity *s;
        int r = fsp_sddl_parse(value, &s, err);

        if (r < 0)
                return r;
        if (free_and_strdup(&c->security_text, value) < 0) {
                fsp_security_free(s);
                return fsp_error_set(err, -ENOMEM, 0, 0, "out of memory");
        }
        fsp_security_free(c->security);
        c->security = s;
        return 0;
}

static bool user_name_is_valid(const char *s)
{
        size_t n = strlen(s);

        if (n == 0 || n > USER_NAME_MAX || !((s[0] >= 'a' && s[0] <= 'z') || s[0] == '_'))
                return false;
        for (size_t i = 1; i < n; i++) {
                bool last_dollar = i == n - 1 && s[i] == '$';
                if (!last_dollar &&
                    !((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || strchr("_.-", s[i])))
                        return false;
        }
        return true;
}

static int parse_run_as_key(FspClass *c, void *field, const char *value, FspError *err)
{
        if (!streq(value, ".") && !user_name_is_valid(value))
                return fsp_error_set(err, -EINVAL, 0, 0,
                                     "'%s' is neither '.' (the caller) nor a valid user name "
                                     "([a-z_][a-z0-9_.-]*, at most %d bytes)",
                                     value, USER_NAME_MAX);
        return parse_description_key(c, field, value, err);
}

static int parse_template_key(FspClass *c, void *field, const char *value, FspError *err)
{
        int r;

        if (!value[0]) /* MountPoint= with nothing: no mount point */
                return field_unset(field);
        r = fsp_template_check(value, err);
        if (r < 0)
                return r;
        return parse_description_key(c, field, value, err);
}

/* A path template that must be absolute once expanded: it starts with '/' or with the home, %P. */
static int parse_path_template_key(FspClass *c, void *field, const char *value, FspError *err)
{
        if (value[0] != '/' && !strneq(value, "%P", 2))
                return fsp_error_set(err, -EINVAL, 0, 1,
                                     "'%s' is not an absolute path (it must start with / or %%P)", value);
        return parse_template_key(c, field, value, err);
}

static int parse_stderr_key(FspClass *c, void *field, const char *value, FspError *err)
{
        if (streq(value, "journal"))
                return field_unset(field);
        return parse_path_template_key(c, field, value, err);
}

/* ---- Names: the values of CredentialsReply=, CredentialsStdin= and MountBy= ---- */

static const char *const credentials_reply_names[_FSP_CREDENTIALS_REPLY_MAX] = {
        [FSP_CREDENTIALS_REPLY_OK] = "OK",
        [FSP_CREDENTIALS_REPLY_NONE] = "none",
};

static const char *const credentials_stdin_names[_FSP_CREDENTIALS_STDIN_MAX] = {
        [FSP_CREDENTIALS_STDIN_PASSWORD] = "password",
        [FSP_CREDENTIALS_STDIN_PASSWORD_LINE] = "password-line",
        [FSP_CREDENTIALS_STDIN_USER_PASSWORD_LINES] = "user-password-lines",
        [FSP_CREDENTIALS_STDIN_NONE] = "none",
};

static const char *const mount_by_names[_FSP_MOUNT_BY_MAX] = {
        [FSP_MOUNT_BY_PROGRAM] = "program",
        [FSP_MOUNT_BY_LAUNCHER] = "launcher",
};

static int name_lookup(const char *const *names, size_t n, const char *s)
{
        for (size_t i = 0; s && i < n; i++)
                if (streq(names[i], s))
                        return (int) i;
        return -EINVAL;
}

static const char *name_of(const char *const *names, size_t n, int i)
{
        return i >= 0 && (size_t) i < n ? names[i] : NULL;
}

const char *fsp_credentials_reply_to_string(FspCredentialsReply r)
{
        return name_of(credentials_reply_names, ELEMENTSOF(credentials_reply_names), r);
}

FspCredentialsReply fsp_credentials_reply_from_string(const char *s)
{
        return name_lookup(credentials_reply_names, ELEMENTSOF(credentials_reply_names), s);
}

const char *fsp_credentials_stdin_to_string(FspCredentialsStdin s)
{
        return name_of(credentials_stdin_names, ELEMENTSOF(credentials_stdin_names), s);
}

FspCredentialsStdin fsp_credentials_stdin_from_string(const char *s)
{
        return name_lookup(credentials_stdin_names, ELEMENTSOF(credentials_stdin_names), s);
}

const char *fsp_mount_by_to_string(FspMountBy m)
{
        return name_of(mount_by_names, ELEMENTSOF(mount_by_names), m);
}

FspMountBy fsp_mount_by_from_string(const char *s)
{
        return name_lookup(mount_by_names, ELEMENTSOF(mount_by_names), s);
}

/* The value's index in names, or an error listing the choices ("use OK or none"). */
static int parse_name(const char *const *names, size_t n, const char *value, FspError *err)
{
        char choices[256] = "";
        int i = name_lookup(names, n, value);

        if (i >= 0)
                return i;
        for (size_t k = 0; k < n; k++)
                snprintf(choices + strlen(choices), sizeof(choices) - strlen(choices), "%s%s",
                         k == 0       ? ""
                         : k + 1 == n ? " or "
                                      : ", ",
                         names[k]);
        return fsp_error_set(err, -EINVAL, 0, 0, "invalid value '%s'; use %s", value, choices);
}

static int parse_credentials_reply_key(FspClass *c, void *field, const char *value, FspError *err)
{
        int i = parse_name(credentials_reply_names, ELEMENTSOF(credentials_reply_names), value, err);
        if (i >= 0)
                *(FspCredentialsReply *) field = (FspCredentialsReply) i;
        return MIN(i, 0);
}

static int parse_credentials_stdin_key(FspClass *c, void *field, const char *value, FspError *err)
{
        int i = parse_name(credentials_stdin_names, ELEMENTSOF(credentials_stdin_names), value, err);
        if (i >= 0)
                *(FspCredentialsStdin *) field = (FspCredentialsStdin) i;
        return MIN(i, 0);
}

static int parse_mount_by_key(FspClass *c, void *field, const char *value, FspError *err)
{
        int i = parse_name(mount_by_names, ELEMENTSOF(mount_by_names), value, err);
        if (i >= 0)
                *(FspMountBy *) field = (FspMountBy) i;
        return MIN(i, 0);
}

/* ---- Mount options ---- */

static int parse_mount_options_key(FspClass *c, void *field, const char *value, FspError *err)
{
        FspMountOptions o = {};
        int r;

        if (!value[0])
                return field_unset(field);
        r = fsp_mount_options_add(&o, value, NULL, FSP_MOUNT_OPTIONS_LAUNCHER, err);
        fsp_mount_options_done(&o);
        if (r < 0)
                return r;
        return parse_description_key(c, field, value, err);
}

static int parse_accept_options_key(FspClass *c, void *field, const char *value, FspError *err)
{
        char **accept;
        int r = fsp_accept_options_parse(value, &accept, err);

        if (r < 0)
                return r;
        strv_free(c->accept_options);
        c->accept_options = accept;
        return 0;
}

/* ---- Resource control, as systemd spells it ---- */

/* "512M", "2G", "1048576": bytes; K, M, G and T count 1024. */
static int parse_bytes(const char *s, uint64_t *ret)
{
        static const char units[] = "KMGT";
        size_t digits = strspn(s, "0123456789");
        const char *unit;
        uint64_t n;
        int r;

        if (digits == 0 || digits > 20 || (s[digits] && s[digits + 1]))
                return -EINVAL;
        _cleanup_free_ char *number = strndup(s, digits);
        if (!number)
                return -ENOMEM;
        r = parse_unsigned(number, &n);
        if (r < 0)
                return r;
        if (s[digits]) {
                unit = strchr(units, s[digits]);
                if (!unit)
                        return -EINVAL;
                for (ptrdiff_t k = unit - units; k >= 0; k--)
                        if (__builtin_mul_overflow(n, 1024, &n))
                                return -ERANGE;
        }
        *ret = n;
        return 0;
}

static int parse_memory_max_key(FspClass *c, void *field, const char *value, FspError *err)
{
        uint64_t n;
        int r;

        if (streq(value, "infinity")) {
                *(uint64_t *) field = FSP_RESOURCE_INFINITY;
                return 0;
        }
        r = parse_bytes(value, &n);
        if (r == -EINVAL)
                return fsp_error_set(
                        err, r, 0, 0,
                        "invalid size '%s'; write bytes, or with K, M, G or T (1024-based) as in "
                        "512M, or infinity",
                        value);
        if (r < 0 || n == 0 || n >= FSP_RESOURCE_INFINITY)
                return fsp_error_set(err, -EINVAL, 0, 0,
                                     "size '%s' is out of range (1 byte up to 16E, or infinity)", value);
        *(uint64_t *) field = n;
        return 0;
}

static int parse_tasks_max_key(FspClass *c, void *field, const char *value, FspError *err)
{
        uint64_t n;

        if (streq(value, "infinity")) {
                *(uint64_t *) field = FSP_RESOURCE_INFINITY;
                return 0;
        }
        if (parse_unsigned(value, &n) < 0 || n == 0 || n >= FSP_RESOURCE_INFINITY)
                return fsp_error_set(err, -EINVAL, 0, 0,
                                     "invalid count '%s'; use a whole number from 1, or infinity", value);
        *(uint64_t *) field = n;
        return 0;
}

/* "50%": half of one CPU's time; more than 100% uses several CPUs. */
static int parse_cpu_quota_key(FspClass *c, void *field, const char *value, FspError *err)
{
        size_t n = strlen(value);
        _cleanup_free_ char *number = NULL;
        uint64_t percent, usec;

        if (n < 2 || value[n - 1] != '%' || !(number = strndup(value, n - 1)) ||
            parse_unsigned(number, &percent) < 0 || percent == 0 ||
            __builtin_mul_overflow(percent, USEC_PER_SEC / 100, &usec) || usec >= FSP_RESOURCE_INFINITY)
                return fsp_error_set(
                        err, -EINVAL, 0, 0,
                        "invalid quota '%s'; write a whole percentage from 1%%, as in 50%% (half "
                        "of one CPU) or 200%% (two CPUs)",
                        value);
        *(uint64_t *) field = usec;
        return 0;
}

/* systemd's rules for a slice: "-.slice", or dash-separated parts (no empty one) before ".slice". */
static bool slice_name_is_valid(const char *s)
{
        size_t n = strlen(s), prefix = n - strlen(".slice");

        if (n <= strlen(".slice") || n > UNIT_NAME_MAX || !streq(s + prefix, ".slice"))
                return false;
        if (prefix == 1 && s[0] == '-')
                return true;
        if (s[0] == '-' || s[prefix - 1] == '-')
                return false;
        for (size_t i = 0; i < prefix; i++) {
                char ch = s[i];
                if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
                      strchr(":_.\\-", ch)))
                        return false;
                if (ch == '-' && s[i + 1] == '-')
                        return false;
        }
        return true;
}

static int parse_slice_key(FspClass *c, void *field, const char *value, FspError *err)
{
        if (!slice_name_is_valid(value))
                return fsp_error_set(err, -EINVAL, 0, 0,
                                     "'%s' is not a slice name; write e.g. winfsp.slice or "
                                     "system-winfsp.slice (letters, digits, : _ . \\ -, ending in .slice)",
                                     value);
        return parse_description_key(c, field, value, err);
}

static int parse_max_instances_key(FspClass *c, void *field, const char *value, FspError *err)
{
        uint64_t n;

        if (parse_unsigned(value, &n) < 0 || n > UINT_MAX)
                return fsp_error_set(err, -EINVAL, 0, 0,
                                     "invalid count '%s'; use a whole number, 0 for only the launcher's own "
                                     "limit",
                                     value);
        *(unsigned *) field = (unsigned) n;
        return 0;
}

#define KEY(id, key, fn, field) [id] = { key, fn, offsetof(FspClass, field) }

const ClassKey class_keys[_CLASS_KEY_MAX] = {
        KEY(CLASS_KEY_DESCRIPTION, "Description", parse_description_key, description),
        KEY(CLASS_KEY_EXECUTABLE, "Executable", parse_executable_key, executable),
        KEY(CLASS_KEY_COMMAND_LINE, "CommandLine", parse_command_line_key, command_line),
        KEY(CLASS_KEY_SECURITY, "Security", parse_security_key, security),
        KEY(CLASS_KEY_CREDENTIALS, "Credentials", parse_credentials_key, credentials),
        KEY(CLASS_KEY_RUN_AS, "RunAs", parse_run_as_key, run_as),
        KEY(CLASS_KEY_WORK_DIRECTORY, "WorkDirectory", parse_path_template_key, work_directory),
        KEY(CLASS_KEY_STDERR, "Stderr", parse_stderr_key, stderr_path),
        KEY(CLASS_KEY_JOB_CONTROL, "JobControl", parse_boolean_key, job_control),
        KEY(CLASS_KEY_RECOVERY, "Recovery", parse_boolean_key, recovery),
        KEY(CLASS_KEY_RECOVERY_BURST, "RecoveryBurst", parse_recovery_burst_key, recovery_burst),
        KEY(CLASS_KEY_RECOVERY_INTERVAL, "RecoveryInterval", parse_time_key, recovery_interval_usec),
        KEY(CLASS_KEY_MOUNT_POINT, "MountPoint", parse_template_key, mount_point),
        KEY(CLASS_KEY_START_TIMEOUT, "StartTimeout", parse_time_key, start_timeout_usec),
        KEY(CLASS_KEY_STOP_TIMEOUT, "StopTimeout", parse_time_key, stop_timeout_usec),
        KEY(CLASS_KEY_CREDENTIALS_TIMEOUT, "CredentialsTimeout", parse_time_key, credentials_timeout_usec),
        KEY(CLASS_KEY_CREDENTIALS_REPLY, "CredentialsReply", parse_credentials_reply_key, credentials_reply),
        KEY(CLASS_KEY_CREDENTIALS_STDIN, "CredentialsStdin", parse_credentials_stdin_key, credentials_stdin),
        KEY(CLASS_KEY_MOUNT_BY, "MountBy", parse_mount_by_key, mount_by),
        KEY(CLASS_KEY_MOUNT_OPTIONS, "MountOptions", parse_mount_options_key, mount_options),
        KEY(CLASS_KEY_ACCEPT_OPTIONS, "AcceptOptions", parse_accept_options_key, accept_options),
        KEY(CLASS_KEY_MEMORY_MAX, "MemoryMax", parse_memory_max_key, memory_max),
        KEY(CLASS_KEY_TASKS_MAX, "TasksMax", parse_tasks_max_key, tasks_max),
        KEY(CLASS_KEY_CPU_QUOTA, "CPUQuota", parse_cpu_quota_key, cpu_quota_per_sec_usec),
        KEY(CLASS_KEY_SLICE, "Slice", parse_slice_key, slice),
        KEY(CLASS_KEY_MAX_INSTANCES_PER_USER, "MaxInstancesPerUser", parse_max_instances_key,
            max_instances_per_user),
};

ClassKeyId class_key_from_name(const char *name)
{
        for (size_t i = 0; i < ELEMENTSOF(class_keys); i++)
                if (streq(class_keys[i].name, name))
                        return (ClassKeyId) i;
        return _CLASS_KEY_INVALID;
}
