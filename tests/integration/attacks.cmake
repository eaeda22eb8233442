# Attacks on the system launcher by unprivileged local users, each run for
# real (tests/integration/launcher-attack-*.sh).
add_executable(fsp-race-mountpoint ${CMAKE_CURRENT_LIST_DIR}/race-mountpoint.c)
target_include_directories(fsp-race-mountpoint PRIVATE ${PROJECT_SOURCE_DIR}/libfsp)
target_link_libraries(fsp-race-mountpoint PRIVATE fsp PkgConfig::SYSTEMD)

foreach(t mountpoint visibility limits secret)
  fsp_add_script_test(integration/launcher-attack-${t} ${CMAKE_CURRENT_LIST_DIR}/launcher-attack-${t}.sh integration 300)
endforeach()

add_executable(fsp-subscriber ${CMAKE_CURRENT_LIST_DIR}/subscriber.c)
target_include_directories(fsp-subscriber PRIVATE ${PROJECT_SOURCE_DIR}/libfsp)
target_link_libraries(fsp-subscriber PRIVATE fsp PkgConfig::SYSTEMD)

# What lets unmodified FUSE programs run as classes.
fsp_add_script_test(integration/launcher-programs ${CMAKE_CURRENT_LIST_DIR}/launcher-programs.sh integration 300)
