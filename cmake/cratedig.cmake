# Helpers shared by every folder's CMakeLists.txt.

# Strict warnings for project code only (not for third-party headers, which
# are included as SYSTEM by their imported targets).
function(cratedig_warnings target)
  # -Wno-restrict: GCC 12 false positive on std::string concatenation
  # (GCC bug 105329), which would otherwise fail -Werror in Release builds.
  target_compile_options(${target} PRIVATE -Wall -Wextra -Werror
    $<$<CXX_COMPILER_ID:GNU>:-Wno-restrict>)
endfunction()

# cratedig_library(name SOURCES a.cc b.cc DEPS x y)
# A static library whose headers are included as "folder/file.h".
function(cratedig_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(${name} PUBLIC ${ARG_DEPS})
  cratedig_warnings(${name})
endfunction()

# cratedig_test(name SOURCES a_test.cc DEPS lib LABEL fast|slow [TIMEOUT s])
# One GoogleTest binary; each TEST becomes a CTest test with the label.
function(cratedig_test name)
  cmake_parse_arguments(ARG "" "LABEL;TIMEOUT" "SOURCES;DEPS" ${ARGN})
  if(NOT ARG_LABEL)
    set(ARG_LABEL fast)
  endif()
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 300)
  endif()
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest_main
                        GTest::gmock)
  target_compile_definitions(${name} PRIVATE
    CRATEDIG_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    CRATEDIG_BINARY_DIR="${PROJECT_BINARY_DIR}")
  cratedig_warnings(${name})
  gtest_discover_tests(${name}
    WORKING_DIRECTORY ${PROJECT_BINARY_DIR}
    PROPERTIES LABELS ${ARG_LABEL} TIMEOUT ${ARG_TIMEOUT}
    DISCOVERY_TIMEOUT 60)
endfunction()
