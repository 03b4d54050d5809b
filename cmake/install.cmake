# What `cmake --install BUILD [--prefix P]` puts where (GNU layout):
#   bin/wasitrace                          the tool
#   lib/libwasitrace.so.X -> .so.X.Y.Z     the library, shared (SONAME libwasitrace.so.X)
#   lib/libwasitrace.a                     ... and static
#   lib/pkgconfig/wasitrace.pc             cc x.c $(pkg-config --cflags --libs wasitrace)
#   include/wt/*.h, include/wt/calls.def   the public headers
#   share/man/man1/wasitrace.1             the manual
#   share/bash-completion/completions/wasitrace, share/zsh/site-functions/_wasitrace
#
# One library, not one per layer. The layers (core, runtime, tracer, replay,
# viewer, policy) are built and versioned together, depend on one another in
# a fixed order (replay and viewer need the tracer, everything needs core)
# and share one set of public headers and one version number. Shipping them
# separately would give embedders six -l flags whose static link order
# matters, six SONAMEs to keep in step, and nothing in exchange: a program
# that uses only the core pays for the rest only on disk (the static
# archive's unused members are not linked; the shared object is mapped, not
# loaded page by page). So libwasitrace is built from the layers' own
# objects (no second compilation) and the in-tree targets stay per layer
# for the tests.
#
# Included by the top-level CMakeLists.txt after every layer was added.

include(GNUInstallDirs)

set(WT_LIB_LAYERS)
foreach(layer wt_core wt_runtime wt_tracer wt_replay wt_viewer wt_policy)
  if(TARGET ${layer})
    list(APPEND WT_LIB_LAYERS ${layer})
    # Objects that go into a shared library must be position independent.
    set_target_properties(${layer} PROPERTIES POSITION_INDEPENDENT_CODE ON)
  endif()
endforeach()
set(WT_LIB_OBJECTS)
foreach(layer ${WT_LIB_LAYERS})
  list(APPEND WT_LIB_OBJECTS $<TARGET_OBJECTS:${layer}>)
endforeach()

# SONAME: while the version is 0.x every minor release may change the ABI,
# so the SONAME carries 0.MINOR; from 1.0 on, the major version alone.
if(PROJECT_VERSION_MAJOR EQUAL 0)
  set(WT_SOVERSION 0.${PROJECT_VERSION_MINOR})
else()
  set(WT_SOVERSION ${PROJECT_VERSION_MAJOR})
endif()

find_package(Threads REQUIRED)
add_library(wasitrace_shared SHARED ${WT_LIB_OBJECTS})
add_library(wasitrace_static STATIC ${WT_LIB_OBJECTS})
set_target_properties(wasitrace_shared PROPERTIES
  OUTPUT_NAME wasitrace VERSION ${PROJECT_VERSION} SOVERSION ${WT_SOVERSION})
set_target_properties(wasitrace_static PROPERTIES OUTPUT_NAME wasitrace)
# Everything the layers link, minus the layers themselves (their objects
# are inside): the same list goes into wasitrace.pc.
target_link_libraries(wasitrace_shared PRIVATE PkgConfig::LIBUV
  PkgConfig::JANSSON PkgConfig::SQLITE3 Threads::Threads ${CMAKE_DL_LIBS})
# No undefined symbols left for the embedder to guess, and only the public
# API and the guest imports exported (libwasitrace.map).
target_link_options(wasitrace_shared PRIVATE -Wl,--no-undefined
  -Wl,--version-script=${PROJECT_SOURCE_DIR}/cmake/libwasitrace.map)
set_property(TARGET wasitrace_shared APPEND PROPERTY LINK_DEPENDS
  ${PROJECT_SOURCE_DIR}/cmake/libwasitrace.map)

if(TARGET wasitrace)
  install(TARGETS wasitrace RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()
install(TARGETS wasitrace_shared wasitrace_static
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/wt
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
  FILES_MATCHING PATTERN "*.h" PATTERN "calls.def")

# The .pc file finds its prefix from its own location (${pcfiledir}), so it
# stays right under `cmake --install --prefix P` and DESTDIR.
file(RELATIVE_PATH WT_PC_TO_PREFIX
  /root/${CMAKE_INSTALL_LIBDIR}/pkgconfig /root)
file(RELATIVE_PATH WT_PC_LIBDIR /root /root/${CMAKE_INSTALL_LIBDIR})
file(RELATIVE_PATH WT_PC_INCLUDEDIR /root /root/${CMAKE_INSTALL_INCLUDEDIR})
set(WT_PC_LIBS_PRIVATE "-pthread")
foreach(lib ${CMAKE_DL_LIBS})
  string(APPEND WT_PC_LIBS_PRIVATE " -l${lib}")
endforeach()
configure_file(${PROJECT_SOURCE_DIR}/wasitrace.pc.in
               ${PROJECT_BINARY_DIR}/wasitrace.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/wasitrace.pc
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

install(FILES ${PROJECT_SOURCE_DIR}/docs/man/wasitrace.1
  DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES ${PROJECT_SOURCE_DIR}/contrib/completion/wasitrace.bash
  DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions
  RENAME wasitrace)
install(FILES ${PROJECT_SOURCE_DIR}/contrib/completion/_wasitrace
  DESTINATION ${CMAKE_INSTALL_DATADIR}/zsh/site-functions)
