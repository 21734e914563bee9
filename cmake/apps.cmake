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
