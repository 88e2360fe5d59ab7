# daemon/tests.cmake — extra tests of the daemon module (included by the top level).
# The status page in a real browser (Debian's chromium, headless): label `browser`; reports
# SKIPPED (exit 77) when chromium is missing. Screenshots land in <build>/browser-artifacts/.
add_test(NAME browser_status_page
         COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/tests/browser/run.sh $<TARGET_FILE:rasid>
                 ${CMAKE_BINARY_DIR}/browser-artifacts)
set_tests_properties(browser_status_page PROPERTIES LABELS browser SKIP_RETURN_CODE 77
                     TIMEOUT 300)
