/* ELF64 header checks (kernel/elfhdr.h), shared by the kernel check and the app loader. */
#include <kernel/elfhdr.h>
#include <kernel/string.h>

status_t elfhdr_check(const void *file, uint64_t size, elf64_ehdr_t *eh, const char **why) {
    static const uint8_t magic[4] = {ELF_MAGIC0, ELF_MAGIC1, ELF_MAGIC2, ELF_MAGIC3};
    uint64_t have = size < 4 ? size : 4;

    /* A short file that does not even start like ELF is reported as "not ELF". */
    if (memcmp(file, magic, (size_t)have) != 0) {
        return elf_fail(why, "not an ELF file (bad magic)", ERR_BAD_FORMAT);
    }
    if (size < sizeof(*eh)) {
        return elf_fail(why, "file truncated: smaller than the ELF header", ERR_TRUNCATED);
    }
    memcpy(eh, file, sizeof(*eh));
    if (eh->e_ident[EI_CLASS] != ELFCLASS64) {
        return elf_fail(why, "ELF class is not 64-bit", ERR_BAD_FORMAT);
    }
    if (eh->e_ident[EI_DATA] != ELFDATA2LSB) {
        return elf_fail(why, "ELF data is not little-endian", ERR_BAD_FORMAT);
    }
    if (eh->e_ident[EI_VERSION] != EV_CURRENT || eh->e_version != EV_CURRENT) {
        return elf_fail(why, "ELF version is not 1", ERR_BAD_FORMAT);
    }
    if (eh->e_machine != EM_X86_64) {
        return elf_fail(why, "machine is not x86-64", ERR_BAD_FORMAT);
    }
    if (eh->e_phentsize != sizeof(elf64_phdr_t)) {
        return elf_fail(why, "program header entry size is not 56", ERR_BAD_FORMAT);
    }
    if (eh->e_phoff > size) {
        return elf_fail(why, "file truncated: program headers start past end", ERR_TRUNCATED);
    }
    /* e_phnum * 56 < 2^22: computed in 64 bits it cannot overflow. */
    if (!elf_in_file(eh->e_phoff, (uint64_t)eh->e_phnum * sizeof(elf64_phdr_t), size)) {
        return elf_fail(why, "file truncated: program headers extend past end", ERR_TRUNCATED);
    }
    return STATUS_OK;
}
