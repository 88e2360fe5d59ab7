# fetch/tests.cmake — extra build pieces of the fetch module (included by the top level).
# The hostile-server tests build real compression bombs: gzip with zlib, brotli with libbrotlienc
# (both Debian packages that libcurl itself already depends on); zstd frames are written by hand.
if(TARGET fetch_tests)
  pkg_check_modules(FETCH_TEST_Z IMPORTED_TARGET zlib)
  pkg_check_modules(FETCH_TEST_BROTLI IMPORTED_TARGET libbrotlienc)
  if(FETCH_TEST_Z_FOUND)
    target_link_libraries(fetch_tests PRIVATE PkgConfig::FETCH_TEST_Z)
    target_compile_definitions(fetch_tests PRIVATE RASID_TEST_HAVE_ZLIB=1)
  endif()
  if(FETCH_TEST_BROTLI_FOUND)
    target_link_libraries(fetch_tests PRIVATE PkgConfig::FETCH_TEST_BROTLI)
    target_compile_definitions(fetch_tests PRIVATE RASID_TEST_HAVE_BROTLI=1)
  endif()
endif()

# The load benchmark (not a test): bench/fetch_bench.cpp, run by hand; see BENCHMARKS.md.
add_executable(fetch_bench ${CMAKE_CURRENT_SOURCE_DIR}/bench/fetch_bench.cpp)
target_link_libraries(fetch_bench PRIVATE rasid_fetch Threads::Threads)
