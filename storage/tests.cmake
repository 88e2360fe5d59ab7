# storage/tests.cmake — extra build pieces of the storage module (included by the top level).
# The throughput benchmark (not a test): bench/store_bench.cpp, run by hand; see BENCHMARKS.md.
add_executable(store_bench ${CMAKE_CURRENT_SOURCE_DIR}/bench/store_bench.cpp)
target_link_libraries(store_bench PRIVATE rasid_storage)
