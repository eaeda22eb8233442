/* SPDX-License-Identifier: MIT */
/*
 * fsp-subscriber: what a peer hears of the launcher. It subscribes
 * (org.winfsp.Launcher1.Subscribe) and prints every InstanceStarted and
 * InstanceStopped it receives, one line each ("InstanceStarted CLASS
 * INSTANCE"), then "ready" once subscribed; it runs until SIGTERM.
 */
#include <fsp/launch.h>
#include <signal.h>
#include <stdio.h>
#include <systemd/sd-event.h>

#include "macro.h"

static int on_signal(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
        const char *class_name = NULL, *instance = NULL;

        if (sd_bus_message_read(m, "ss", &class_name, &instance) >= 0)
                printf("%s %s %s\n", sd_bus_message_get_member(m), class_name, instance);
        fflush(stdout);
        return 0;
}

int main(void)
{
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        sd_event *e = NULL;
        sigset_t mask;
        int r;

        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigprocmask(SIG_BLOCK, &mask, NULL);
        r = fsp_launch_open(false, NULL, &bus);
        if (r >= 0)
                r = sd_bus_add_match(bus, NULL, "type='signal',interface='" FSP_LAUNCHER_INTERFACE "'", on_signal, NULL);
        if (r >= 0)
                r = sd_bus_call_method(bus, FSP_LAUNCHER_BUS_NAME, FSP_LAUNCHER_PATH, FSP_LAUNCHER_INTERFACE,
                                       "Subscribe", NULL, NULL, NULL);
        if (r >= 0)
                r = sd_event_default(&e);
        if (r >= 0)
                r = sd_bus_attach_event(bus, e, 0);
        if (r >= 0)
                r = sd_event_add_signal(e, NULL, SIGTERM, NULL, NULL);
        if (r < 0) {
                fprintf(stderr, "fsp-subscriber: %s\n", strerror(-r));
                return 1;
        }
        printf("ready\n");
        fflush(stdout);
        r = sd_event_loop(e);
        sd_event_unref(e);
        return r < 0 ? 1 : 0;
}
