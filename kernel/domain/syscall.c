/*
 * The synchronous trap set (exo/syscall.h). Each call decodes first (copies its arguments
 * in from user memory and checks all of them; may fail with a specific error) and then
 * invokes. Calls that suspend or end the caller leave through ucont_leave; the rest
 * return, and the SYSCALL path resumes the user with the result in %rax.
 */
#include <arch/user.h>
#include <dev/clock.h>
#include <dev/console.h>
#include <domain/ucont.h>
#include <exo/syscall.h>
#include <kernel/cpu.h>
#include <kernel/kprintf.h>
#include <kernel/panic.h>
#include <kernel/string.h>
#include <mm/region.h>
#include <mm/uaccess.h>
#include <stdatomic.h>

#define DEBUG_WRITE_MAX 4096
#define DEBUG_WRITE_CHUNK 256

static int64_t sys_debug_write(uint64_t ptr, uint64_t len) {
    if (len > DEBUG_WRITE_MAX) {
        return ERR_TOO_BIG;
    }
    char buf[DEBUG_WRITE_CHUNK];
    for (uint64_t done = 0; done < len;) {
        uint64_t n = len - done < sizeof(buf) ? len - done : sizeof(buf);
        status_t st = copy_from_user(buf, ptr + done, n);
        if (st != STATUS_OK) {
            return done ? (int64_t)done : st;
        }
        console_write(buf, n);
        done += n;
    }
    return (int64_t)len;
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

static int64_t sys_region_alloc(ucont_t *self, uint64_t size, uint64_t prot) {
    uint32_t all = EXO_PROT_READ | EXO_PROT_WRITE | EXO_PROT_EXEC;
    if (size == 0 || prot == 0 || (prot & ~(uint64_t)all)) {
        return ERR_INVALID;
    }
    if ((prot & EXO_PROT_WRITE) && (prot & EXO_PROT_EXEC)) {
        return ERR_PERM; /* W^X for user memory too */
    }
    if (size > REGION_MAX_SIZE) {
        return ERR_TOO_BIG;
    }
    region_t *r;
    status_t st = region_create(size, &r);
    if (st != STATUS_OK) {
        return st;
    }
    st = view_attach(&self->dom->view, r, r->base, r->base + r->size, (uint32_t)prot, false);
    uint64_t base = r->base;
    region_unref(r); /* the view's reference keeps it while the domain lives */
    return st == STATUS_OK ? (int64_t)base : st;
}

typedef struct start_args {
    char name[DOMAIN_NAME_MAX];
    uint64_t name_len;
    char args[EXO_ARGS_MAX];
    uint64_t args_len;
    uint64_t info_ptr;
} start_args_t;

static status_t decode_domain_start(const user_regs_t *tf, start_args_t *a) {
    a->name_len = user_regs_arg(tf, 1);
    a->args_len = user_regs_arg(tf, 3);
    a->info_ptr = user_regs_arg(tf, 4);
    if (a->name_len == 0 || a->name_len >= sizeof(a->name) || a->args_len >= sizeof(a->args)) {
        return ERR_TOO_BIG;
    }
    status_t st = copy_from_user(a->name, user_regs_arg(tf, 0), a->name_len);
    if (st == STATUS_OK) {
        st = copy_from_user(a->args, user_regs_arg(tf, 2), a->args_len);
    }
    exo_domain_info_t probe = {0};
    if (st == STATUS_OK) { /* the result must be deliverable before anything starts */
        st = copy_to_user(a->info_ptr, &probe, sizeof(probe));
    }
    a->name[a->name_len] = '\0';
    a->args[a->args_len] = '\0';
    return st;
}

static int64_t sys_domain_start(ucont_t *self, const user_regs_t *tf) {
    start_args_t a;
    status_t st = decode_domain_start(tf, &a);
    if (st != STATUS_OK) {
        return st;
    }
    domain_t *child;
    const char *why = "";
    st = domain_spawn_module(a.name, a.name_len, a.args, a.args_len, self->dom->id, &child, &why);
    if (st != STATUS_OK) {
        kprintf("domain: %s (domain %lu) cannot start \"%s\": %s: %s\n", self->dom->name,
                self->dom->id, a.name, status_str(st), why);
        return st;
    }
    exo_domain_info_t info = {.id = child->id, /* immutable fields: the child may end */
                              .image_base = child->image_base,
                              .image_size = child->image_size,
                              .entry = child->entry};
    copy_to_user(a.info_ptr, &info, sizeof(info)); /* probed writable in decode */
    return (int64_t)info.id;
}

static int64_t sys_domain_wait(ucont_t *self, user_regs_t *tf, uint64_t id) {
    domain_t *child = domain_lookup(id);
    if (child == NULL) {
        return ERR_NOT_FOUND;
    }
    status_t st = domain_claim_child(child, self->dom->id);
    if (st != STATUS_OK) {
        domain_release(child);
        return st;
    }
    domain_release(child); /* the lookup's; the parent's reference is ours now */
    self->waiting = child;
    ucont_leave(self, tf, UCONT_WAIT); /* resumes with the child's status in %rax */
}

void syscall_dispatch(user_regs_t *tf) {
    ucont_t *self = ucont_current();
    ASSERT(self != NULL);
    int64_t ret;
    switch (user_regs_number(tf)) {
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
    case SYS_DEBUG_WRITE:
        ret = sys_debug_write(user_regs_arg(tf, 0), user_regs_arg(tf, 1));
        break;
    case SYS_REGION_ALLOC:
        ret = sys_region_alloc(self, user_regs_arg(tf, 0), user_regs_arg(tf, 1));
        break;
    case SYS_CLOCK:
        ret = (int64_t)clock_ns();
        break;
    case SYS_CPU:
        ret = this_cpu()->index;
        break;
    case SYS_DOMAIN_START:
        ret = sys_domain_start(self, tf);
        break;
    case SYS_DOMAIN_WAIT:
        ret = sys_domain_wait(self, tf, user_regs_arg(tf, 0));
        break;
    default:
        ret = ERR_UNSUPPORTED;
        break;
    }
    user_regs_set_result(tf, (uint64_t)ret);
    if (atomic_load(&self->dom->dying)) {
        ucont_leave(self, tf, UCONT_END); /* killed from another core meanwhile */
    }
    if (tf->rip >= USER_ADDR_LIMIT) { /* only a SYSCALL at the very top of the user half */
        kprintf("fault: domain %lu (%s) continuation %lu: return address 0x%lx is not "
                "canonical: domain killed\n",
                self->dom->id, self->dom->name, self->id, tf->rip);
        domain_kill(self->dom, EXO_EXIT_FAULT);
        ucont_leave(self, tf, UCONT_END);
    }
}
