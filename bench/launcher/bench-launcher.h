/* SPDX-License-Identifier: MIT */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <systemd/sd-bus.h>

uint64_t now_ns(void);
/* Sort v and print its median and 99th percentile in ms; *ret_median (ms) when not NULL. */
void summarize(const char *what, uint64_t *v, size_t n, double *ret_median);

/* List called runs times, each call's time in t[]; -1 (said on stderr) if one fails or misses instances. */
int time_list(sd_bus *bus, int expected, uint64_t *t, size_t runs);

/* The modes of scale.c. */
int bench_scale_main(int argc, char **argv);
