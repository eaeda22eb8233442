# The libFuzzer harnesses of fuzz/, each built with clang (by
# fuzz/run-fuzzer.sh, into the build directory) and run over its seed corpus
# for a bounded number of inputs: a few seconds each. scripts/fuzz.sh runs
# them for minutes. Skipped (77) without clang and libFuzzer.
file(GLOB FSP_FUZZ_HARNESSES ${PROJECT_SOURCE_DIR}/fuzz/fuzz-*.c)
foreach(harness ${FSP_FUZZ_HARNESSES})
  get_filename_component(name ${harness} NAME_WE)
  string(REGEX REPLACE "^fuzz-" "" name ${name})
  add_test(NAME libfsp/fuzz-${name}
           COMMAND bash ${PROJECT_SOURCE_DIR}/fuzz/run-fuzzer.sh ${name} ${PROJECT_SOURCE_DIR}
                   ${PROJECT_BINARY_DIR}/fuzz -runs=20000 -seed=1 -max_total_time=25)
  set_tests_properties(libfsp/fuzz-${name} PROPERTIES LABELS unit TIMEOUT 120 SKIP_RETURN_CODE 77)
endforeach()
