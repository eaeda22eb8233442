# bench-launcher: launcher start/stop latency against a raw fork+exec+mount
# of the same memfs, and List with 1,000 instances. Needs root. Not a test.
# The instances it lists run fsp-testfs, a test helper: no tests, no bench.
if(NOT BUILD_TESTING)
  return()
endif()
add_executable(fsp-bench-launcher EXCLUDE_FROM_ALL ${CMAKE_CURRENT_SOURCE_DIR}/launcher/bench-launcher.c
               ${CMAKE_CURRENT_SOURCE_DIR}/launcher/scale.c)
target_include_directories(fsp-bench-launcher PRIVATE ${PROJECT_SOURCE_DIR}/libfsp)
target_link_libraries(fsp-bench-launcher PRIVATE fsp PkgConfig::SYSTEMD)

add_custom_target(bench-launcher
  COMMAND ${CMAKE_COMMAND} -E env
          FSP_BUILD_DIR=${PROJECT_BINARY_DIR}
          FSP_SOURCE_DIR=${PROJECT_SOURCE_DIR}
          FSP_BENCH_LAUNCHER=$<TARGET_FILE:fsp-bench-launcher>
          bash ${CMAKE_CURRENT_SOURCE_DIR}/launcher/run.sh
  DEPENDS fsp-bench-launcher winfsp-launcher winfsp-memfs fsp-testfs
  USES_TERMINAL
  VERBATIM)
