/* SPDX-License-Identifier: MIT */
/*
 * What each [Service] key means: a parser per kind of value (time,
 * boolean, path template, ...) and the table that ties keys to them and to
 * their fields. Each parser sees one complete value and knows nothing of
 * lines; the caller maps a column in the value back to the file.
 */
#include <fsp/cmdline.h>
#include <stddef.h>
#include <strings.h>

#include "class-keys.h"
#include "macro.h"

#define USER_NAME_MAX      32
#define TIME_MIN_USEC      USEC_PER_MSEC
#define TIME_MAX_USEC      (24 * 60 * USEC_PER_MINUTE)
#define RECOVERY_BURST_MAX 1000


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
                {"ms", USEC_PER_MSEC},  {"s", USEC_PER_SEC},      {"sec", USEC_PER_SEC},
                {"m", USEC_PER_MINUTE}, {"min", USEC_PER_MINUTE}, {"h", 60 * USEC_PER_MINUTE},
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
        static const char *const yes[] = {"1", "yes", "true", "on"}, *const no[] = {"0", "no", "false",
                                                                                    "off"};

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

        if (!value[0]) { /* MountPoint= with nothing: no mount point */
                free(*(char **) field);
                *(char **) field = NULL;
                return 0;
        }
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
        if (streq(value, "journal")) {
                free(c->stderr_path);
                c->stderr_path = NULL;
                return 0;
        }
        return parse_path_template_key(c, field, value, err);
}

#define KEY(id, key, fn, field) [id] = {key, fn, offsetof(FspClass, field)}

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
};

ClassKeyId class_key_from_name(const char *name)
{
        for (size_t i = 0; i < ELEMENTSOF(class_keys); i++)
                if (streq(class_keys[i].name, name))
                        return (ClassKeyId) i;
        return _CLASS_KEY_INVALID;
}
