/*
 * The capability derivation tree over cap_slot_t links: attach, detach with re-parenting,
 * in-place replacement (moves), and the walks revoke and the tests use. Pure logic; the caller
 * serialises (caps_lock). No walk recurses: trees may be thousands deep.
 */
#include <caps/cdt.h>
#include <stddef.h>

/* Invariants, between calls, for every LIVE slot s:
 *  - s->parent is NULL (s is a root) or LIVE, and following parents never cycles;
 *  - a root has no sibling links (roots are not kept in any list);
 *  - the children of s are the list s->first_child, ->next_sibling, ... (NULL-terminated),
 *    doubly linked by prev_sibling (NULL for the first), oldest first, each with parent s.
 * Attaching is O(number of siblings): the list has no tail pointer. */

void cdt_attach(cap_slot_t *parent, cap_slot_t *child) {
    child->parent = parent;
    child->next_sibling = NULL;
    cap_slot_t *last = parent->first_child;
    if (last == NULL) {
        child->prev_sibling = NULL;
        parent->first_child = child;
        return;
    }
    while (last->next_sibling != NULL) {
        last = last->next_sibling;
    }
    last->next_sibling = child;
    child->prev_sibling = last;
}

void cdt_detach(cap_slot_t *s) {
    cap_slot_t *parent = s->parent;
    cap_slot_t *first = s->first_child;
    cap_slot_t *last = NULL;
    for (cap_slot_t *c = first; c != NULL;) {
        cap_slot_t *next = c->next_sibling;
        c->parent = parent;
        if (parent == NULL) {
            c->prev_sibling = NULL;
            c->next_sibling = NULL;
        }
        last = c;
        c = next;
    }
    if (parent != NULL) {
        /* The children (first..last, still linked) take s's place; with none, s's
         * neighbours close up. */
        cap_slot_t *before = s->prev_sibling;
        cap_slot_t *after = s->next_sibling;
        cap_slot_t *head = first != NULL ? first : after;
        cap_slot_t *tail = first != NULL ? last : before;
        if (first != NULL) {
            first->prev_sibling = before;
            last->next_sibling = after;
        }
        if (before != NULL) {
            before->next_sibling = head;
        } else {
            parent->first_child = head;
        }
        if (after != NULL) {
            after->prev_sibling = tail;
        }
    }
    s->parent = NULL;
    s->first_child = NULL;
    s->next_sibling = NULL;
    s->prev_sibling = NULL;
}

void cdt_replace(cap_slot_t *old, cap_slot_t *new_slot) {
    cap_slot_t *parent = old->parent;
    new_slot->parent = parent;
    new_slot->prev_sibling = old->prev_sibling;
    new_slot->next_sibling = old->next_sibling;
    new_slot->first_child = old->first_child;
    if (old->prev_sibling != NULL) {
        old->prev_sibling->next_sibling = new_slot;
    } else if (parent != NULL) {
        parent->first_child = new_slot;
    }
    if (old->next_sibling != NULL) {
        old->next_sibling->prev_sibling = new_slot;
    }
    for (cap_slot_t *c = old->first_child; c != NULL; c = c->next_sibling) {
        c->parent = new_slot;
    }
    old->parent = NULL;
    old->first_child = NULL;
    old->next_sibling = NULL;
    old->prev_sibling = NULL;
}

cap_slot_t *cdt_leaf_descendant(const cap_slot_t *s) {
    cap_slot_t *c = s->first_child;
    if (c == NULL) {
        return NULL;
    }
    while (c->first_child != NULL) {
        c = c->first_child;
    }
    return c;
}

bool cdt_is_ancestor(const cap_slot_t *anc, const cap_slot_t *d) {
    for (const cap_slot_t *p = d->parent; p != NULL; p = p->parent) {
        if (p == anc) {
            return true;
        }
    }
    return false;
}

/* Pre-order walk of s's subtree: down first_child, along next_sibling, back up by parent
 * until a node with a next sibling or s itself. */
uint64_t cdt_count_descendants(const cap_slot_t *s) {
    uint64_t n = 0;
    const cap_slot_t *c = s->first_child;
    while (c != NULL) {
        n++;
        if (c->first_child != NULL) {
            c = c->first_child;
            continue;
        }
        while (c != s && c->next_sibling == NULL) {
            c = c->parent;
        }
        if (c == s) {
            break;
        }
        c = c->next_sibling;
    }
    return n;
}
