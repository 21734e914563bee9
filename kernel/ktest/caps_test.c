/*
 * ktests for the kernel's capability layer below the traps: memory budgets charged and
 * given back by regions and splits, and a revoke that takes a region out of the views of
 * every domain holding a copy (the in-OS side, with user code running, is init's `caps`
 * and `revoke` scenarios).
 */
#include <arch/mmu.h>
#include <caps/cap.h>
#include <caps/cdt.h>
#include <domain/domain.h>
#include <exo/syscall.h>
#include <ktest/ktest.h>
#include <mm/budget.h>
#include <mm/heap.h>
#include <mm/region.h>

KTEST(caps_budget_charges_and_returns) {
    uint64_t live = budget_live();
    budget_t *root, *child;
    KT_ASSERT_EQ(budget_create_root(1 << 20, &root), STATUS_OK);
    region_t *a, *b;
    KT_ASSERT_EQ(region_create(root, 100, &a), STATUS_OK); /* charged a whole page */
    KT_ASSERT_EQ(root->used, PAGE_SIZE);
    KT_ASSERT_EQ(region_create(root, 1 << 20, &b), ERR_QUOTA);
    KT_ASSERT_EQ(budget_split(root, 1 << 20, &child), ERR_QUOTA);
    KT_ASSERT_EQ(budget_split(root, 0, &child), ERR_INVALID);
    KT_ASSERT_EQ(budget_split(root, 512 << 10, &child), STATUS_OK);
    KT_ASSERT_EQ(root->used, PAGE_SIZE + (512 << 10));
    KT_ASSERT_EQ(region_create(child, 512 << 10, &b), STATUS_OK);
    KT_ASSERT_EQ(region_create(child, 1, NULL), ERR_QUOTA); /* fails before using out */
    budget_unref(child); /* b still holds it, and it holds its share of root */
    KT_ASSERT_EQ(root->used, PAGE_SIZE + (512 << 10));
    region_unref(b); /* the child's last reference: its 512 KiB go back to root */
    KT_ASSERT_EQ(root->used, PAGE_SIZE);
    region_unref(a);
    KT_ASSERT_EQ(root->used, 0);
    budget_unref(root);
    KT_ASSERT_EQ(budget_live(), live);
}

/* Under caps_lock: a copy of src (a child) in d's table, mapped there like an arrival. */
static cap_slot_t *copy_into(domain_t *d, cap_slot_t *src) {
    cap_slot_t *s;
    if (cap_reserve(d, &s) != STATUS_OK) {
        return NULL;
    }
    cap_install_ref(s, src->type, src->rights, src->obj, src);
    cap_map_arrival(s);
    return s;
}

KTEST(caps_revoke_unmaps_every_copy) {
    const void *elf;
    uint64_t size;
    KT_ASSERT_EQ(module_find("true", 4, &elf, &size), STATUS_OK);
    uint64_t caps_before = caps_live();
    domain_t *d[3];
    for (int i = 0; i < 3; i++) {
        KT_ASSERT_EQ(domain_create("true", elf, size, NULL, 0, &d[i], NULL), STATUS_OK);
    }
    region_t *r;
    KT_ASSERT_EQ(region_create(NULL, 8 * PAGE_SIZE, &r), STATUS_OK);
    bool irq = caps_lock();
    cap_slot_t *orig, *copies[2];
    KT_ASSERT_EQ(cap_reserve(d[0], &orig), STATUS_OK);
    cap_install_take(orig, CAP_REGION, CAP_RIGHT_READ | CAP_RIGHT_GRANT, r, NULL);
    copies[0] = copy_into(d[1], orig);
    copies[1] = copy_into(d[2], copies[0]); /* a grandchild */
    exo_handle_t h = cap_handle(orig);
    caps_unlock(irq);
    KT_ASSERT(copies[0] != NULL && copies[1] != NULL);
    KT_ASSERT(copies[0]->mapped && copies[1]->mapped);
    KT_ASSERT_EQ(caps_live(), caps_before + 6 + 3); /* image + stack each, and ours */
    for (int i = 1; i < 3; i++) {
        KT_ASSERT_EQ(view_fault(&d[i]->view, r->base + PAGE_SIZE, EXO_PROT_READ), STATUS_OK);
        KT_ASSERT_EQ(view_fault(&d[i]->view, r->base, EXO_PROT_WRITE), ERR_PERM);
    }
    KT_ASSERT_EQ(view_fault(&d[0]->view, r->base, EXO_PROT_READ), ERR_NOT_FOUND);
    uint64_t n;
    KT_ASSERT_EQ(cap_revoke(d[0], h, &n), STATUS_OK);
    KT_ASSERT_EQ(n, 2);
    for (int i = 1; i < 3; i++) {
        KT_ASSERT_EQ(view_fault(&d[i]->view, r->base + PAGE_SIZE, EXO_PROT_READ), ERR_NOT_FOUND);
        KT_ASSERT_EQ(d[i]->view.mapped, d[0]->view.mapped); /* image and stack pages only */
    }
    KT_ASSERT_EQ(cap_delete(d[0], h), STATUS_OK);
    KT_ASSERT_EQ(cap_delete(d[0], h), ERR_STALE);
    KT_ASSERT_EQ(caps_live(), caps_before + 6);
    for (int i = 0; i < 3; i++) {
        domain_release(d[i]);
    }
    KT_ASSERT_EQ(caps_live(), caps_before);
}
