# match/tests.cmake — the matching benchmark (not a test): bench_match over the ANT corpus.
#   cmake --build <build> --target bench_match && <build>/bench_match [--help]
add_executable(bench_match EXCLUDE_FROM_ALL ${CMAKE_CURRENT_LIST_DIR}/../bench/match_bench.cpp)
target_link_libraries(bench_match PRIVATE rasid_match)
target_compile_definitions(bench_match PRIVATE
  RASID_SHARED_DIR="${CMAKE_CURRENT_SOURCE_DIR}/../shared")
# Near-duplicate clustering on ANT (text/ fingerprints): bench_neardup [--help]
add_executable(bench_neardup EXCLUDE_FROM_ALL ${CMAKE_CURRENT_LIST_DIR}/../bench/neardup_bench.cpp)
target_link_libraries(bench_neardup PRIVATE rasid_match)
target_compile_definitions(bench_neardup PRIVATE
  RASID_SHARED_DIR="${CMAKE_CURRENT_SOURCE_DIR}/../shared")
# Matching quality (precision/recall per kind, rasid vs light10) on bench/data/match_pairs.tsv:
#   cmake --build <build> --target bench_match_quality && <build>/bench_match_quality [--misses]
add_executable(bench_match_quality EXCLUDE_FROM_ALL ${CMAKE_CURRENT_LIST_DIR}/../bench/match_quality.cpp)
target_link_libraries(bench_match_quality PRIVATE rasid_match)
target_compile_definitions(bench_match_quality PRIVATE RASID_SOURCE_DIR="${CMAKE_CURRENT_SOURCE_DIR}")
