# icq_add_library / icq_add_binary / icq_add_test: one declaration per target, so every
# folder's CMakeLists.txt reads as its dependency list and nothing more.

# icq_add_library(NAME SOURCES a.cpp b.cpp DEPS lib...)
# A static library whose headers are included from the repository root
# ("common/codec/v5/packet.hpp"). DEPS are PUBLIC: what a library needs, its users get.
function(icq_add_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(${name} PUBLIC ${ARG_DEPS})
  icq_use_precompiled_headers(${name})
endfunction()

# icq_add_binary(NAME SOURCES main.cpp DEPS lib...)
function(icq_add_binary name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS})
  icq_use_precompiled_headers(${name})
endfunction()

# icq_add_test(name SOURCES ... LIBS ... LABELS unit|redis|pg|e2e)   (or NAME name ...)
# Links Catch2 with the shared test main and registers it with CTest under the given labels,
# so `ctest -L unit` runs what needs no servers.
function(icq_add_test)
  cmake_parse_arguments(ARG "" "NAME" "SOURCES;LIBS;LABELS" ${ARGN})
  set(name ${ARG_NAME})
  if(NOT name)
    list(GET ARG_UNPARSED_ARGUMENTS 0 name)
  endif()
  add_executable(${name} ${ARG_SOURCES})
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR})
  target_link_libraries(${name} PRIVATE icq_test_main ${ARG_LIBS})
  icq_use_precompiled_headers(${name})
  # Unit tests are one CTest entry per binary: their cases take milliseconds, and a process per
  # case (ASan's start-up, about 0.3 s) cost more than all of them together. One case by hand:
  # `build/test/tests/unit/.../x_test "its name"`. Tests with servers get a CTest entry per case,
  # so that cases run in parallel and a failure names its case.
  if(ARG_LABELS STREQUAL "unit")
    add_test(NAME ${name} COMMAND ${name} --warn NoTests)
    set_tests_properties(${name} PROPERTIES LABELS unit)
    return()
  endif()
  # --warn NoTests: a CTest entry whose filter matches no test case fails instead of passing
  # with nothing run. Discovery splits a name at ";" (a CMake list), so such a name became two
  # entries that each matched nothing; this makes any such mistake fail the suite.
  catch_discover_tests(${name}
    TEST_PREFIX "${name}: "
    EXTRA_ARGS --warn NoTests
    PROPERTIES LABELS "${ARG_LABELS}")
endfunction()
