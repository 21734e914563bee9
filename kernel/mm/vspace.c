/*
 * Buddy allocator for virtual address space with records for free blocks only: one AVL tree
 * keyed by address, each node annotated with the orders present in its subtree. Every
 * operation is O(log n) per block split or merged (at most top_order of them).
 */
#include <exo/status.h>
#include <mm/vspace.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Bound on the tree height, hence on the link stacks below. An AVL tree of height h holds
 * at least F(h + 2) - 1 nodes (Fibonacci); the space holds at most 2^40 disjoint free blocks
 * and F(60) > 2^40, so h <= 57 and a path from the root never exceeds 64 links.
 */
#define VSPACE_DEPTH 64

_Static_assert(VSPACE_MAX_ORDER + 12 < 64, "block sizes in bytes must fit in 64 bits");

static uint64_t vspace_block_bytes(unsigned order) {
    return VSPACE_PAGE << order;
}

static uint64_t vspace_space_bytes(const vspace_t *vs) {
    return vspace_block_bytes(vs->top_order);
}

/* ---- AVL tree of free blocks ------------------------------------------------------------ */

static unsigned vspace_height(const vspace_node_t *n) {
    return n != NULL ? n->height : 0;
}

static uint64_t vspace_orders(const vspace_node_t *n) {
    return n != NULL ? n->orders : 0;
}

/* Recomputes n's height and order set from its children. */
static void vspace_node_update(vspace_node_t *n) {
    unsigned hl = vspace_height(n->left);
    unsigned hr = vspace_height(n->right);
    n->height = (uint8_t)(1 + (hl > hr ? hl : hr));
    n->orders = (1ull << n->order) | vspace_orders(n->left) | vspace_orders(n->right);
}

static vspace_node_t *vspace_rotate_right(vspace_node_t *n) {
    vspace_node_t *l = n->left;
    n->left = l->right;
    l->right = n;
    vspace_node_update(n);
    vspace_node_update(l);
    return l;
}

static vspace_node_t *vspace_rotate_left(vspace_node_t *n) {
    vspace_node_t *r = n->right;
    n->right = r->left;
    r->left = n;
    vspace_node_update(n);
    vspace_node_update(r);
    return r;
}

/* Restores the AVL property at n, whose subtrees are balanced and differ in height by at
 * most 2; returns the new subtree root, annotations up to date. */
static vspace_node_t *vspace_rebalance(vspace_node_t *n) {
    vspace_node_update(n);
    unsigned hl = vspace_height(n->left);
    unsigned hr = vspace_height(n->right);
    if (hl > hr + 1) {
        if (vspace_height(n->left->left) < vspace_height(n->left->right)) {
            n->left = vspace_rotate_left(n->left);
        }
        return vspace_rotate_right(n);
    }
    if (hr > hl + 1) {
        if (vspace_height(n->right->right) < vspace_height(n->right->left)) {
            n->right = vspace_rotate_right(n->right);
        }
        return vspace_rotate_left(n);
    }
    return n;
}

/* Rebalances the links path[d-1] .. path[0], deepest first. Each link is a child field of
 * the node one level up (or the root), so rotations below leave the upper links valid. */
static void vspace_rebalance_path(vspace_node_t **path[], unsigned d) {
    while (d > 0) {
        d--;
        *path[d] = vspace_rebalance(*path[d]);
    }
}

/* Puts node n into the tree as the free block (addr, order); addr must not be in the tree. */
static void vspace_block_insert(vspace_t *vs, vspace_node_t *n, uint64_t addr, unsigned order) {
    vspace_node_t **path[VSPACE_DEPTH];
    unsigned d = 0;
    vspace_node_t **link = &vs->root;
    while (*link != NULL) {
        path[d++] = link;
        link = addr < (*link)->addr ? &(*link)->left : &(*link)->right;
    }
    n->addr = addr;
    n->order = (uint8_t)order;
    n->left = NULL;
    n->right = NULL;
    vspace_node_update(n);
    *link = n;
    vspace_rebalance_path(path, d);
    vs->free_blocks[order]++;
    vs->free_pages += 1ull << order;
}

/* Removes the free block starting at addr, which must be in the tree, and returns a node
 * now out of the tree. Nodes are interchangeable records: when the block's node has two
 * children it takes over its successor's block and the successor's node is returned. */
static vspace_node_t *vspace_block_remove(vspace_t *vs, uint64_t addr) {
    vspace_node_t **path[VSPACE_DEPTH];
    unsigned d = 0;
    vspace_node_t **link = &vs->root;
    while ((*link)->addr != addr) {
        path[d++] = link;
        link = addr < (*link)->addr ? &(*link)->left : &(*link)->right;
    }
    vspace_node_t *n = *link;
    unsigned order = n->order;
    vspace_node_t *victim;
    if (n->left == NULL || n->right == NULL) {
        victim = n;
        *link = n->left != NULL ? n->left : n->right;
    } else {
        path[d++] = link;
        vspace_node_t **s = &n->right;
        while ((*s)->left != NULL) {
            path[d++] = s;
            s = &(*s)->left;
        }
        victim = *s;
        *s = victim->right;
        n->addr = victim->addr;
        n->order = victim->order;
    }
    vspace_rebalance_path(path, d);
    vs->free_blocks[order]--;
    vs->free_pages -= 1ull << order;
    return victim;
}

/* The free block starting exactly at addr, or NULL. */
static const vspace_node_t *vspace_block_at(const vspace_t *vs, uint64_t addr) {
    const vspace_node_t *n = vs->root;
    while (n != NULL && n->addr != addr) {
        n = addr < n->addr ? n->left : n->right;
    }
    return n;
}

/* The lowest-addressed free block of exactly this order, or NULL. */
static const vspace_node_t *vspace_block_lowest(const vspace_t *vs, unsigned order) {
    uint64_t bit = 1ull << order;
    const vspace_node_t *n = vs->root;
    if ((vspace_orders(n) & bit) == 0) {
        return NULL;
    }
    for (;;) {
        if ((vspace_orders(n->left) & bit) != 0) {
            n = n->left;
        } else if (n->order == order) {
            return n;
        } else {
            n = n->right; /* the bit is in n's set, so the right subtree has it */
        }
    }
}

/* True if some free block intersects [addr, addr + size), all inside the space. Free blocks
 * are disjoint, so sorted by start they are sorted by end too: a block ending at or before
 * addr rules out its left subtree, one starting at or after the end rules out its right. */
static bool vspace_overlaps_free(const vspace_t *vs, uint64_t addr, uint64_t size) {
    uint64_t off = addr - vs->base;
    const vspace_node_t *n = vs->root;
    while (n != NULL) {
        uint64_t n_off = n->addr - vs->base;
        if (n_off + vspace_block_bytes(n->order) <= off) {
            n = n->right;
        } else if (n_off >= off + size) {
            n = n->left;
        } else {
            return true;
        }
    }
    return false;
}

/* ---- Public interface ------------------------------------------------------------------- */

status_t vspace_init(vspace_t *vs, uint64_t base, uint64_t size, void *(*node_alloc)(void *),
                     void (*node_free)(void *, void *), void *arg) {
    if (node_alloc == NULL || node_free == NULL || size == 0 || size % VSPACE_PAGE != 0) {
        return ERR_INVALID;
    }
    uint64_t pages = size / VSPACE_PAGE;
    if ((pages & (pages - 1)) != 0 || pages > (1ull << VSPACE_MAX_ORDER)) {
        return ERR_INVALID;
    }
    if ((base & (size - 1)) != 0) {
        return ERR_ALIGN;
    }
    unsigned top = 0;
    while ((1ull << top) < pages) {
        top++;
    }
    *vs = (vspace_t){.base = base,
                     .top_order = top,
                     .node_alloc = node_alloc,
                     .node_free = node_free,
                     .arg = arg};
    vspace_node_t *n = node_alloc(arg);
    if (n == NULL) {
        return ERR_NO_MEMORY;
    }
    vs->nodes = 1;
    vspace_block_insert(vs, n, base, top);
    return STATUS_OK;
}

unsigned vspace_order_for(uint64_t size) {
    if (size == 0) {
        return 0;
    }
    uint64_t pages = (size - 1) / VSPACE_PAGE + 1;
    unsigned order = 0;
    while (order <= VSPACE_MAX_ORDER && (1ull << order) < pages) {
        order++;
    }
    return order;
}

status_t vspace_alloc(vspace_t *vs, unsigned order, uint64_t *addr) {
    if (order > vs->top_order) {
        return ERR_INVALID;
    }
    unsigned k = order;
    while (k <= vs->top_order && vs->free_blocks[k] == 0) {
        k++;
    }
    if (k > vs->top_order) {
        return ERR_NO_MEMORY;
    }
    /* One node per upper half split off; taken up front so a failure changes nothing. */
    vspace_node_t *fresh = NULL;
    for (unsigned i = order; i < k; i++) {
        vspace_node_t *n = vs->node_alloc(vs->arg);
        if (n == NULL) {
            while (fresh != NULL) {
                vspace_node_t *next = fresh->left;
                vs->node_free(vs->arg, fresh);
                vs->nodes--;
                fresh = next;
            }
            return ERR_NO_MEMORY;
        }
        vs->nodes++;
        n->left = fresh;
        fresh = n;
    }
    uint64_t start = vspace_block_lowest(vs, k)->addr;
    /* The block's record becomes the spare that its eventual free will use. */
    vspace_node_t *spare = vspace_block_remove(vs, start);
    spare->left = vs->spare;
    vs->spare = spare;
    vs->spares++;
    /* Keep the lowest part; each upper half's buddy is the half split further, which is not
     * free, so the halves go in unmerged. */
    while (k > order) {
        k--;
        vspace_node_t *n = fresh;
        fresh = fresh->left;
        vspace_block_insert(vs, n, start + vspace_block_bytes(k), k);
    }
    *addr = start;
    return STATUS_OK;
}

status_t vspace_free(vspace_t *vs, uint64_t addr, unsigned order) {
    if (order > vs->top_order) {
        return ERR_INVALID;
    }
    if (addr < vs->base || addr - vs->base >= vspace_space_bytes(vs)) {
        return ERR_RANGE;
    }
    uint64_t size = vspace_block_bytes(order);
    if (((addr - vs->base) & (size - 1)) != 0) {
        return ERR_ALIGN;
    }
    /* Aligned and starting inside, so the block lies wholly inside the space. */
    if (vs->spares == 0 || vspace_overlaps_free(vs, addr, size)) {
        return ERR_STATE;
    }
    vspace_node_t *n = vs->spare;
    vs->spare = n->left;
    vs->spares--;
    /* Merge while the buddy is one whole free block of the same order. A free block at the
     * buddy's address of a larger order would overlap this one (excluded above), one of a
     * smaller order means the buddy is partly in use. Merging only returns nodes. */
    while (order < vs->top_order) {
        uint64_t buddy = vs->base + ((addr - vs->base) ^ vspace_block_bytes(order));
        const vspace_node_t *b = vspace_block_at(vs, buddy);
        if (b == NULL || b->order != order) {
            break;
        }
        vs->node_free(vs->arg, vspace_block_remove(vs, buddy));
        vs->nodes--;
        addr = addr < buddy ? addr : buddy;
        order++;
    }
    vspace_block_insert(vs, n, addr, order);
    return STATUS_OK;
}

uint64_t vspace_free_bytes(const vspace_t *vs) {
    return vs->free_pages * VSPACE_PAGE;
}

/* ---- Consistency check ------------------------------------------------------------------ */

typedef struct vspace_walk {
    const vspace_t *vs;
    const vspace_node_t *prev; /* previous block in address order */
    uint64_t blocks[VSPACE_MAX_ORDER + 1];
    uint64_t pages;
    uint64_t count;
} vspace_walk_t;

/* Checks one block against the space and against its predecessor in address order. */
static bool vspace_check_block(vspace_walk_t *w, const vspace_node_t *n) {
    const vspace_t *vs = w->vs;
    if (n->order > vs->top_order || n->addr < vs->base ||
        n->addr - vs->base >= vspace_space_bytes(vs)) {
        return false;
    }
    uint64_t size = vspace_block_bytes(n->order);
    if (((n->addr - vs->base) & (size - 1)) != 0) {
        return false;
    }
    const vspace_node_t *p = w->prev;
    if (p != NULL) {
        uint64_t p_end = p->addr - vs->base + vspace_block_bytes(p->order);
        if (p_end > n->addr - vs->base) {
            return false; /* out of order or overlapping */
        }
        /* Buddies are adjacent, so two unmerged free buddies are consecutive here. */
        if (p->order == n->order && ((p->addr - vs->base) ^ size) == n->addr - vs->base) {
            return false;
        }
    }
    w->prev = n;
    w->blocks[n->order]++;
    w->pages += 1ull << n->order;
    return true;
}

/* In-order walk of the subtree at n, depth levels below the root. Returns its height, or
 * -1 if anything is wrong; the node count bound and the depth bound stop cycles. */
static int vspace_check_subtree(vspace_walk_t *w, const vspace_node_t *n, unsigned depth) {
    if (n == NULL) {
        return 0;
    }
    if (depth >= VSPACE_DEPTH || ++w->count > w->vs->nodes) {
        return -1;
    }
    int hl = vspace_check_subtree(w, n->left, depth + 1);
    if (hl < 0 || !vspace_check_block(w, n)) {
        return -1;
    }
    int hr = vspace_check_subtree(w, n->right, depth + 1);
    if (hr < 0 || hl > hr + 1 || hr > hl + 1) {
        return -1;
    }
    int h = 1 + (hl > hr ? hl : hr);
    uint64_t orders = (1ull << n->order) | vspace_orders(n->left) | vspace_orders(n->right);
    if (n->height != h || n->orders != orders) {
        return -1;
    }
    return h;
}

bool vspace_check(const vspace_t *vs) {
    if (vs->top_order > VSPACE_MAX_ORDER || (vs->base & (vspace_space_bytes(vs) - 1)) != 0) {
        return false;
    }
    vspace_walk_t w = {.vs = vs};
    if (vspace_check_subtree(&w, vs->root, 0) < 0 || w.pages != vs->free_pages) {
        return false;
    }
    for (unsigned k = 0; k <= VSPACE_MAX_ORDER; k++) {
        if (w.blocks[k] != vs->free_blocks[k]) {
            return false;
        }
    }
    uint64_t spares = 0;
    for (const vspace_node_t *s = vs->spare; s != NULL; s = s->left) {
        if (++spares > vs->spares) {
            return false;
        }
    }
    return spares == vs->spares && w.count + spares == vs->nodes;
}

/* ---- Teardown --------------------------------------------------------------------------- */

void vspace_destroy(vspace_t *vs) {
    /* Rotate left children up until the root has none, then free it: O(n), no stack. */
    vspace_node_t *n = vs->root;
    while (n != NULL) {
        vspace_node_t *l = n->left;
        if (l != NULL) {
            n->left = l->right;
            l->right = n;
            n = l;
        } else {
            vspace_node_t *r = n->right;
            vs->node_free(vs->arg, n);
            n = r;
        }
    }
    while (vs->spare != NULL) {
        vspace_node_t *next = vs->spare->left;
        vs->node_free(vs->arg, vs->spare);
        vs->spare = next;
    }
    vs->root = NULL;
    vs->spares = 0;
    vs->nodes = 0;
    vs->free_pages = 0;
    for (unsigned k = 0; k <= VSPACE_MAX_ORDER; k++) {
        vs->free_blocks[k] = 0;
    }
}
