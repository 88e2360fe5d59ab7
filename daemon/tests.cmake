# daemon/tests.cmake — extra tests of the daemon module (included by the top level).
# The status page in a real browser (Debian's chromium, headless): label `browser`; reports
# SKIPPED (exit 77) when chromium is missing. Screenshots land in <build>/browser-artifacts/.
add_test(NAME browser_status_page
         COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/tests/browser/run.sh $<TARGET_FILE:rasid>
                 ${CMAKE_BINARY_DIR}/browser-artifacts)
set_tests_properties(browser_status_page PROPERTIES LABELS browser SKIP_RETURN_CODE 77
                     TIMEOUT 300)

# The scale-out benchmark (issue 15; not a test): bench/scale_bench.cpp drives real `rasid run`
# instances over loopback on SQLite or a throwaway PostgreSQL cluster; see BENCHMARKS.md.
add_executable(scale_bench EXCLUDE_FROM_ALL ${CMAKE_CURRENT_LIST_DIR}/../bench/scale_bench.cpp)
target_link_libraries(scale_bench PRIVATE rasid_testsupport)
add_dependencies(scale_bench rasid)
