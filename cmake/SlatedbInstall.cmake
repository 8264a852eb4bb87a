# Install rules: the public headers, libslatedb (static or shared), the slatedb CLI, an exported
# CMake package (find_package(slatedb CONFIG) → slatedb::slatedb) and slatedb.pc for pkg-config.
include(CMakePackageConfigHelpers)

install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/slatedb
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
        FILES_MATCHING PATTERN "*.h")
install(FILES ${PROJECT_BINARY_DIR}/include/slatedb/version.h
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/slatedb)
install(TARGETS slatedb EXPORT slatedbTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
if(TARGET slatedb_cli)
  install(TARGETS slatedb_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()

set(SLATEDB_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/slatedb)
install(EXPORT slatedbTargets NAMESPACE slatedb:: DESTINATION ${SLATEDB_CMAKE_DIR})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/slatedbConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/slatedbConfig.cmake
                              INSTALL_DESTINATION ${SLATEDB_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/slatedbConfigVersion.cmake
                                 VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/slatedbConfig.cmake
              ${PROJECT_BINARY_DIR}/slatedbConfigVersion.cmake
        DESTINATION ${SLATEDB_CMAKE_DIR})

# pkg-config. A static libslatedb.a needs its dependencies on the consumer's link line, so they
# are public requirements; a shared libslatedb.so links them itself (Requires.private).
set(SLATEDB_PC_DEPS "libzstd liblz4 snappy libcurl pugixml libcrypto flatbuffers spdlog yaml-cpp tomlplusplus zlib")
if(BUILD_SHARED_LIBS)
  set(SLATEDB_PC_REQUIRES "")
  set(SLATEDB_PC_REQUIRES_PRIVATE "${SLATEDB_PC_DEPS}")
  set(SLATEDB_PC_LIBS_EXTRA "")
else()
  set(SLATEDB_PC_REQUIRES "${SLATEDB_PC_DEPS}")
  set(SLATEDB_PC_REQUIRES_PRIVATE "")
  set(SLATEDB_PC_LIBS_EXTRA "-pthread")
endif()
# Relocatable: the prefix is found from where slatedb.pc itself is installed (${pcfiledir}), so
# `cmake --install --prefix P` of any build yields a .pc file that is right for P.
if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}")
  set(SLATEDB_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
  set(SLATEDB_PC_LIBDIR "${CMAKE_INSTALL_LIBDIR}")
else()
  file(RELATIVE_PATH up "/root/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/root")
  string(REGEX REPLACE "/$" "" up "${up}")
  set(SLATEDB_PC_PREFIX "\${pcfiledir}/${up}")
  set(SLATEDB_PC_LIBDIR "\${prefix}/${CMAKE_INSTALL_LIBDIR}")
endif()
if(IS_ABSOLUTE "${CMAKE_INSTALL_INCLUDEDIR}")
  set(SLATEDB_PC_INCLUDEDIR "${CMAKE_INSTALL_INCLUDEDIR}")
else()
  set(SLATEDB_PC_INCLUDEDIR "\${prefix}/${CMAKE_INSTALL_INCLUDEDIR}")
endif()
configure_file(${PROJECT_SOURCE_DIR}/cmake/slatedb.pc.in ${PROJECT_BINARY_DIR}/slatedb.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/slatedb.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
