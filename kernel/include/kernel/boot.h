/* The kernel's copy of the boot information (taken at the top of kmain). */
#pragma once

#include <exo/bootinfo.h>

extern bootinfo_t boot_info;
