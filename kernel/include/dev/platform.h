/*
 * The platform as ACPI describes it, parsed once at boot (dev/acpi.h) and read-only
 * afterwards. Missing or malformed tables are reported; the kernel falls back where it
 * can (one CPU without a MADT, the PM timer without an HPET) and stops with a clear
 * message where it cannot.
 */
#pragma once

#include <dev/acpi.h>
#include <exo/bootinfo.h>

extern acpi_info_t platform_acpi;

/* Parses the tables from bi->rsdp and prints what was found. */
void platform_init(const bootinfo_t *bi);
