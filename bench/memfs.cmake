# bench-memfs: fio and fsp-metabench on memfs, tmpfs and libfuse's
# passthrough_ll over tmpfs (compiled from libfuse3-dev's examples at bench
# time), printed as one table with the ratios. Needs root. Not a test.
add_executable(fsp-metabench EXCLUDE_FROM_ALL ${CMAKE_CURRENT_SOURCE_DIR}/memfs/metabench.c)

set(FSP_BENCH_MEMFS_DEPS fsp-metabench)
if(TARGET winfsp-memfs)
  list(APPEND FSP_BENCH_MEMFS_DEPS winfsp-memfs)
  set(FSP_BENCH_MEMFS_BIN $<TARGET_FILE:winfsp-memfs>)
else()
  set(FSP_BENCH_MEMFS_BIN ${CMAKE_BINARY_DIR}/memfs/winfsp-memfs)
endif()

add_custom_target(bench-memfs
  COMMAND ${CMAKE_COMMAND} -E env
          FSP_MEMFS=${FSP_BENCH_MEMFS_BIN}
          FSP_METABENCH=$<TARGET_FILE:fsp-metabench>
          FSP_TEST_LIB=${PROJECT_SOURCE_DIR}/tests/memfs/lib.sh
          ${CMAKE_CURRENT_SOURCE_DIR}/memfs/run.sh
  DEPENDS ${FSP_BENCH_MEMFS_DEPS}
  USES_TERMINAL
  VERBATIM)
