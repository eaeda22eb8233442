/* SPDX-License-Identifier: MIT */
/*
 * Instances that outlive the launcher (JobControl=0): a small state file per
 * running instance under <state-dir>/instances, and, under systemd, their
 * output pipes in the service's file-descriptor store. A new launcher reads
 * both and adopts whatever is still running.
 */
#pragma once

typedef struct Manager Manager;
typedef struct Instance Instance;

/* Record a ready JobControl=0 instance (no-op for others). */
void state_save(Manager *m, Instance *i);
/* Forget the record (the instance stopped). */
void state_remove(Manager *m, Instance *i);
/* At exit: the instance keeps running; make sure its record is current. */
void state_keep(Manager *m, Instance *i);
/* At start: adopt every recorded instance that still runs. */
void state_adopt(Manager *m);

/*
 * Every mount an instance put on its mount point is recorded (its ID and
 * path) until it is detached: a launcher that was killed leaves them, dead,
 * and the next one detaches those no adopted instance claims.
 */
void state_mount_save(Manager *m, Instance *i);
void state_mount_remove(Manager *m, int mnt_id);
void state_mount_sweep(Manager *m);
