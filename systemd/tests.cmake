# systemd/tests.cmake — included by the top-level CMakeLists.txt (every */tests.cmake is).
# 1. ctest checks of the unit and snippets (label "systemd").
# 2. install() rules: `make install` / `cmake --install` put the binary, unit, sysusers/tmpfiles
#    snippets, man page and example config in place.
# 3. CPack: `cpack -G DEB` in the build directory makes a .deb (Depends computed by
#    dpkg-shlibdeps, plus procps for the unit's /bin/kill).

set(_rasid_sd "${CMAKE_CURRENT_SOURCE_DIR}/systemd")

# --- tests ---------------------------------------------------------------------------------------
foreach(_mode security sysusers tmpfiles man)
  add_test(NAME systemd.${_mode} COMMAND sh ${_rasid_sd}/check-unit.sh ${_mode}
                                        ${CMAKE_CURRENT_SOURCE_DIR})
endforeach()
add_test(NAME systemd.verify COMMAND sh ${_rasid_sd}/check-unit.sh verify
                                     ${CMAKE_CURRENT_SOURCE_DIR} $<TARGET_FILE:rasid>)
set_tests_properties(systemd.security systemd.sysusers systemd.tmpfiles systemd.man systemd.verify
                     PROPERTIES LABELS systemd SKIP_RETURN_CODE 77 TIMEOUT 60)
if(EXISTS ${_rasid_sd}/nspawn-test.sh)
  add_test(NAME systemd.nspawn COMMAND sh ${_rasid_sd}/nspawn-test.sh ${CMAKE_CURRENT_SOURCE_DIR}
                                       $<TARGET_FILE:rasid> ${CMAKE_CURRENT_BINARY_DIR}/nspawn)
  set_tests_properties(systemd.nspawn PROPERTIES LABELS systemd SKIP_RETURN_CODE 77 TIMEOUT 900
                                                 RUN_SERIAL TRUE)
endif()

# --- install -------------------------------------------------------------------------------------
include(GNUInstallDirs)
install(TARGETS rasid RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(CODE "set(RASID_SOURCE_DIR \"${CMAKE_CURRENT_SOURCE_DIR}\")
set(RASID_BINARY_DIR \"${CMAKE_CURRENT_BINARY_DIR}\")
set(RASID_BINDIR \"${CMAKE_INSTALL_BINDIR}\")")
install(SCRIPT ${_rasid_sd}/install-unit.cmake)
install(FILES ${_rasid_sd}/rasid.sysusers DESTINATION lib/sysusers.d RENAME rasid.conf)
install(FILES ${_rasid_sd}/rasid.tmpfiles DESTINATION lib/tmpfiles.d RENAME rasid.conf)
install(FILES ${_rasid_sd}/rasid.8 DESTINATION ${CMAKE_INSTALL_MANDIR}/man8)
install(FILES ${CMAKE_CURRENT_SOURCE_DIR}/config/rasid.example.toml
        DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/rasid/examples)

# --- package -------------------------------------------------------------------------------------
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME rasid)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "rasid maintainers <rasid@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "watches Arabic news sites and alerts on matching articles")
set(CPACK_PACKAGE_DESCRIPTION
    "rasid polls news feeds and section pages, extracts the article text, stores each article\n\
once in SQLite, matches it against watch topics and delivers webhook alerts. It runs as a\n\
hardened systemd service (DynamicUser, Type=notify, watchdog).")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_SET_DESTDIR ON)  # /etc/rasid is absolute: keep it inside the staging tree
set(CPACK_INSTALL_PREFIX /usr)  # with SET_DESTDIR, this is the prefix the package uses
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)  # libcurl4, libsqlite3-0, libicu72, ... from the binary
set(CPACK_DEBIAN_PACKAGE_DEPENDS "procps")  # /bin/kill for ExecReload=
# hunspell-ar: the Arabic word list the analyzer reads (text/lexicon.h; without it, a fallback).
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "systemd (>= 252), hunspell-ar")
# /etc/rasid/rasid.toml is a conffile: an upgrade never overwrites the operator's edits.
file(WRITE ${CMAKE_CURRENT_BINARY_DIR}/debian/conffiles "/etc/rasid/rasid.toml\n")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    "${_rasid_sd}/debian/postinst;${_rasid_sd}/debian/prerm;${_rasid_sd}/debian/postrm;\
${CMAKE_CURRENT_BINARY_DIR}/debian/conffiles")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
