# tiny-dnn (Debian's header-only `tiny-dnn` package) as an INTERFACE target,
# cratedig::tinydnn, with what the package leaves undeclared:
# - its headers include "third_party/stb/stb_image*.h", which Debian ships
#   in libstb-dev as <stb/stb_image*.h>: an include folder in the build tree
#   maps one onto the other (a symbolic link);
# - it includes cereal (libcereal-dev) and gemmlowp (libgemmlowp-dev);
# - it compiles stb's implementation into every file that includes it, so
#   STB_*_STATIC keeps those functions file-local (no duplicate symbols).
# Our own layers multiply through OpenBLAS's CBLAS (libopenblas-dev).
find_path(TINYDNN_INCLUDE_DIR tiny_dnn/tiny_dnn.h REQUIRED)
find_path(STB_IMAGE_DIR stb_image.h PATH_SUFFIXES stb REQUIRED)
find_path(CEREAL_INCLUDE_DIR cereal/cereal.hpp REQUIRED)
find_path(GEMMLOWP_INCLUDE_DIR gemmlowp/public/gemmlowp.h REQUIRED)
pkg_check_modules(OPENBLAS REQUIRED IMPORTED_TARGET openblas)

set(_tdnn_shim ${CMAKE_BINARY_DIR}/tinydnn_include)
file(MAKE_DIRECTORY ${_tdnn_shim}/third_party)
if(NOT EXISTS ${_tdnn_shim}/third_party/stb)
  file(CREATE_LINK ${STB_IMAGE_DIR} ${_tdnn_shim}/third_party/stb SYMBOLIC)
endif()

add_library(cratedig_tinydnn INTERFACE)
add_library(cratedig::tinydnn ALIAS cratedig_tinydnn)
target_include_directories(cratedig_tinydnn SYSTEM INTERFACE
  ${TINYDNN_INCLUDE_DIR} ${_tdnn_shim} ${CEREAL_INCLUDE_DIR}
  ${GEMMLOWP_INCLUDE_DIR})
target_compile_definitions(cratedig_tinydnn INTERFACE
  STB_IMAGE_STATIC STB_IMAGE_RESIZE_STATIC STB_IMAGE_WRITE_STATIC)
target_link_libraries(cratedig_tinydnn INTERFACE PkgConfig::OPENBLAS
  Threads::Threads)
