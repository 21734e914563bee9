/*
 * ktests and benchmarks for cross-core primitives: TLB shootdown, and (bench_sched, run
 * only when named) the cycle costs the interrupts/SMP issue asks to report.
 */
#include <arch/cpu.h>
#include <arch/mmu.h>
#include <arch/smp.h>
#include <kernel/cpu.h>
#include <kernel/kprintf.h>
#include <ktest/ktest.h>
#include <mm/physmap.h>
#include <mm/pmm.h>
#include <mm/vm.h>
#include <sched/sched.h>

static volatile uint64_t shoot_va;
static uint64_t shoot_seen[MAX_CPUS];

static void read_page(void *arg) {
    (void)arg;
    shoot_seen[this_cpu()->index] = *(volatile uint64_t *)shoot_va;
}

KTEST(tlb_shootdown_every_core) {
    uint64_t top = vm_stack_alloc(PAGE_SIZE); /* a fresh, 4 KiB-mapped kernel page */
    KT_ASSERT(top != 0);
    shoot_va = top - PAGE_SIZE;
    uint64_t frame_a = pmm_alloc(0), frame_b = pmm_alloc(0);
    KT_ASSERT(frame_a && frame_b);
    *(uint64_t *)phys_to_virt(frame_a) = 0xaaaaaaaaaaaaaaaaull;
    *(uint64_t *)phys_to_virt(frame_b) = 0xbbbbbbbbbbbbbbbbull;
    uint64_t old = 0;
    KT_ASSERT_EQ(pt_query(vm_kernel(), shoot_va, &old, NULL, NULL), STATUS_OK);
    uint64_t all = cpu_count >= 64 ? ~0ull : (1ull << cpu_count) - 1;
    uint64_t flags = PTE_W | (cpu_features.nx ? PTE_NX : 0); /* NX is reserved without NX */

    KT_ASSERT_EQ(pt_unmap(vm_kernel(), shoot_va, NULL), STATUS_OK);
    KT_ASSERT_EQ(pt_map(vm_kernel(), shoot_va, frame_a, PAGE_SIZE, flags, PAGE_SIZE), STATUS_OK);
    tlb_shootdown(all, shoot_va, 1);
    for (uint32_t i = 0; i < cpu_count; i++) { /* every core now caches va -> A */
        smp_call(i, read_page, NULL, true);
        KT_ASSERT_EQ(shoot_seen[i], 0xaaaaaaaaaaaaaaaaull);
    }
    KT_ASSERT_EQ(pt_unmap(vm_kernel(), shoot_va, NULL), STATUS_OK);
    KT_ASSERT_EQ(pt_map(vm_kernel(), shoot_va, frame_b, PAGE_SIZE, flags, PAGE_SIZE), STATUS_OK);
    tlb_shootdown(all, shoot_va, 1);
    for (uint32_t i = 0; i < cpu_count; i++) { /* and must see B after the shootdown */
        smp_call(i, read_page, NULL, true);
        KT_ASSERT_EQ(shoot_seen[i], 0xbbbbbbbbbbbbbbbbull);
    }
    pmm_free(frame_a, 0); /* the page keeps frame B; its first frame is returned */
    pmm_free(old, 0);
}

/* --- bench_sched: cycles (TSC) per operation, median of 5 rounds --------------------- */

#define BENCH_N 20000
static cont_t bench_cont;
static _Atomic uint64_t bench_left;

static void bench_respawn(cont_t *self) {
    if (atomic_fetch_sub(&bench_left, 1) > 1) {
        sched_spawn(self); /* spawn + run of one continuation, again and again */
    }
}

static bool bench_done(void *arg) {
    (void)arg;
    return atomic_load(&bench_left) == 0;
}

static uint64_t bench_spawn_run(void) {
    atomic_store(&bench_left, BENCH_N);
    cont_init(&bench_cont, bench_respawn, NULL);
    uint64_t t0 = rdtsc();
    sched_spawn(&bench_cont);
    sched_run_until(bench_done, NULL);
    return (rdtsc() - t0) / BENCH_N;
}

static deque_t bench_deque;
static _Atomic(void *) bench_slots[BENCH_N < 4096 ? 4096 : 32768];
static uint64_t bench_steal_cycles;

static void bench_fill(void) {
    deque_init(&bench_deque, bench_slots, sizeof(bench_slots) / sizeof(bench_slots[0]));
    for (uint64_t i = 1; i <= BENCH_N; i++) {
        deque_push(&bench_deque, (void *)i);
    }
}

static void bench_steal_all(void *arg) {
    (void)arg;
    void *item;
    uint64_t t0 = rdtsc();
    while (deque_steal(&bench_deque, &item) != ERR_NOT_FOUND) {
    }
    bench_steal_cycles = (rdtsc() - t0) / BENCH_N;
}

static void bench_noop(void *arg) {
    (void)arg;
}

static uint64_t bench_ipi(uint32_t target) {
    uint64_t t0 = rdtsc();
    for (int i = 0; i < 2000; i++) {
        smp_call(target, bench_noop, NULL, true);
    }
    return (rdtsc() - t0) / 2000;
}

static uint64_t bench_steal_local(void) {
    bench_fill();
    bench_steal_all(NULL);
    return bench_steal_cycles;
}

static uint64_t bench_steal_remote(void) {
    bench_fill(); /* written by this core: the thief's loads miss in its cache */
    smp_call(cpu_count > 1 ? 1 : 0, bench_steal_all, NULL, true);
    return bench_steal_cycles;
}

static uint64_t bench_ipi_core1(void) {
    return bench_ipi(1);
}

KTEST_MANUAL(bench_sched) {
    kprintf("bench: TSC cycles per operation, median of 5 rounds, %u core(s)\n", cpu_count);
    kprintf("bench: spawn_and_run_local %lu\n", ktest_median5(bench_spawn_run));
    kprintf("bench: steal_uncontended_same_core %lu\n", ktest_median5(bench_steal_local));
    if (cpu_count > 1) {
        kprintf("bench: steal_from_other_core %lu\n", ktest_median5(bench_steal_remote));
        kprintf("bench: ipi_round_trip %lu\n", ktest_median5(bench_ipi_core1));
    }
    KT_ASSERT(cpu_count >= 1);
}
