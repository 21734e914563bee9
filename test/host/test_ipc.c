/*
 * Host tests for ipc/check.c: the checks every message gets before any handle is looked
 * at (sizes at and past their limits, cap flags, handle 0, a handle twice, entries past
 * ncaps ignored), the exo_msg_t layout the ABI promises, and a seeded random run against a
 * reference model.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <ipc/ipc.h>

static exo_msg_t msg_with_caps(uint32_t n) {
    exo_msg_t m;
    memset(&m, 0, sizeof(m));
    m.ncaps = n;
    for (uint32_t i = 0; i < n; i++) {
        m.caps[i].handle = 0x10000u * (i + 1) + i + 1;
    }
    return m;
}

static void test_layout(void **state) {
    assert_int_equal(sizeof(exo_msg_t), 224);
    assert_int_equal(offsetof(exo_msg_t, label), 0);
    assert_int_equal(offsetof(exo_msg_t, len), 8);
    assert_int_equal(offsetof(exo_msg_t, ncaps), 12);
    assert_int_equal(offsetof(exo_msg_t, badge), 16);
    assert_int_equal(offsetof(exo_msg_t, reply), 24);
    assert_int_equal(offsetof(exo_msg_t, caps), 32);
    assert_int_equal(offsetof(exo_msg_t, data), 96);
    assert_int_equal(offsetof(exo_msg_cap_t, rights), 8);
    assert_int_equal(offsetof(exo_msg_cap_t, flags), 12);
    assert_int_equal(offsetof(exo_msg_cap_t, type), 14);
}

static void test_sizes(void **state) {
    exo_msg_t m = msg_with_caps(0);
    assert_int_equal(ipc_msg_check(&m), STATUS_OK);
    m.len = EXO_MSG_DATA;
    assert_int_equal(ipc_msg_check(&m), STATUS_OK);
    m.len = EXO_MSG_DATA + 1;
    assert_int_equal(ipc_msg_check(&m), ERR_TOO_BIG);
    m.len = UINT32_MAX;
    assert_int_equal(ipc_msg_check(&m), ERR_TOO_BIG);
    m = msg_with_caps(EXO_MSG_CAPS);
    assert_int_equal(ipc_msg_check(&m), STATUS_OK);
    m.ncaps = EXO_MSG_CAPS + 1;
    assert_int_equal(ipc_msg_check(&m), ERR_TOO_BIG);
    m.ncaps = UINT32_MAX;
    assert_int_equal(ipc_msg_check(&m), ERR_TOO_BIG);
}

static void test_cap_entries(void **state) {
    exo_msg_t m = msg_with_caps(3);
    m.caps[1].flags = EXO_MSG_CAP_MOVE;
    assert_int_equal(ipc_msg_check(&m), STATUS_OK);
    m.caps[1].flags = EXO_MSG_CAP_MAPPED; /* a receive-side flag */
    assert_int_equal(ipc_msg_check(&m), ERR_INVALID);
    m.caps[1].flags = 0x8000;
    assert_int_equal(ipc_msg_check(&m), ERR_INVALID);
    m = msg_with_caps(3);
    m.caps[2].handle = EXO_HANDLE_NONE;
    assert_int_equal(ipc_msg_check(&m), ERR_INVALID);
    m = msg_with_caps(4);
    m.caps[3].handle = m.caps[0].handle;
    assert_int_equal(ipc_msg_check(&m), ERR_INVALID);
    m = msg_with_caps(4);
    m.caps[2].handle = m.caps[1].handle;
    m.caps[2].flags = EXO_MSG_CAP_MOVE; /* a move and a copy of one cap */
    assert_int_equal(ipc_msg_check(&m), ERR_INVALID);
    /* Send-side fields the kernel sets on receive are ignored, as is anything past ncaps. */
    m = msg_with_caps(1);
    m.badge = 7;
    m.reply = 9;
    m.caps[0].type = 99;
    m.caps[1] = (exo_msg_cap_t){.handle = 0, .flags = 0xffff};
    m.caps[2] = m.caps[0];
    assert_int_equal(ipc_msg_check(&m), STATUS_OK);
}

/* The reference: the rules in ipc/ipc.h, written out the long way. */
static status_t model(const exo_msg_t *m) {
    if (m->len > 128 || m->ncaps > 4) {
        return ERR_TOO_BIG;
    }
    for (uint32_t i = 0; i < m->ncaps; i++) {
        if (m->caps[i].handle == 0 || (m->caps[i].flags != 0 && m->caps[i].flags != 1)) {
            return ERR_INVALID;
        }
        for (uint32_t j = i + 1; j < m->ncaps; j++) {
            if (m->caps[i].handle == m->caps[j].handle) {
                return ERR_INVALID;
            }
        }
    }
    return STATUS_OK;
}

static void test_random_against_model(void **state) {
    srand(7);
    for (int n = 0; n < 200000; n++) {
        exo_msg_t m;
        uint8_t *b = (uint8_t *)&m;
        for (size_t i = 0; i < sizeof(m); i++) {
            b[i] = (uint8_t)rand();
        }
        /* Mostly near the limits and with few distinct handles, so every rule is hit. */
        m.len = (uint32_t)(rand() % 3 ? rand() % 140 : rand());
        m.ncaps = (uint32_t)(rand() % 3 ? rand() % 6 : rand());
        for (int i = 0; i < EXO_MSG_CAPS; i++) {
            m.caps[i].handle = (uint64_t)(rand() % 6);
            m.caps[i].flags = (uint16_t)(rand() % 4 ? rand() % 2 : rand());
        }
        assert_int_equal(ipc_msg_check(&m), model(&m));
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layout),
        cmocka_unit_test(test_sizes),
        cmocka_unit_test(test_cap_entries),
        cmocka_unit_test(test_random_against_model),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
