/* SPDX-License-Identifier: MIT */
/*
 * Telling a refused password from a crash. A class with
 * CredentialsReply=none runs a program that never answers OK: when it
 * exits before mounting, the launcher reports StartFailed with its exit
 * status and last lines, whatever the reason. Those lines say whether the
 * password was refused, in the words of the programs the shipped classes
 * run: ssh (under sshfs) "user@host: Permission denied (password).",
 * gocryptfs "Password incorrect.", encfs "Error decoding volume key,
 * password incorrect", rclone "Couldn't decrypt configuration, most likely
 * wrong password", sftp "unable to authenticate". Anything else is a
 * failure of the start, not a verdict on the password.
 */
#pragma once

#include <stdbool.h>

/* Whether the message of a failed start (the program's last lines in it) says the password was refused. */
bool refusal_in_message(const char *message);
