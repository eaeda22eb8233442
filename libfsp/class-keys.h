/* SPDX-License-Identifier: MIT */
/*
 * The [Service] keys of a class file: one row per key, naming the parser
 * that turns its value (continuation lines already joined) into a field of
 * FspClass. Internal to libfsp; class.c walks the INI text, this table
 * knows what each key means.
 */
#pragma once

#include <fsp/class.h>

typedef enum ClassKeyId {
        CLASS_KEY_DESCRIPTION,
        CLASS_KEY_EXECUTABLE,
        CLASS_KEY_COMMAND_LINE,
        CLASS_KEY_SECURITY,
        CLASS_KEY_CREDENTIALS,
        CLASS_KEY_RUN_AS,
        CLASS_KEY_WORK_DIRECTORY,
        CLASS_KEY_STDERR,
        CLASS_KEY_JOB_CONTROL,
        CLASS_KEY_RECOVERY,
        CLASS_KEY_RECOVERY_BURST,
        CLASS_KEY_RECOVERY_INTERVAL,
        CLASS_KEY_MOUNT_POINT,
        CLASS_KEY_START_TIMEOUT,
        CLASS_KEY_STOP_TIMEOUT,
        CLASS_KEY_CREDENTIALS_TIMEOUT,
        CLASS_KEY_CREDENTIALS_REPLY,
        CLASS_KEY_CREDENTIALS_STDIN,
        CLASS_KEY_MOUNT_BY,
        CLASS_KEY_MOUNT_OPTIONS,
        CLASS_KEY_ACCEPT_OPTIONS,
        CLASS_KEY_MEMORY_MAX,
        CLASS_KEY_TASKS_MAX,
        CLASS_KEY_CPU_QUOTA,
        CLASS_KEY_SLICE,
        CLASS_KEY_MAX_INSTANCES_PER_USER,
        _CLASS_KEY_MAX,
        _CLASS_KEY_INVALID = -22,
} ClassKeyId;

/* Parse value into field; on error err->column counts from the value's first byte (1), 0 for none. */
typedef int (*ClassKeyParseFn)(FspClass *c, void *field, const char *value, FspError *err);

typedef struct ClassKey {
        const char *name;
        ClassKeyParseFn parse;
        size_t offset; /* of the field in FspClass */
} ClassKey;

extern const ClassKey class_keys[_CLASS_KEY_MAX];

/* Keys are case-sensitive, as systemd's are. */
ClassKeyId class_key_from_name(const char *name);
