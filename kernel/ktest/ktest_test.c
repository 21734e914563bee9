/*
 * Tests of the ktest harness itself: KTEST_MANUAL(ktest_selftest_fails) fails on purpose,
 * so a ctest can check that a failing assertion is reported with file, line and values
 * and turns the verdict and QEMU's exit code into FAIL. `ktest=all` never runs it.
 */
#include <ktest/ktest.h>

KTEST_MANUAL(ktest_selftest_fails) {
    KT_ASSERT_EQ(1 + 1, 3);
}

KTEST(ktest_assertions_pass) {
    KT_ASSERT(1 + 1 == 2);
    KT_ASSERT_EQ(0xffffffffffffffffull, ~0ull);
}
