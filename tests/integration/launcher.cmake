# The launcher's integration tests: a private dbus-daemon, the real
# winfsp-launcher, fsp-testfs as the file system (tests/integration/lib.sh).
foreach(t lifecycle credentials access recovery reload concurrency shutdown options user refusals)
  if(EXISTS ${CMAKE_CURRENT_LIST_DIR}/launcher-${t}.sh)
    fsp_add_script_test(integration/launcher-${t} ${CMAKE_CURRENT_LIST_DIR}/launcher-${t}.sh integration 300)
  endif()
endforeach()
