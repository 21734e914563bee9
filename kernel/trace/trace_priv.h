/* Shared between the files of kernel/trace/ only. */
#pragma once

#include <stdbool.h>

/* `trace=serial`: trace_drain_at_exit drains (set at boot by trace_init, read after). */
extern bool trace_serial_at_exit;
