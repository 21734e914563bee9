/*
 * acpi_find_s5: the one thing the kernel reads from AML without an interpreter, the \_S5
 * sleep-type package (ACPI 6.5, 7.4.2 and 16.1.4). The encodings are those of ACPI 6.5,
 * chapter 20: NameOp NameString PackageOp PkgLength NumElements followed by integer data.
 */
#include "acpi_priv.h"

#include <dev/acpi.h>
#include <exo/status.h>
#include <kernel/string.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AML_ZERO_OP 0x00
#define AML_ONE_OP 0x01
#define AML_NAME_OP 0x08
#define AML_BYTE_PREFIX 0x0a
#define AML_WORD_PREFIX 0x0b
#define AML_DWORD_PREFIX 0x0c
#define AML_QWORD_PREFIX 0x0e
#define AML_PACKAGE_OP 0x12
#define AML_ONES_OP 0xff
#define AML_ROOT_CHAR '\\'
#define AML_PARENT_PREFIX '^'

/* SLP_TYPx is a 3-bit field of PM1x_CNT (table 4.13); larger values would spill over. */
#define SLP_TYP_MAX 7

/*
 * PkgLength (20.2.4) at p: bits 7-6 of the lead byte count the bytes that follow (0-3).
 * With none, bits 5-0 are the length; otherwise bits 3-0 are its low nibble and each
 * following byte adds 8 more bits. The length includes the PkgLength bytes themselves.
 * Returns the number of encoding bytes, 0 if they run past avail.
 */
static uint32_t pkg_length(const uint8_t *p, uint64_t avail, uint64_t *len) {
    if (avail == 0) {
        return 0;
    }
    uint32_t follow = p[0] >> 6;
    if (avail < 1 + (uint64_t)follow) {
        return 0;
    }
    if (follow == 0) {
        *len = p[0] & 0x3f;
        return 1;
    }
    uint64_t v = p[0] & 0x0f;
    for (uint32_t i = 1; i <= follow; i++) {
        v |= (uint64_t)p[i] << (4 + 8 * (i - 1));
    }
    *len = v;
    return 1 + follow;
}

/* One integer term (20.2.3: ZeroOp, OneOp, OnesOp or a Byte/Word/DWord/QWord constant) at
 * p. Returns the bytes it occupies, 0 when it is not an integer or runs past avail. */
static uint32_t aml_integer(const uint8_t *p, uint64_t avail, uint64_t *v) {
    uint32_t size;

    if (avail == 0) {
        return 0;
    }
    switch (p[0]) {
    case AML_ZERO_OP:
        *v = 0;
        return 1;
    case AML_ONE_OP:
        *v = 1;
        return 1;
    case AML_ONES_OP:
        *v = UINT64_MAX;
        return 1;
    case AML_BYTE_PREFIX:
        size = 1;
        break;
    case AML_WORD_PREFIX:
        size = 2;
        break;
    case AML_DWORD_PREFIX:
        size = 4;
        break;
    case AML_QWORD_PREFIX:
        size = 8;
        break;
    default:
        return 0;
    }
    if (avail < 1 + (uint64_t)size) {
        return 0;
    }
    *v = 0;
    for (uint32_t i = 0; i < size; i++) {
        *v |= (uint64_t)p[1 + i] << (8 * i);
    }
    return 1 + size;
}

/*
 * Decodes the Package at p (the byte after the name). ERR_NOT_FOUND when p is not a
 * PackageOp (the name was something else); ERR_BAD_FORMAT when the package is truncated,
 * empty or does not start with usable SLP_TYP integers. A one-element package carries
 * SLP_TYPa in bits 0-7 and SLP_TYPb in bits 8-15, as ACPICA reads it.
 */
static status_t s5_package(const uint8_t *p, uint64_t avail, uint8_t *typa, uint8_t *typb) {
    uint64_t plen, a, b;

    if (avail == 0 || p[0] != AML_PACKAGE_OP) {
        return ERR_NOT_FOUND;
    }
    uint32_t nb = pkg_length(p + 1, avail - 1, &plen);
    if (nb == 0 || plen > avail - 1 || plen < (uint64_t)nb + 1) {
        return ERR_BAD_FORMAT;
    }
    /* The package occupies p[1 .. 1 + plen); NumElements follows the PkgLength. */
    const uint8_t *q = p + 1 + nb;
    uint64_t left = plen - nb - 1;
    uint8_t nelem = p[1 + nb];
    if (nelem == 0) {
        return ERR_BAD_FORMAT;
    }
    uint32_t used = aml_integer(q + 1, left, &a);
    if (used == 0) {
        return ERR_BAD_FORMAT;
    }
    if (nelem == 1) {
        b = (a >> 8) & 0xff;
        a &= 0xff;
    } else if (aml_integer(q + 1 + used, left - used, &b) == 0) {
        return ERR_BAD_FORMAT;
    }
    if (a > SLP_TYP_MAX || b > SLP_TYP_MAX) {
        return ERR_BAD_FORMAT;
    }
    *typa = (uint8_t)a;
    *typb = (uint8_t)b;
    return STATUS_OK;
}

/* True when the NameSeg at aml[i] is the name of a NameOp: NameOp, then optionally a
 * RootChar or ParentPrefixChars (20.2.2), then the segment. */
static bool named_by_name_op(const uint8_t *aml, uint64_t i) {
    if (i > 0 && aml[i - 1] == AML_ROOT_CHAR) {
        i--;
    } else {
        while (i > 0 && aml[i - 1] == AML_PARENT_PREFIX) {
            i--;
        }
    }
    return i > 0 && aml[i - 1] == AML_NAME_OP;
}

/*
 * A byte scan, not a parse: every "_S5_" NameSeg defined by a NameOp is tried in order and
 * the first well-formed package wins. ERR_BAD_FORMAT only when some candidate was a
 * malformed package and none was good.
 */
status_t acpi_find_s5(const uint8_t *aml, uint64_t len, uint8_t *typa, uint8_t *typb) {
    status_t result = ERR_NOT_FOUND;

    if (aml == NULL || typa == NULL || typb == NULL) {
        return ERR_NOT_FOUND;
    }
    for (uint64_t i = 0; len >= 4 && i <= len - 4; i++) {
        if (memcmp(aml + i, "_S5_", 4) != 0 || !named_by_name_op(aml, i)) {
            continue;
        }
        status_t st = s5_package(aml + i + 4, len - i - 4, typa, typb);
        if (st == STATUS_OK) {
            return STATUS_OK;
        }
        if (st == ERR_BAD_FORMAT) {
            result = ERR_BAD_FORMAT;
        }
    }
    return result;
}
