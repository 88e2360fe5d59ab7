# storage/tests.cmake — extra build pieces of the storage module (included by the top level).
# The throughput benchmark (not a test): bench/store_bench.cpp, run by hand; see BENCHMARKS.md.
add_executable(store_bench ${CMAKE_CURRENT_SOURCE_DIR}/bench/store_bench.cpp)
target_link_libraries(store_bench PRIVATE rasid_storage)
# Search over history on ANT (rasid search / topics test, FTS5 "rasid" tokenizer): bench_search
add_executable(bench_search EXCLUDE_FROM_ALL ${CMAKE_CURRENT_SOURCE_DIR}/bench/search_bench.cpp)
target_link_libraries(bench_search PRIVATE rasid_daemon PkgConfig::SQLITE)
target_compile_definitions(bench_search PRIVATE
  RASID_SHARED_DIR="${CMAKE_CURRENT_SOURCE_DIR}/../shared")
