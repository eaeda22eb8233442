/* SPDX-License-Identifier: MIT */
/*
 * The parsed form of a Security= string, shared by the parser (sddl.c) and
 * the access check (access.c). Only what has an effect is kept in detail.
 */
#pragma once

#include <errno.h>
#include <fsp/security.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum TrusteeType {
        TRUSTEE_EVERYONE,      /* WD, S-1-1-0 */
        TRUSTEE_SYSTEM,        /* SY, S-1-5-18 */
        TRUSTEE_ADMINS,        /* BA, S-1-5-32-544 */
        TRUSTEE_AUTHENTICATED, /* AU, S-1-5-11 */
        TRUSTEE_INTERACTIVE,   /* IU, S-1-5-4 */
        TRUSTEE_OWNER,         /* OW, S-1-3-4 */
        TRUSTEE_UID,           /* S-1-22-1-<uid> */
        TRUSTEE_GID,           /* S-1-22-2-<gid> */
        _TRUSTEE_MAX,
        _TRUSTEE_INVALID = -EINVAL,
} TrusteeType;

typedef struct Trustee {
        TrusteeType type;
        uint32_t id; /* uid or gid for TRUSTEE_UID / TRUSTEE_GID */
} Trustee;

typedef struct Ace {
        bool deny;
        uint32_t mask;   /* the access mask as written */
        uint32_t rights; /* what it means here: FSP_RIGHT_* bits */
        Trustee trustee;
} Ace;

enum {
        DACL_PROTECTED = 1 << 0,       /* P */
        DACL_AUTO_INHERIT = 1 << 1,    /* AI */
        DACL_AUTO_INHERIT_REQ = 1 << 2 /* AR */
};

struct FspSecurity {
        bool has_owner, has_group;
        Trustee owner, group; /* O: and G:, kept for display, no effect */
        unsigned dacl_flags;
        Ace *aces;
        size_t n_aces;
};
