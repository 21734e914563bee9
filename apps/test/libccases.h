/* The C library conformance cases (libccases.c): the same lines on the host and in-OS. */
#pragma once

void libc_cases(void);
