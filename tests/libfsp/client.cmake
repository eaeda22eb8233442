# Tests of the launcher client (launch.c) and the keyring helpers (keyring.c).
# They link the object libraries directly, so they build even while the rest
# of libfsp is being changed.

add_executable(test-keyring test-keyring.c)
target_link_libraries(test-keyring PRIVATE fsp-keyring fsp-secret PkgConfig::LIBSECRET)
add_test(NAME libfsp-keyring
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/test-keyring.sh $<TARGET_FILE:test-keyring>)
set_tests_properties(libfsp-keyring PROPERTIES LABELS integration TIMEOUT 180 SKIP_RETURN_CODE 77)
