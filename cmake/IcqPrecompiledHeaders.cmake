# One precompiled header for every library, binary and test: the standard headers nearly every
# translation unit includes, and the two large third-party headers many do (nlohmann/json,
# cppzmq). A file spends about half its compile time before code generation, and the build is
# nearly half the test command's time on two cores; with the header, six sampled files took 16 %
# less CPU in all (and a small file that needs none of it a little more: loading the header is
# not free). Every target reuses the one icq_pch compiled (REUSE_FROM), which GCC accepts
# because all targets share the same flags; CMake adds -Winvalid-pch, so with ICQ_WERROR a
# target whose flags drift fails to build instead of silently parsing everything.
# Headers whose meaning depends on a target's own definitions (spdlog and fmt: FMT_SHARED,
# SPDLOG_*; civetweb) stay out. Debug builds only (the test command's): with the header, GCC 12
# inlines differently at -O3 and its known libstdc++ false positives (-Warray-bounds,
# -Wstringop-overflow in basic_string) move into other files, which -Werror turns into failures.
# The clang fuzz build does without: its flags differ per target.
option(ICQ_PCH "Precompile the common headers (GCC Debug builds)" ON)

if(ICQ_PCH AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_BUILD_TYPE STREQUAL "Debug" AND NOT ICQ_FUZZ)
  # hiredis's pkg-config flags define it for its users, and it changes what the C library's
  # headers declare: everyone defines it (the value is the x86-64 default anyway), so the one
  # header fits all.
  add_compile_definitions(_FILE_OFFSET_BITS=64)
  file(CONFIGURE OUTPUT ${CMAKE_BINARY_DIR}/icq_pch.cpp CONTENT "")
  add_library(icq_pch STATIC ${CMAKE_BINARY_DIR}/icq_pch.cpp)
  target_precompile_headers(icq_pch PRIVATE
    <algorithm> <array> <atomic> <charconv> <chrono> <cstdint> <cstring> <deque> <filesystem>
    <fstream> <functional> <map> <memory> <mutex> <optional> <random> <set> <span> <sstream>
    <stdexcept> <string> <string_view> <thread> <unordered_map> <unordered_set> <vector>
    <nlohmann/json.hpp> <zmq.hpp>)
endif()

# icq_use_precompiled_headers(target): called by icq_add_library/binary/test.
function(icq_use_precompiled_headers target)
  if(TARGET icq_pch)
    target_precompile_headers(${target} REUSE_FROM icq_pch)
  endif()
endfunction()
