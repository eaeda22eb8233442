/* SPDX-License-Identifier: MIT */
/*
 * The SDDL-like access control of a service class, e.g. "D:P(A;;RPWPLC;;;WD)".
 *
 * Parsing is pure (text in, rule set or positioned error out). Checking asks
 * the system what it needs about the caller (passwd entry, admin groups,
 * logind sessions) unless the caller structure already says it.
 *
 * Rights use the Windows service access bits, so a hex mask copied from a
 * WinFsp registry export means the same here.
 */
#pragma once

#include <fsp/error.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

enum {
        FSP_RIGHT_QUERY = 0x0004, /* LC: info, and seeing the instance in a list */
        FSP_RIGHT_START = 0x0010, /* RP */
        FSP_RIGHT_STOP  = 0x0020, /* WP */
        FSP_RIGHT_ALL   = FSP_RIGHT_QUERY | FSP_RIGHT_START | FSP_RIGHT_STOP,
};

/* The default when a class has no Security= key: root and admins only. */
#define FSP_SECURITY_DEFAULT "D:P(A;;RPWPLC;;;SY)(A;;RPWPLC;;;BA)"

typedef struct FspSecurity FspSecurity;

/* On error, err->column is the 1-based position of the offending character. */
int fsp_sddl_parse(const char *text, FspSecurity **ret, FspError *err);
FspSecurity *fsp_security_free(FspSecurity *s);

/* Canonical text of a parsed rule set (for info output and tests). Caller frees. */
char *fsp_security_to_string(const FspSecurity *s);

/* Who is asking. Tri-state fields: -1 = unknown, let the check find out. */
typedef struct FspCaller {
        uid_t uid;
        gid_t gid;              /* primary group */
        const gid_t *groups;    /* supplementary groups */
        size_t n_groups;
        int has_passwd_entry;   /* AU; -1: look up with getpwuid_r() */
        int has_active_session; /* IU; -1: ask logind (sd_uid_get_sessions) */
} FspCaller;

#define FSP_CALLER_INIT(u, g) ((FspCaller){ .uid = (u), .gid = (g), .has_passwd_entry = -1, .has_active_session = -1 })

/*
 * Group names whose members count as BA (administrators). NULL restores the
 * default "sudo", "wheel", "admin". Process-wide; call before checking.
 */
int fsp_security_set_admin_groups(char *const *names);

/*
 * True when caller holds every bit of rights. owner_uid is who started the
 * instance ((uid_t) -1 for none): the OW trustee, and that user may always
 * stop and query the instance. A matching deny ACE wins over any allow.
 */
bool fsp_security_check(const FspSecurity *s, const FspCaller *caller, uid_t owner_uid, uint32_t rights);

#ifdef __cplusplus
}
#endif
