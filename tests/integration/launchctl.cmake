# launchctl: its --help against its man page (no privileges), against a
# scripted fake launcher (every reply, every exit code), and against the real
# launcher with fsp-testfs instances.
fsp_add_script_test(launchctl-help ${CMAKE_CURRENT_SOURCE_DIR}/launchctl-help.sh unit 60)
fsp_add_script_test(launchctl-fake ${CMAKE_CURRENT_SOURCE_DIR}/launchctl-fake.sh integration 180)
fsp_add_script_test(launchctl-launcher ${CMAKE_CURRENT_SOURCE_DIR}/launchctl-launcher.sh integration 300)
