/*
 * The host twin of libctest: the same conformance cases (apps/test/libccases.c) against
 * the host's C library. Its output is the expected file qemu.libc compares the in-OS
 * lines with.
 */
#include "../../apps/test/libccases.h"

int main(void) {
    libc_cases();
    return 0;
}
