# exo_add_app(NAME SOURCES...): builds NAME.elf, a static PIE linked with userlib, and
# puts it on the ESP as \EXOSPACE\APPS\NAME.ELF (a boot module the kernel finds as NAME).
# `-z text` makes the linker refuse relocations in read-only segments, and elfapp_check
# runs the kernel's own loader checks on the result: a forbidden relocation (anything
# but R_X86_64_RELATIVE), a W+X segment or a malformed header fails the build.
function(exo_add_app name)
  add_library(app_${name}_objs OBJECT ${ARGN})
  target_link_libraries(app_${name}_objs PRIVATE exo_user_flags)
  set(elf ${CMAKE_CURRENT_BINARY_DIR}/${name}.elf)
  add_custom_command(OUTPUT ${elf}
    COMMAND ${EXO_LLD} -pie --no-dynamic-linker -z text -z max-page-size=4096
            --build-id=none -e _start -o ${elf}
            $<TARGET_OBJECTS:app_${name}_objs> $<TARGET_OBJECTS:exo_userlib>
    COMMAND elfapp_check ${elf}
    DEPENDS app_${name}_objs exo_userlib elfapp_check
            $<TARGET_OBJECTS:app_${name}_objs> $<TARGET_OBJECTS:exo_userlib>
    COMMAND_EXPAND_LISTS
    COMMENT "Linking app ${name}.elf (static PIE) and checking its relocations")
  add_custom_target(app_${name} ALL DEPENDS ${elf})
  set_property(GLOBAL APPEND PROPERTY EXO_APPS ${name})
  set_property(GLOBAL APPEND PROPERTY EXO_APP_FILES ${elf})
endfunction()

# exo_add_libc_app(NAME SOURCES...): the same, for an app written against the C library
# (newlib, cmake/newlib.cmake): compiled with its headers, linked with userlib, the system
# interface newlib calls (userlib/libc/) and libc.a and libm.a.
function(exo_add_libc_app name)
  add_library(app_${name}_objs OBJECT ${ARGN})
  target_link_libraries(app_${name}_objs PRIVATE exo_libc_flags)
  add_dependencies(app_${name}_objs newlib)
  set(elf ${CMAKE_CURRENT_BINARY_DIR}/${name}.elf)
  add_custom_command(OUTPUT ${elf}
    COMMAND ${EXO_LLD} -pie --no-dynamic-linker -z text -z max-page-size=4096
            --build-id=none --gc-sections -e _start -o ${elf}
            $<TARGET_OBJECTS:app_${name}_objs> $<TARGET_OBJECTS:exo_userlib>
            $<TARGET_OBJECTS:exo_libc_glue> --start-group ${EXO_NEWLIB_LIBC} ${EXO_NEWLIB_LIBM}
            --end-group
    COMMAND elfapp_check ${elf}
    DEPENDS app_${name}_objs exo_userlib exo_libc_glue elfapp_check newlib
            $<TARGET_OBJECTS:app_${name}_objs> $<TARGET_OBJECTS:exo_userlib>
            $<TARGET_OBJECTS:exo_libc_glue> ${EXO_NEWLIB_LIBC} ${EXO_NEWLIB_LIBM}
    COMMAND_EXPAND_LISTS
    COMMENT "Linking app ${name}.elf (static PIE, newlib) and checking its relocations")
  add_custom_target(app_${name} ALL DEPENDS ${elf})
  set_property(GLOBAL APPEND PROPERTY EXO_APPS ${name})
  set_property(GLOBAL APPEND PROPERTY EXO_APP_FILES ${elf})
endfunction()
