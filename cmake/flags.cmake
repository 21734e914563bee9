# Compile and link flag sets, one INTERFACE library per kind of target. Targets opt in with
# target_link_libraries(x PRIVATE exo_kernel_flags), so no flag leaks between worlds.

set(EXO_WARNINGS -Wall -Wextra -Werror -Wstrict-prototypes -Wmissing-prototypes -Wundef)

# Kernel: freestanding ELF at -2 GiB, no SSE (the kernel does not save FPU state for
# itself), no red zone (interrupts use the same stack), frame pointers for backtraces.
add_library(exo_kernel_flags INTERFACE)
target_compile_options(exo_kernel_flags INTERFACE
  --target=x86_64-unknown-none-elf -std=gnu11 -ffreestanding -nostdlibinc
  -mno-red-zone -mgeneral-regs-only -mcmodel=kernel -fno-pic -fno-pie
  -fno-stack-protector -fno-omit-frame-pointer -mno-omit-leaf-frame-pointer
  -fno-asynchronous-unwind-tables -fno-unwind-tables -g -O2 ${EXO_WARNINGS})
target_include_directories(exo_kernel_flags INTERFACE
  ${PROJECT_SOURCE_DIR}/kernel/include ${PROJECT_SOURCE_DIR}/kernel/arch/x86_64/include
  ${PROJECT_SOURCE_DIR}/caps/include ${PROJECT_SOURCE_DIR}/rings/include
  ${PROJECT_SOURCE_DIR}/ipc/include)

# UEFI loader: a PE32+ EFI application built directly by Clang's MinGW target and LLD
# (the -gnu target: the MSVC one makes gnu-efi drop every __attribute__). LLP64!
add_library(exo_efi_flags INTERFACE)
target_compile_options(exo_efi_flags INTERFACE
  --target=x86_64-unknown-windows-gnu -std=gnu11 -ffreestanding -nostdlibinc
  -fshort-wchar -mno-red-zone -mgeneral-regs-only -fno-stack-protector
  -fno-asynchronous-unwind-tables -O2 ${EXO_WARNINGS} -Wno-missing-prototypes)
target_link_options(exo_efi_flags INTERFACE
  --target=x86_64-unknown-windows-gnu -nostdlib -fuse-ld=lld
  -Wl,--subsystem,efi_application -Wl,-e,efi_main -Wl,--dynamicbase)
target_include_directories(exo_efi_flags SYSTEM INTERFACE /usr/include/efi /usr/include/efi/x86_64)
target_include_directories(exo_efi_flags INTERFACE
  ${PROJECT_SOURCE_DIR}/kernel/include ${PROJECT_SOURCE_DIR}/kernel/arch/x86_64/include
  ${PROJECT_SOURCE_DIR}/efi)

# Host tests: the same pure .c files under ASan and UBSan, linked with cmocka.
add_library(exo_host_flags INTERFACE)
target_compile_options(exo_host_flags INTERFACE
  -std=gnu11 -g -O1 -fsanitize=address,undefined -fno-sanitize-recover=all
  -fno-omit-frame-pointer ${EXO_WARNINGS} -Wno-unused-parameter) # cmocka's void **state
target_link_options(exo_host_flags INTERFACE -fsanitize=address,undefined)
target_include_directories(exo_host_flags INTERFACE
  ${PROJECT_SOURCE_DIR}/kernel/include ${PROJECT_SOURCE_DIR}/caps/include
  ${PROJECT_SOURCE_DIR}/ipc/include ${PROJECT_SOURCE_DIR}/efi)

# Apps and userlib: static position-independent executables for ring 3. Hidden visibility
# and no PLT, so every relocation the linker leaves is R_X86_64_RELATIVE (the only kind the
# kernel's loader applies; elfapp_check enforces it at build time). SSE is allowed: the
# kernel saves user FPU/SSE/AVX state.
add_library(exo_user_flags INTERFACE)
target_compile_options(exo_user_flags INTERFACE
  --target=x86_64-unknown-none-elf -std=gnu11 -ffreestanding -nostdlibinc -fPIE
  -fvisibility=hidden -fno-plt -fno-stack-protector -fno-asynchronous-unwind-tables
  -fno-omit-frame-pointer -g -O2 ${EXO_WARNINGS})
target_include_directories(exo_user_flags INTERFACE
  ${PROJECT_SOURCE_DIR}/userlib/include ${PROJECT_SOURCE_DIR}/kernel/include
  ${PROJECT_SOURCE_DIR}/caps/include ${PROJECT_SOURCE_DIR}/rings/include
  ${PROJECT_SOURCE_DIR}/ipc/include)
