# slatedb_library(NAME SRCS ... DEPS ...): one layer = one OBJECT library. Its objects all go
#   into the one library users link (libslatedb.a or libslatedb.so, see slatedb_add_main_library);
#   DEPS (lower layers and third-party targets) give usage requirements (include directories,
#   definitions), so a wrong-way include still fails to compile.
# slatedb_test(NAME SRCS ... DEPS ... [LABELS ...]): a GoogleTest binary registered with ctest.
#   It links slatedb_internal (every layer, with the internal headers) in place of any layer named
#   in DEPS, and the other DEPS as given.

set(SLATEDB_WARNINGS -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wno-unused-parameter)
if(SLATEDB_WERROR)
  list(APPEND SLATEDB_WARNINGS -Werror)
endif()

if(SLATEDB_SANITIZE STREQUAL "address")
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
elseif(SLATEDB_SANITIZE STREQUAL "thread")
  add_compile_options(-fsanitize=thread -fno-omit-frame-pointer)
  add_link_options(-fsanitize=thread)
endif()

set_property(GLOBAL PROPERTY SLATEDB_LAYER_TARGETS "")

function(slatedb_library name)
  cmake_parse_arguments(ARG "" "" "SRCS;DEPS" ${ARGN})
  add_library(${name} OBJECT ${ARG_SRCS})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR}/include ${PROJECT_BINARY_DIR}/include
                                            ${PROJECT_SOURCE_DIR}/src ${PROJECT_BINARY_DIR}/generated)
  target_compile_options(${name} PRIVATE ${SLATEDB_WARNINGS})
  target_link_libraries(${name} PUBLIC ${ARG_DEPS})
  set_property(GLOBAL APPEND PROPERTY SLATEDB_LAYER_TARGETS ${name})
endfunction()

# Maps DEPS of a test or tool: layers (and `slatedb`) become slatedb_internal.
function(slatedb_internal_deps out)
  get_property(layers GLOBAL PROPERTY SLATEDB_LAYER_TARGETS)
  set(result slatedb_internal)
  foreach(dep IN LISTS ARGN)
    if(NOT dep IN_LIST layers AND NOT dep STREQUAL "slatedb")
      list(APPEND result ${dep})
    endif()
  endforeach()
  set(${out} ${result} PARENT_SCOPE)
endfunction()

function(slatedb_test name)
  cmake_parse_arguments(ARG "" "TIMEOUT" "SRCS;DEPS;LABELS" ${ARGN})
  if(NOT SLATEDB_BUILD_TESTS)
    return()
  endif()
  slatedb_internal_deps(deps ${ARG_DEPS})
  add_executable(${name} ${ARG_SRCS})
  target_compile_options(${name} PRIVATE ${SLATEDB_WARNINGS})
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/src ${PROJECT_SOURCE_DIR}/testing)
  # The checkout's absolute path for test data (__FILE__ may be relative: ccache base_dir).
  target_compile_definitions(${name} PRIVATE SLATEDB_TEST_SOURCE_ROOT="${PROJECT_SOURCE_DIR}")
  target_link_libraries(${name} PRIVATE ${deps} GTest::gtest GTest::gtest_main Threads::Threads)
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 600)
  endif()
  if(NOT ARG_LABELS)
    set(ARG_LABELS unit)
  endif()
  gtest_discover_tests(${name}
    PROPERTIES LABELS "${ARG_LABELS}" TIMEOUT ${ARG_TIMEOUT}
               # AWS_EC2_METADATA_DISABLED: a test that ends up without S3 credentials must fail
               # with the chain's error, not contact the link-local instance metadata address.
               ENVIRONMENT "SLATEDB_SOURCE_DIR=${PROJECT_SOURCE_DIR};SLATEDB_BINARY_DIR=${PROJECT_BINARY_DIR};AWS_EC2_METADATA_DISABLED=true"
    DISCOVERY_TIMEOUT 60)
endfunction()

# The external libraries the engine's objects need at link time (header-only ones excluded).
set(SLATEDB_LINK_DEPS ZLIB::ZLIB PkgConfig::ZSTD PkgConfig::LZ4 Snappy::snappy CURL::libcurl
    pugixml::pugixml OpenSSL::Crypto flatbuffers::flatbuffers spdlog::spdlog yaml-cpp
    tomlplusplus::tomlplusplus
    Threads::Threads)

# slatedb (the library users link: static by default, shared with BUILD_SHARED_LIBS=ON; only the
# public include/ directory is on its include path) and slatedb_internal (the same objects with the
# internal headers, for the CLI, tests, benchmarks and fuzzers; a static archive when the public
# library is shared, since the shared one exports only the public API).
function(slatedb_add_main_library)
  get_property(layers GLOBAL PROPERTY SLATEDB_LAYER_TARGETS)
  set(objects "")
  foreach(layer IN LISTS layers)
    list(APPEND objects $<TARGET_OBJECTS:${layer}>)
  endforeach()
  add_library(slatedb ${objects})
  add_library(slatedb::slatedb ALIAS slatedb)
  target_include_directories(slatedb PUBLIC $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
                                            $<BUILD_INTERFACE:${PROJECT_BINARY_DIR}/include>
                                            $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
  target_compile_features(slatedb PUBLIC cxx_std_20)
  target_link_libraries(slatedb PRIVATE ${SLATEDB_LINK_DEPS})
  set_target_properties(slatedb PROPERTIES
    OUTPUT_NAME slatedb
    VERSION ${PROJECT_VERSION}
    SOVERSION ${PROJECT_VERSION_MAJOR}.${PROJECT_VERSION_MINOR}
    EXPORT_NAME slatedb)
  set(impl slatedb)
  if(BUILD_SHARED_LIBS)
    add_library(slatedb_internal_archive STATIC ${objects})
    target_link_libraries(slatedb_internal_archive PUBLIC ${SLATEDB_LINK_DEPS})
    set(impl slatedb_internal_archive)
  endif()
  add_library(slatedb_internal INTERFACE)
  # Usage requirements of every layer (include directories, definitions) without their objects:
  # the objects come once, from the archive.
  foreach(layer IN LISTS layers)
    target_include_directories(slatedb_internal INTERFACE
      $<TARGET_PROPERTY:${layer},INTERFACE_INCLUDE_DIRECTORIES>)
    target_compile_definitions(slatedb_internal INTERFACE
      $<TARGET_PROPERTY:${layer},INTERFACE_COMPILE_DEFINITIONS>)
  endforeach()
  target_link_libraries(slatedb_internal INTERFACE ${impl} ${SLATEDB_LINK_DEPS})
endfunction()
