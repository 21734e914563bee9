/*
 * Power off and reboot. Poweroff enters ACPI S5 (FADT PM1 control ports, SLP_TYP from the
 * DSDT's \_S5); reboot tries the FADT reset register, then the PCI reset control port
 * 0xcf9, then the 8042 keyboard controller, then a triple fault. Both never return.
 */
#pragma once

#include <dev/acpi.h>

void power_init(const acpi_info_t *acpi);
__attribute__((noreturn)) void power_off(void);
__attribute__((noreturn)) void power_reboot(void);
