# systemd/install-unit.cmake — run at install time (install(SCRIPT)), when CMAKE_INSTALL_PREFIX is
# final (cmake --install, make install, or CPack's staging): installs the unit with ExecStart=
# pointing at the installed binary, and the example config as /etc/rasid/rasid.toml unless one
# exists (an operator's config is never overwritten). RASID_SOURCE_DIR, RASID_BINARY_DIR and
# RASID_BINDIR are set by systemd/tests.cmake.
set(prefix "${CMAKE_INSTALL_PREFIX}")
set(stage "${RASID_BINARY_DIR}/systemd-install")
file(MAKE_DIRECTORY "${stage}")

file(READ "${RASID_SOURCE_DIR}/systemd/rasid.service" unit)
string(REPLACE "/usr/bin/rasid" "${prefix}/${RASID_BINDIR}/rasid" unit "${unit}")
file(WRITE "${stage}/rasid.service" "${unit}")
file(INSTALL DESTINATION "${prefix}/lib/systemd/system" TYPE FILE FILES "${stage}/rasid.service")

# The installed config keeps its state where the unit's StateDirectory= is.
file(READ "${RASID_SOURCE_DIR}/config/rasid.example.toml" cfg)
string(REPLACE "database = \"var/rasid.db\"          # relative to the working directory"
               "database = \"/var/lib/rasid/rasid.db\"" cfg "${cfg}")
file(WRITE "${stage}/rasid.toml" "${cfg}")
if(EXISTS "$ENV{DESTDIR}/etc/rasid/rasid.toml")
  message(STATUS "Keeping existing: $ENV{DESTDIR}/etc/rasid/rasid.toml")
else()
  file(INSTALL DESTINATION "/etc/rasid" TYPE FILE FILES "${stage}/rasid.toml")
endif()
