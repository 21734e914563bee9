# newlib, the C library of apps that want one (docs/writing-apps.md), built from Debian's
# newlib-source for x86_64-elf with the project's Clang into build/newlib, once: the
# install stamp keeps it across builds (delete build/newlib to rebuild). Compiled like
# userlib (static PIE, hidden visibility, no PLT) so apps linked with it keep to the
# loader's one relocation kind. Its system calls (write, read, sbrk, ...) are not
# newlib's: userlib/libc/ supplies them over the traps, rings and caps.
set(EXO_NEWLIB_TARBALL "/usr/src/newlib/newlib-3.3.0.tar.xz" CACHE FILEPATH
    "newlib source tarball (Debian newlib-source)")
set(EXO_NEWLIB_DIR ${PROJECT_BINARY_DIR}/newlib)
set(EXO_NEWLIB_PREFIX ${EXO_NEWLIB_DIR}/install)
set(EXO_NEWLIB_INCLUDE ${EXO_NEWLIB_PREFIX}/x86_64-elf/include)
set(EXO_NEWLIB_LIBC ${EXO_NEWLIB_PREFIX}/x86_64-elf/lib/libc.a)
set(EXO_NEWLIB_LIBM ${EXO_NEWLIB_PREFIX}/x86_64-elf/lib/libm.a)
get_filename_component(EXO_LLVM_BIN ${EXO_LLD} DIRECTORY)
find_program(EXO_LLVM_AR NAMES llvm-ar llvm-ar-14 REQUIRED)
find_program(EXO_LLVM_RANLIB NAMES llvm-ranlib llvm-ranlib-14 REQUIRED)
find_program(EXO_LLVM_NM NAMES llvm-nm llvm-nm-14 REQUIRED)

set(target_cc "${CMAKE_C_COMPILER} --target=x86_64-unknown-none-elf -nostdlibinc")
set(target_cflags "-O2 -g -fPIE -fvisibility=hidden -fno-plt -fno-stack-protector")
string(APPEND target_cflags " -fno-asynchronous-unwind-tables -ffunction-sections")
string(APPEND target_cflags " -fdata-sections -Wno-everything")
add_custom_command(OUTPUT ${EXO_NEWLIB_DIR}/stamp ${EXO_NEWLIB_LIBC} ${EXO_NEWLIB_LIBM}
  COMMAND ${CMAKE_COMMAND} -E rm -rf ${EXO_NEWLIB_DIR}/src ${EXO_NEWLIB_DIR}/build
          ${EXO_NEWLIB_PREFIX}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${EXO_NEWLIB_DIR}/src ${EXO_NEWLIB_DIR}/build
  COMMAND tar -xf ${EXO_NEWLIB_TARBALL} -C ${EXO_NEWLIB_DIR}/src --strip-components=1
  COMMAND ${CMAKE_COMMAND} -E chdir ${EXO_NEWLIB_DIR}/build
          ${EXO_NEWLIB_DIR}/src/configure --target=x86_64-elf --prefix=${EXO_NEWLIB_PREFIX}
          --disable-multilib --disable-newlib-supplied-syscalls --enable-newlib-io-long-long
          --enable-newlib-io-c99-formats --disable-nls
          "CC_FOR_TARGET=${target_cc}" "AS_FOR_TARGET=${target_cc}"
          AR_FOR_TARGET=${EXO_LLVM_AR} RANLIB_FOR_TARGET=${EXO_LLVM_RANLIB}
          NM_FOR_TARGET=${EXO_LLVM_NM} LD_FOR_TARGET=${EXO_LLD}
          "CFLAGS_FOR_TARGET=${target_cflags}" > ${EXO_NEWLIB_DIR}/configure.log
  COMMAND make -C ${EXO_NEWLIB_DIR}/build -j2 all-target-newlib > ${EXO_NEWLIB_DIR}/make.log
  COMMAND make -C ${EXO_NEWLIB_DIR}/build install-target-newlib > ${EXO_NEWLIB_DIR}/install.log
  COMMAND ${CMAKE_COMMAND} -E touch ${EXO_NEWLIB_DIR}/stamp
  DEPENDS ${EXO_NEWLIB_TARBALL}
  COMMENT "Building newlib for x86_64-elf with Clang (about a minute; logs in build/newlib)"
  VERBATIM)
add_custom_target(newlib DEPENDS ${EXO_NEWLIB_DIR}/stamp)

# Apps linked with newlib: the userlib flags, newlib's headers instead of none, and not
# freestanding (the compiler may treat printf, memcpy, ... as the standard functions).
add_library(exo_libc_flags INTERFACE)
target_compile_options(exo_libc_flags INTERFACE
  --target=x86_64-unknown-none-elf -std=gnu11 -nostdlibinc -fPIE -fvisibility=hidden -fno-plt
  -fno-stack-protector -fno-asynchronous-unwind-tables -fno-omit-frame-pointer -g -O2
  ${EXO_WARNINGS})
# The POSIX options userlib/libc/posix.c provides (newlib's headers declare their calls
# only when these are defined).
target_compile_definitions(exo_libc_flags INTERFACE _POSIX_TIMERS=1
  _POSIX_MONOTONIC_CLOCK=200112L)
target_include_directories(exo_libc_flags SYSTEM INTERFACE ${EXO_NEWLIB_INCLUDE})
target_include_directories(exo_libc_flags INTERFACE
  ${PROJECT_SOURCE_DIR}/userlib/include ${PROJECT_SOURCE_DIR}/kernel/include
  ${PROJECT_SOURCE_DIR}/caps/include ${PROJECT_SOURCE_DIR}/rings/include
  ${PROJECT_SOURCE_DIR}/ipc/include)
