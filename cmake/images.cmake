# Boot images: build/esp.img (FAT32 ESP) and build/disk.img (GPT disk/USB image).
set(EXO_ESP_IMG ${PROJECT_BINARY_DIR}/esp.img)
set(EXO_DISK_IMG ${PROJECT_BINARY_DIR}/disk.img)
add_custom_command(OUTPUT ${EXO_ESP_IMG} ${EXO_DISK_IMG}
  COMMAND ${PROJECT_SOURCE_DIR}/scripts/mkimage
          --efi $<TARGET_FILE:bootx64> --kernel ${EXO_KERNEL_ELF}
          --config ${PROJECT_SOURCE_DIR}/efi/boot.cfg
          --file "${PROJECT_SOURCE_DIR}/efi/motd.txt=\\EXOSPACE\\MOTD.TXT"
          --esp ${EXO_ESP_IMG} --disk ${EXO_DISK_IMG}
  DEPENDS bootx64 kernel ${EXO_KERNEL_ELF} ${PROJECT_SOURCE_DIR}/scripts/mkimage
          ${PROJECT_SOURCE_DIR}/efi/boot.cfg ${PROJECT_SOURCE_DIR}/efi/motd.txt
  COMMENT "Building ESP and GPT disk images"
  VERBATIM)
add_custom_target(images ALL DEPENDS ${EXO_ESP_IMG} ${EXO_DISK_IMG})
