/* Scheduler internals shared by sched.c and timer.c. */
#pragma once

#include <sched/sched.h>

/* Sets c's state byte (enum cont_state), keeping its run epoch. */
void cont_state_set(cont_t *c, uint32_t st);
