# clean/ extras: nlohmann_json for JSON-LD and the JSON line format; the clean_cli driver that
# behaves like `rasid clean --json` (used by bench/ and the scorer before the daemon wires it).
target_link_libraries(rasid_clean PUBLIC nlohmann_json::nlohmann_json PkgConfig::LIBXML2)
add_executable(clean_cli ${CMAKE_CURRENT_LIST_DIR}/../tests/clean/cli_main.cpp)
target_link_libraries(clean_cli PRIVATE rasid_clean)
