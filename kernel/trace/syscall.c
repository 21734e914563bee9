/*
 * SYS_TRACE (exo/syscall.h, exo/trace.h): kernel tracing for holders of the trace cap.
 * decode: the operation, the right it needs, the user structure and its arrays (checked
 * against the user limit before anything is written); invoke: switch, or copy records out
 * in small batches built in kernel memory, never holding a lock across a user copy.
 */
#include <arch/cpu.h>
#include <caps/cap.h>
#include <dev/clock.h>
#include <domain/domain.h>
#include <domain/ucont.h>
#include <domain/watchdog.h>
#include <kernel/cpu.h>
#include <mm/uaccess.h>
#include <trace/trace.h>

#define READ_BATCH 16 /* records per copy to user memory (512 bytes of stack) */

static status_t decode_cap(domain_t *d, exo_handle_t h, uint32_t right) {
    bool irq = caps_lock();
    cap_slot_t *s;
    status_t st = cap_decode(d, h, CAP_TRACE, right, &s);
    caps_unlock(irq);
    return st;
}

/* A drain takes about a second a core's full buffer on an emulated serial port: kernel
 * work for the machine's owner, not the calling continuation's CPU, so its watchdog
 * budget (domain/watchdog.h) starts again afterwards. */
static void budget_restart(void) {
    ucont_t *u = ucont_current();
    if (u != NULL) {
        bool irq = irq_save();
        watchdog_disarm(this_cpu());
        watchdog_arm(this_cpu(), u);
        irq_restore(irq);
    }
}

static int64_t trace_info(uint64_t ptr) {
    exo_trace_info_t info = {.enabled = trace_on(),
                             .ncpus = trace_ncpus(),
                             .records = trace_records(),
                             .rec_size = sizeof(exo_trace_rec_t),
                             .tsc_hz = clock_tsc_hz(),
                             .tsc_boot = clock_tsc_boot()};
    return copy_to_user(ptr, &info, sizeof(info));
}

static int64_t trace_read(uint64_t ptr) {
    /* decode */
    exo_trace_read_t req;
    status_t st = copy_from_user(&req, ptr, sizeof(req));
    if (st != STATUS_OK) {
        return st;
    }
    if (req.reserved != 0) {
        return ERR_INVALID;
    }
    if (req.cpu >= trace_ncpus()) {
        return ERR_RANGE;
    }
    if (req.max > EXO_TRACE_READ_MAX) {
        return ERR_TOO_BIG;
    }
    if (!user_array_ok(req.recs, req.max, sizeof(exo_trace_rec_t))) {
        return ERR_FAULT;
    }
    /* invoke: the numbers from `from` (or the oldest held) up to the head seen now */
    tbuf_t *b = trace_buf(req.cpu);
    uint64_t head = b ? tbuf_head(b) : 0, oldest = b ? tbuf_oldest(b) : 0;
    uint64_t n = req.from > oldest ? req.from : oldest;
    n = n < head ? n : head;
    uint64_t lost = n > req.from ? n - req.from : 0;
    uint32_t written = 0, fill = 0;
    exo_trace_rec_t batch[READ_BATCH];
    for (; n < head && written + fill < req.max; n++) {
        if (!tbuf_read(b, n, &batch[fill])) {
            lost++;
            continue;
        }
        if (++fill == READ_BATCH) {
            st = copy_to_user(req.recs + written * sizeof(batch[0]), batch, sizeof(batch));
            if (st != STATUS_OK) {
                return st;
            }
            written += fill;
            fill = 0;
        }
    }
    if (fill) {
        st = copy_to_user(req.recs + written * sizeof(batch[0]), batch, fill * sizeof(batch[0]));
        if (st != STATUS_OK) {
            return st;
        }
        written += fill;
    }
    req.from = n;
    req.head = head;
    req.oldest = oldest;
    req.n = written;
    req.lost = lost > UINT32_MAX ? UINT32_MAX : (uint32_t)lost;
    st = copy_to_user(ptr, &req, sizeof(req));
    return st != STATUS_OK ? st : (int64_t)written;
}

int64_t sys_trace(domain_t *d, exo_handle_t h, uint64_t op, uint64_t arg) {
    uint32_t right;
    switch (op) {
    case EXO_TRACE_OP_ON:
    case EXO_TRACE_OP_OFF:
    case EXO_TRACE_OP_CLEAR:
        right = CAP_RIGHT_TRACE_CONTROL;
        if (arg != 0) {
            return ERR_INVALID;
        }
        break;
    case EXO_TRACE_OP_INFO:
    case EXO_TRACE_OP_READ:
        right = CAP_RIGHT_TRACE_READ;
        break;
    case EXO_TRACE_OP_DRAIN:
        right = CAP_RIGHT_TRACE_CONTROL | CAP_RIGHT_TRACE_READ;
        if (arg != 0) {
            return ERR_INVALID;
        }
        break;
    default:
        return ERR_INVALID;
    }
    status_t st = decode_cap(d, h, right);
    if (st != STATUS_OK) {
        return st;
    }
    switch (op) {
    case EXO_TRACE_OP_ON:
        return trace_start();
    case EXO_TRACE_OP_OFF:
        trace_stop();
        return 0;
    case EXO_TRACE_OP_CLEAR:
        trace_clear();
        return 0;
    case EXO_TRACE_OP_INFO:
        return trace_info(arg);
    case EXO_TRACE_OP_DRAIN: {
        bool was_on = trace_on();
        int64_t n = (int64_t)trace_drain_serial("syscall");
        budget_restart();
        return was_on && trace_start() != STATUS_OK ? ERR_NO_MEMORY : n;
    }
    default:
        return trace_read(arg);
    }
}
