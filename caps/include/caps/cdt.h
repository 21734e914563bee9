/*
 * The capability derivation tree (as in seL4): every cap made from another (derive, copy
 * into another domain, a region allocated from a memory cap) is that cap's child; revoking
 * a cap deletes all its descendants, in every cspace. Pure logic over cap_slot_t links;
 * the caller serialises (caps_lock). Children are kept in creation order.
 */
#pragma once

#include <caps/cspace.h>
#include <stdbool.h>

/* Links LIVE root child (no parent) as the last child of LIVE parent. */
void cdt_attach(cap_slot_t *parent, cap_slot_t *child);
/* Unlinks s from its parent and siblings and hands its children to its parent (or makes
 * them roots), keeping their order in place of s. s ends with no links. */
void cdt_detach(cap_slot_t *s);
/* Replaces old by new in the tree (same parent, same place among siblings, same
 * children); old ends with no links. new must have no links. */
void cdt_replace(cap_slot_t *old, cap_slot_t *new_slot);

/* A descendant of s with no children (a leaf), NULL if s has none: revoke deletes these
 * one by one, so nothing is re-parented on the way. */
cap_slot_t *cdt_leaf_descendant(const cap_slot_t *s);
/* True if anc is d's parent, grandparent, ... (not d itself). */
bool cdt_is_ancestor(const cap_slot_t *anc, const cap_slot_t *d);
/* Number of descendants of s (walks the subtree; tests and stats). */
uint64_t cdt_count_descendants(const cap_slot_t *s);
