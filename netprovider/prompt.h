/* SPDX-License-Identifier: MIT */
/*
 * Questions on the controlling terminal (/dev/tty, so they work whatever
 * stdin and stdout are): a password typed without echo, a line typed with
 * echo, and the "remember this password?" question.
 */
#pragma once

#include <fsp/keyring.h>
#include <fsp/secret.h>

/* The controlling terminal, open for reading and writing; -ENXIO when there is none. */
int prompt_open_terminal(int *ret_fd);

/*
 * Ask for a password: echo off while it is typed (and back on if a signal
 * ends the program meanwhile). -ECANCELED on end of input (Ctrl-D) before
 * a line, -EMSGSIZE for a line over FSP_SECRET_MAX bytes.
 */
int prompt_password(int tty, const char *question, FspSecret **ret);

/* Ask for a line, with echo; an empty answer takes suggestion (when not NULL). */
int prompt_line(int tty, const char *question, const char *suggestion, char **ret);

/* "Remember the password? [n]ever, [s]ession, [f]orever": an empty answer is never. */
int prompt_remember(int tty, const char *remote, FspRemember *ret);
