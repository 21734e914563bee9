/* Memory regions and budgets (user/region.h). */
#include <user/exo.h>
#include <user/trap.h>

int64_t exo_region_alloc_cap(exo_handle_t mem, size_t size, uint32_t prot, void **base) {
    return exo_trap(SYS_REGION_ALLOC, mem, size, prot, (uint64_t)(uintptr_t)base, 0);
}

int64_t exo_region_alloc_status(size_t size, uint32_t prot) {
    void *base;
    int64_t h = exo_region_alloc_cap(exo_memory_cap(), size, prot, &base);
    return h < 0 ? h : (int64_t)(uintptr_t)base;
}

void *exo_region_alloc(size_t size, uint32_t prot) {
    int64_t r = exo_region_alloc_status(size, prot);
    return r < 0 ? NULL : (void *)(uintptr_t)r;
}

int64_t exo_region_free(exo_handle_t region) {
    exo_cap_info_t info;
    int64_t st = exo_cap_info(region, &info);
    if (st < 0) {
        return st;
    }
    return info.type == CAP_REGION ? exo_cap_delete(region) : ERR_WRONG_TYPE;
}

int64_t exo_region_map(exo_handle_t region, uint32_t prot) {
    return exo_trap(SYS_REGION_MAP, region, prot, 0, 0, 0);
}

int64_t exo_region_unmap(exo_handle_t region) {
    return exo_trap(SYS_REGION_UNMAP, region, 0, 0, 0, 0);
}

int64_t exo_memory_split(exo_handle_t mem, uint64_t bytes) {
    return exo_trap(SYS_MEMORY_SPLIT, mem, bytes, 0, 0, 0);
}
