/* SPDX-License-Identifier: MIT */
/*
 * Recovery=1: an instance that exits with a failure (not after a stop, not
 * with status 0) is started again after a back-off of 1 s doubling to 1 min,
 * until it has failed RecoveryBurst= times within RecoveryInterval=.
 */
#include "instance-internal.h"
#include "log.h"

#define RESTART_DELAY_FIRST (1 * USEC_PER_SEC)
#define RESTART_DELAY_MAX   (60 * USEC_PER_SEC)

static int on_restart(sd_event_source *s, uint64_t usec, void *userdata)
{
        Instance *i = userdata;

        i->timer_source = source_unref(i->timer_source);
        free(i->start_error_name);
        free(i->start_error_message);
        i->start_error_name = i->start_error_message = NULL;
        i->restarts++;
        i->state = INSTANCE_STARTING;
        log_info("%s/%s: restarting (restart %u)", i->class_name, i->name, i->restarts);
        instance_spawn_or_fail(i);
        return 0;
}

/* The back-off before the next restart: 1 s, doubled for each restart still in the window. */
static uint64_t restart_delay(unsigned recent)
{
        uint64_t delay = RESTART_DELAY_FIRST;

        for (unsigned k = 0; k < recent && delay < RESTART_DELAY_MAX; k++)
                delay *= 2;
        return MIN(delay, RESTART_DELAY_MAX);
}

void instance_schedule_restart(Instance *i)
{
        uint64_t t = now_usec(CLOCK_MONOTONIC), delay;
        unsigned kept = 0;
        char d[32];
        int r;

        instance_close_process_io(i);
        for (unsigned k = 0; k < i->n_restart_times; k++)
                if (t - i->restart_times[k] < i->class->recovery_interval_usec)
                        i->restart_times[kept++] = i->restart_times[k];
        i->n_restart_times = kept;
        if (kept >= i->class->recovery_burst) {
                log_error("%s/%s: failed %u times within %s (RecoveryBurst=, RecoveryInterval=); giving up",
                          i->class_name, i->name, kept + 1, duration_text(i->class->recovery_interval_usec, d));
                instance_finish(i, i->last_exit_status);
                return;
        }
        /* Room for as many restarts as RecoveryBurst= allows (only Recovery=1 instances pay for it). */
        if (!i->restart_times && !(i->restart_times = calloc(i->class->recovery_burst, sizeof(uint64_t)))) {
                log_error("%s/%s: out of memory for its restart history; giving up", i->class_name, i->name);
                instance_finish(i, i->last_exit_status);
                return;
        }
        delay = restart_delay(kept);
        r = sd_event_add_time_relative(i->env->event, &i->timer_source, CLOCK_MONOTONIC, delay, 0, on_restart,
                                       i);
        if (r < 0) {
                log_error_errno(r, "%s/%s: cannot schedule its restart (%m); giving up", i->class_name,
                                i->name);
                instance_finish(i, i->last_exit_status);
                return;
        }
        i->restart_times[i->n_restart_times++] = t;
        i->state = INSTANCE_RESTARTING;
        log_notice("%s/%s: restarting in %s", i->class_name, i->name, duration_text(delay, d));
        const InstanceObserver *o = i->env->observer;
        if (o && o->changed)
                o->changed(i, i->env->observer_data);
}
