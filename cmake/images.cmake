# Boot images: build/esp.img (FAT32 ESP) and build/disk.img (GPT disk/USB image). The boot
# config is efi/boot.cfg plus one `module =` line per app (exo_add_app), in that order.
set(EXO_ESP_IMG ${PROJECT_BINARY_DIR}/esp.img)
set(EXO_DISK_IMG ${PROJECT_BINARY_DIR}/disk.img)
set(EXO_BOOT_CFG ${PROJECT_BINARY_DIR}/boot.cfg)

get_property(apps GLOBAL PROPERTY EXO_APPS)
get_property(app_files GLOBAL PROPERTY EXO_APP_FILES)
file(READ ${PROJECT_SOURCE_DIR}/efi/boot.cfg boot_cfg)
set(app_args)
foreach(app IN LISTS apps)
  list(POP_FRONT app_files elf)
  string(TOUPPER ${app} upper)
  string(APPEND boot_cfg "module = \\EXOSPACE\\APPS\\${upper}.ELF\n")
  list(APPEND app_args --file "${elf}=\\EXOSPACE\\APPS\\${upper}.ELF")
  list(APPEND app_deps app_${app} ${elf})
endforeach()
file(GENERATE OUTPUT ${EXO_BOOT_CFG} CONTENT "${boot_cfg}")

add_custom_command(OUTPUT ${EXO_ESP_IMG} ${EXO_DISK_IMG}
  COMMAND ${PROJECT_SOURCE_DIR}/scripts/mkimage
          --efi $<TARGET_FILE:bootx64> --kernel ${EXO_KERNEL_ELF}
          --config ${EXO_BOOT_CFG}
          --file "${PROJECT_SOURCE_DIR}/efi/motd.txt=\\EXOSPACE\\MOTD.TXT"
          ${app_args}
          --esp ${EXO_ESP_IMG} --disk ${EXO_DISK_IMG}
  DEPENDS bootx64 kernel ${EXO_KERNEL_ELF} ${PROJECT_SOURCE_DIR}/scripts/mkimage
          ${EXO_BOOT_CFG} ${PROJECT_SOURCE_DIR}/efi/motd.txt ${app_deps}
  COMMENT "Building ESP and GPT disk images"
  VERBATIM)
add_custom_target(images ALL DEPENDS ${EXO_ESP_IMG} ${EXO_DISK_IMG})
