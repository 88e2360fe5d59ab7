# parse/tests.cmake — the feed parsing benchmark (not a test): rasid vs python3-feedparser.
#   cmake --build <build> --target feed_bench && <build>/feed_bench [--seconds S]
add_executable(feed_bench EXCLUDE_FROM_ALL ${CMAKE_CURRENT_LIST_DIR}/../bench/feed_bench.cpp)
target_link_libraries(feed_bench PRIVATE rasid_parse)
target_compile_definitions(feed_bench PRIVATE
  RASID_SHARED_DIR="${CMAKE_CURRENT_SOURCE_DIR}/../shared")
