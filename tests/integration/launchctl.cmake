# launchctl: its usage errors and --version (no privileges; --help against
# the man page is tests/man's), against a scripted fake launcher (every reply,
# every exit code), and against the real launcher with fsp-testfs instances.
fsp_add_script_test(launchctl-usage ${CMAKE_CURRENT_SOURCE_DIR}/launchctl-usage.sh unit 60)
fsp_add_script_test(launchctl-fake ${CMAKE_CURRENT_SOURCE_DIR}/launchctl-fake.sh integration 180)
fsp_add_script_test(launchctl-launcher ${CMAKE_CURRENT_SOURCE_DIR}/launchctl-launcher.sh integration 300)
