# Tests of the launcher client (launch.c) and the keyring helpers (keyring.c).
# They link the object libraries directly, so they build even while the rest
# of libfsp is being changed.

add_executable(test-keyring test-keyring.c)
target_link_libraries(test-keyring PRIVATE fsp-keyring fsp-config fsp-secret PkgConfig::LIBSECRET)
add_test(NAME libfsp-keyring
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/test-keyring.sh $<TARGET_FILE:test-keyring>)
set_tests_properties(libfsp-keyring PROPERTIES LABELS integration TIMEOUT 180 SKIP_RETURN_CODE 77)

# A stand-in for winfsp-launcher with scripted answers (also used by
# tests/integration/launchctl-fake.sh), and the client library's test against it.
# It encodes GetInfo with the launcher's own encoder, so the two cannot drift.
add_executable(fsp-fake-launcher test-client-fake-launcher.c ${PROJECT_SOURCE_DIR}/launcher/daemon/bus-info.c)
target_include_directories(fsp-fake-launcher PRIVATE ${PROJECT_SOURCE_DIR}/libfsp ${PROJECT_SOURCE_DIR}/launcher/daemon)
target_link_libraries(fsp-fake-launcher PRIVATE fsp-secret PkgConfig::SYSTEMD)

add_executable(test-client test-client.c)
target_include_directories(test-client PRIVATE ${PROJECT_SOURCE_DIR}/libfsp)
target_link_libraries(test-client PRIVATE fsp-client fsp-secret PkgConfig::SYSTEMD)
add_test(NAME libfsp-client COMMAND test-client $<TARGET_FILE:fsp-fake-launcher>)
set_tests_properties(libfsp-client PROPERTIES LABELS integration TIMEOUT 60 SKIP_RETURN_CODE 77)
