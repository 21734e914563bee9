/*
 * The synchronous trap set (exo/syscall.h). Each call decodes first (copies its arguments
 * in from user memory and checks all of them; may fail with a specific error) and then
 * invokes. Calls that suspend or end the caller leave through ucont_leave; the rest
 * return, and the SYSCALL path resumes the user with the result in %rax.
 */
#include <arch/user.h>
#include <caps/cap.h>
#include <caps/ops.h>
#include <dev/clock.h>
#include <dev/console.h>
#include <dev/power.h>
#include <dev/realtime.h>
#include <domain/contobj.h>
#include <domain/spawn.h>
#include <domain/syscall.h>
#include <domain/ucont.h>
#include <exo/syscall.h>
#include <ipc/ipc.h>
#include <kernel/cpu.h>
#include <kernel/kprintf.h>
#include <kernel/panic.h>
#include <kernel/string.h>
#include <mm/heap.h>
#include <mm/pmm.h>
#include <mm/region.h>
#include <mm/uaccess.h>
#include <rings/ring.h>
#include <stdatomic.h>
#include <trace/trace.h>

#define CONSOLE_WRITE_MAX 4096
#define CONSOLE_WRITE_CHUNK 256
#define CONSOLE_READ_MAX 4096
#define CONSOLE_READ_CHUNK 256

int64_t sys_console_write(domain_t *d, exo_handle_t h, uint64_t ptr, uint64_t len) {
    bool irq = caps_lock();
    cap_slot_t *s;
    status_t st = cap_decode(d, h, CAP_CONSOLE, CAP_RIGHT_WRITE, &s);
    caps_unlock(irq);
    if (st != STATUS_OK) {
        return st;
    }
    if (len > CONSOLE_WRITE_MAX) {
        return ERR_TOO_BIG;
    }
    char buf[CONSOLE_WRITE_CHUNK];
    for (uint64_t done = 0; done < len;) {
        uint64_t n = len - done < sizeof(buf) ? len - done : sizeof(buf);
        st = copy_from_user(buf, ptr + done, n);
        if (st != STATUS_OK) {
            return done ? (int64_t)done : st;
        }
        console_write(buf, n);
        done += n;
    }
    return (int64_t)len;
}

static int64_t sys_sysinfo(uint64_t ptr) {
    exo_sysinfo_t info;
    pmm_stats_t p;
    heap_stats_t h;
    region_stats_t r;
    domain_stats_t d;
    pmm_get_stats(&p);
    heap_get_stats(&h);
    region_get_stats(&r);
    domain_get_stats(&d);
    info = (exo_sysinfo_t){.free_frames = p.free_frames,
                           .heap_objects = h.live_objects,
                           .heap_bytes = h.live_bytes,
                           .heap_pages = h.pages,
                           .regions = r.live,
                           .caps = caps_live(),
                           .rings = rings_live(),
                           .domains = d.live};
    return copy_to_user(ptr, &info, sizeof(info));
}

/* Takes what is buffered now, up to len bytes; never waits. The whole user range is
 * checked before any byte leaves the buffer; a fault while copying out (an unmapped page
 * inside it) loses the chunk in flight, and returns what was copied before, or ERR_FAULT. */
int64_t sys_console_read(domain_t *d, exo_handle_t h, uint64_t ptr, uint64_t len) {
    bool irq = caps_lock();
    cap_slot_t *s;
    status_t st = cap_decode(d, h, CAP_CONSOLE, CAP_RIGHT_READ, &s);
    caps_unlock(irq);
    if (st != STATUS_OK) {
        return st;
    }
    if (len > CONSOLE_READ_MAX) {
        return ERR_TOO_BIG;
    }
    if (ptr >= USER_ADDR_LIMIT || len > USER_ADDR_LIMIT - ptr) {
        return ERR_FAULT;
    }
    char buf[CONSOLE_READ_CHUNK];
    uint64_t done = 0;
    while (done < len) {
        uint64_t want = len - done < sizeof(buf) ? len - done : sizeof(buf);
        uint64_t got = console_read(buf, want);
        if (got == 0) {
            break;
        }
        st = copy_to_user(ptr + done, buf, got);
        if (st != STATUS_OK) {
            return done ? (int64_t)done : st;
        }
        done += got;
        if (got < want) {
            break; /* the buffer ran dry */
        }
    }
    return (int64_t)done;
}

static int64_t sys_spawn(ucont_t *self, uint64_t entry, uint64_t arg, uint64_t stack_top) {
    if (entry >= USER_ADDR_LIMIT || stack_top >= USER_ADDR_LIMIT || (stack_top & 15)) {
        return ERR_RANGE; /* decode: a continuation starts at user addresses only */
    }
    ucont_t *u;
    status_t st = ucont_create(self->dom, entry, stack_top, arg, 0, &u);
    if (st != STATUS_OK) {
        return st;
    }
    int64_t id = (int64_t)u->id;
    sched_spawn(&u->k);
    return id;
}

status_t domain_from_cap(domain_t *self, exo_handle_t h, uint32_t rights, domain_t **out) {
    bool irq = caps_lock();
    cap_slot_t *s;
    status_t st = cap_decode(self, h, CAP_DOMAIN, rights, &s);
    if (st == STATUS_OK) {
        *out = s->obj;
        domain_ref(*out);
    }
    caps_unlock(irq);
    return st;
}

static void domain_wait_arm(ucont_t *u) {
    domain_t *child = u->wait_obj;
    u->wait_ev = &child->ended_ev;
    event_wait(&child->ended_ev, &u->k);
}

static bool domain_wait_resume(ucont_t *u) {
    domain_t *child = u->wait_obj;
    user_regs_set_result(&u->regs, (uint64_t)child->status);
    domain_release(child);
    u->wait_obj = NULL;
    return true;
}

static const ucont_wait_ops_t domain_wait_ops = {domain_wait_arm, domain_wait_resume};

static int64_t sys_domain_wait(ucont_t *self, user_regs_t *tf, exo_handle_t h) {
    domain_t *child;
    status_t st = domain_from_cap(self->dom, h, CAP_RIGHT_DOMAIN_WAIT, &child);
    if (st != STATUS_OK) {
        return st;
    }
    if (child == self->dom) {
        domain_release(child);
        return ERR_STATE; /* it would wait for its own end */
    }
    self->wait = &domain_wait_ops;
    self->wait_obj = child;
    ucont_leave(self, tf, UCONT_WAIT); /* resumes with the child's status in %rax */
}

static int64_t sys_domain_kill(ucont_t *self, exo_handle_t h) {
    domain_t *d;
    status_t st = domain_from_cap(self->dom, h, CAP_RIGHT_DOMAIN_KILL, &d);
    if (st != STATUS_OK) {
        return st;
    }
    domain_kill(d, EXO_EXIT_KILLED);
    domain_release(d);
    return 0;
}

/* decode: the operation and the right it needs on a power cap; invoke never returns. */
static int64_t sys_power(domain_t *d, exo_handle_t h, uint64_t op) {
    uint32_t right;
    if (op == EXO_POWER_OFF) {
        right = CAP_RIGHT_POWER_OFF;
    } else if (op == EXO_POWER_REBOOT) {
        right = CAP_RIGHT_POWER_REBOOT;
    } else {
        return ERR_INVALID;
    }
    bool irq = caps_lock();
    cap_slot_t *s;
    status_t st = cap_decode(d, h, CAP_POWER, right, &s);
    caps_unlock(irq);
    if (st != STATUS_OK) {
        return st;
    }
    kprintf("power: domain %lu (%s) asked for %s\n", d->id, d->name,
            op == EXO_POWER_OFF ? "power-off" : "a reboot");
    if (op == EXO_POWER_OFF) {
        power_off();
    }
    power_reboot();
}

/* The capability traps: caps/ops.h. */
static int64_t cap_call(domain_t *d, const user_regs_t *tf, uint64_t nr) {
    uint64_t a0 = user_regs_arg(tf, 0), a1 = user_regs_arg(tf, 1), a2 = user_regs_arg(tf, 2),
             a3 = user_regs_arg(tf, 3);
    switch (nr) {
    case SYS_REGION_ALLOC:
        return sys_region_alloc(d, a0, a1, a2, a3);
    case SYS_CAP_DERIVE:
        return sys_cap_derive(d, a0, a1);
    case SYS_CAP_TRANSFER:
        return sys_cap_transfer(d, a0, a1, a2, a3);
    case SYS_CAP_DELETE:
        return sys_cap_delete(d, a0);
    case SYS_CAP_REVOKE:
        return sys_cap_revoke(d, a0);
    case SYS_CAP_INFO:
        return sys_cap_info(d, a0, a1);
    case SYS_REGION_MAP:
        return sys_region_map(d, a0, a1);
    case SYS_REGION_UNMAP:
        return sys_region_unmap(d, a0);
    case SYS_MEMORY_SPLIT:
        return sys_memory_split(d, a0, a1);
    case SYS_REGION_PROTECT:
        return sys_region_protect(d, a0, a1);
    case SYS_RING_CREATE:
        return sys_ring_create(d, a0, a1);
    case SYS_CONT_SPAWN:
        return sys_cont_spawn(d, a0, a1, a2);
    case SYS_CONT_CANCEL:
        return sys_cont_cancel(d, a0);
    case SYS_ENDPOINT_CREATE:
        return sys_endpoint_create(d, a0, a1);
    case SYS_IPC_REPLY:
        return sys_ipc_reply(d, a0, a1);
    case SYS_CAP_MINT:
        return sys_cap_mint(d, a0, a1, a2);
    case SYS_CAP_LIST:
        return sys_cap_list(d, a0, a1);
    case SYS_TRACE:
        return sys_trace(d, a0, a1, a2);
    default:
        return ERR_UNSUPPORTED;
    }
}

void syscall_dispatch(user_regs_t *tf) {
    ucont_t *self = ucont_current();
    ASSERT(self != NULL);
    uint64_t nr = user_regs_number(tf);
    trace_event(EXO_TRACE_SYSCALL, 0, (uint32_t)nr);
    int64_t ret;
    switch (nr) {
    case SYS_NULL:
        ret = 0;
        break;
    case SYS_EXIT:
        domain_kill(self->dom, (int64_t)user_regs_arg(tf, 0));
        ucont_leave(self, tf, UCONT_END);
    case SYS_CONT_EXIT:
        ucont_leave(self, tf, UCONT_END);
    case SYS_YIELD: {
        uint64_t flags = user_regs_arg(tf, 0);
        if (flags & ~(uint64_t)YIELD_MIGRATE) {
            ret = ERR_INVALID;
            break;
        }
        user_regs_set_result(tf, 0);
        bool migrate = (flags & YIELD_MIGRATE) && cpu_count > 1;
        ucont_leave(self, tf, migrate ? UCONT_MIGRATE : UCONT_YIELD);
    }
    case SYS_SPAWN:
        ret = sys_spawn(self, user_regs_arg(tf, 0), user_regs_arg(tf, 1), user_regs_arg(tf, 2));
        break;
    case SYS_CONSOLE_WRITE:
        ret = sys_console_write(self->dom, user_regs_arg(tf, 0), user_regs_arg(tf, 1),
                                user_regs_arg(tf, 2));
        break;
    case SYS_CONSOLE_READ:
        ret = sys_console_read(self->dom, user_regs_arg(tf, 0), user_regs_arg(tf, 1),
                               user_regs_arg(tf, 2));
        break;
    case SYS_CLOCK:
        ret = user_regs_arg(tf, 0) == EXO_CLOCK_MONOTONIC  ? (int64_t)clock_ns()
              : user_regs_arg(tf, 0) == EXO_CLOCK_REALTIME ? (int64_t)realtime_ns()
                                                           : ERR_INVALID;
        break;
    case SYS_CPU:
        ret = this_cpu()->index;
        break;
    case SYS_SYSINFO:
        ret = sys_sysinfo(user_regs_arg(tf, 0));
        break;
    case SYS_DOMAIN_LIST:
        ret = sys_domain_list(user_regs_arg(tf, 0));
        break;
    case SYS_MODULE_LIST:
        ret = sys_module_list(user_regs_arg(tf, 0), user_regs_arg(tf, 1));
        break;
    case SYS_POWER:
        ret = sys_power(self->dom, user_regs_arg(tf, 0), user_regs_arg(tf, 1));
        break;
    case SYS_DOMAIN_START:
        ret = sys_domain_start(self->dom, user_regs_arg(tf, 0));
        break;
    case SYS_DOMAIN_WAIT:
        ret = sys_domain_wait(self, tf, user_regs_arg(tf, 0));
        break;
    case SYS_DOMAIN_KILL:
        ret = sys_domain_kill(self, user_regs_arg(tf, 0));
        break;
    case SYS_CONT_JOIN:
        ret = sys_cont_join(self, tf, user_regs_arg(tf, 0));
        break;
    case SYS_RING_ENTER:
        ret = sys_ring_enter(self, tf, user_regs_arg(tf, 0), user_regs_arg(tf, 1),
                             user_regs_arg(tf, 2), user_regs_arg(tf, 3));
        break;
    case SYS_IPC_SEND:
        ret = sys_ipc_send(self, tf, user_regs_arg(tf, 0), user_regs_arg(tf, 1),
                           user_regs_arg(tf, 2));
        break;
    case SYS_IPC_RECV:
        ret = sys_ipc_recv(self, tf, user_regs_arg(tf, 0), user_regs_arg(tf, 1),
                           user_regs_arg(tf, 2));
        break;
    case SYS_IPC_CALL:
        ret = sys_ipc_call(self, tf, user_regs_arg(tf, 0), user_regs_arg(tf, 1),
                           user_regs_arg(tf, 2));
        break;
    case SYS_IPC_REPLY_RECV:
        ret = sys_ipc_reply_recv(self, tf, user_regs_arg(tf, 0), user_regs_arg(tf, 1),
                                 user_regs_arg(tf, 2), user_regs_arg(tf, 3));
        break;
    default:
        ret = cap_call(self->dom, tf, nr);
        break;
    }
    user_regs_set_result(tf, (uint64_t)ret);
    trace_event(EXO_TRACE_SYSRET, (uint64_t)ret, (uint32_t)nr);
    if (ucont_must_end(self)) {
        ucont_leave(self, tf, UCONT_END); /* killed or cancelled from another core meanwhile */
    }
    if (tf->rip >= USER_ADDR_LIMIT) { /* only a SYSCALL at the very top of the user half */
        kprintf("fault: domain %lu (%s) continuation %lu: return address 0x%lx is not "
                "canonical: domain killed\n",
                self->dom->id, self->dom->name, self->id, tf->rip);
        domain_kill(self->dom, EXO_EXIT_FAULT);
        ucont_leave(self, tf, UCONT_END);
    }
}
