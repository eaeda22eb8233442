/* SPDX-License-Identifier: MIT */
/*
 * systemd's password agents, through systemd-ask-password(1): how a
 * program with no terminal (a unit at boot, an automount) asks the person
 * at the console, plymouth or a desktop agent.
 */
#pragma once

#include <fsp/secret.h>
#include <stdbool.h>

/* Booted with systemd, so that someone may answer. */
bool agent_available(void);

/*
 * Run systemd-ask-password --id=ID --credential=CREDENTIAL QUESTION (with
 * echo for a user name). -ECANCELED when nobody answered.
 */
int agent_ask(const char *id, const char *credential, const char *question, bool echo, FspSecret **ret);
