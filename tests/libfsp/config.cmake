# Unit tests of fsp-config: classes (INI), class directories, command-line
# templates, the SDDL-like language and its access check, names, mount
# options, errors.
# They link the object library directly, not libfsp.so.
foreach(part error class class-keys class-trust class-dirs cmdline sddl access names mount-options parsers-fuzz)
  if(NOT EXISTS ${CMAKE_CURRENT_LIST_DIR}/test-${part}.c)
    continue()
  endif()
  add_executable(test-${part} ${CMAKE_CURRENT_LIST_DIR}/test-${part}.c)
  target_link_libraries(test-${part} PRIVATE fsp-config)
  target_include_directories(test-${part} PRIVATE ${PROJECT_SOURCE_DIR}/tests/helpers ${PROJECT_SOURCE_DIR}/libfsp)
  add_test(NAME libfsp/${part} COMMAND test-${part})
  set_tests_properties(libfsp/${part} PROPERTIES LABELS unit SKIP_RETURN_CODE 77)
endforeach()
