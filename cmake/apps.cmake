# exo_add_app(NAME SOURCES...): builds NAME.elf, a static PIE linked with userlib, and
# puts it on the ESP as \EXOSPACE\APPS\NAME.ELF (a boot module the kernel finds as NAME).
# `-z text` makes the linker refuse relocations in read-only segments, and elfapp_check
# runs the kernel's own loader checks on the result: a forbidden relocation (anything
# but R_X86_64_RELATIVE), a W+X segment or a malformed header fails the build.
#
# exo_link_app(NAME FLAGS EXTRA_OBJECT_LIBS EXTRA_ARCHIVES SOURCES...): the shared part of
# both: compile with FLAGS, link with userlib, the extra object libraries and archives.
function(exo_link_app name flags extra_objs extra_libs)
  add_library(app_${name}_objs OBJECT ${ARGN})
  target_link_libraries(app_${name}_objs PRIVATE ${flags})
  set(objs $<TARGET_OBJECTS:app_${name}_objs> $<TARGET_OBJECTS:exo_userlib>)
  set(deps app_${name}_objs exo_userlib elfapp_check)
  foreach(lib ${extra_objs})
    list(APPEND objs $<TARGET_OBJECTS:${lib}>)
    list(APPEND deps ${lib})
  endforeach()
  set(archives)
  if(extra_libs)
    set(archives --gc-sections --start-group ${extra_libs} --end-group)
    add_dependencies(app_${name}_objs newlib)
    list(APPEND deps newlib ${extra_libs})
  endif()
  set(elf ${CMAKE_CURRENT_BINARY_DIR}/${name}.elf)
  add_custom_command(OUTPUT ${elf}
    COMMAND ${EXO_LLD} -pie --no-dynamic-linker -z text -z max-page-size=4096
            --build-id=none -e _start -o ${elf} ${objs} ${archives}
    COMMAND elfapp_check ${elf}
    DEPENDS ${deps} ${objs}
    COMMAND_EXPAND_LISTS
    COMMENT "Linking app ${name}.elf (static PIE) and checking its relocations")
  add_custom_target(app_${name} ALL DEPENDS ${elf})
  set_property(GLOBAL APPEND PROPERTY EXO_APPS ${name})
  set_property(GLOBAL APPEND PROPERTY EXO_APP_FILES ${elf})
endfunction()

function(exo_add_app name)
  exo_link_app(${name} exo_user_flags "" "" ${ARGN})
endfunction()

# exo_add_libc_app(NAME SOURCES...): the same, for an app written against the C library
# (newlib, cmake/newlib.cmake): compiled with its headers, linked with userlib, the system
# interface newlib calls (userlib/libc/) and libc.a and libm.a.
function(exo_add_libc_app name)
  exo_link_app(${name} exo_libc_flags exo_libc_glue "${EXO_NEWLIB_LIBC};${EXO_NEWLIB_LIBM}"
               ${ARGN})
endfunction()
