// tests/support/http_get.h — GET http://127.0.0.1:port/path with libcurl, for tests that read a
// daemon's status endpoints (/metrics, /api/…). One implementation for every test binary (it was
// copied into scaleout_test and soak_test).
#pragma once

#include <curl/curl.h>

#include <string>

namespace rasid::testing {

// The body ("" when unreachable or after 3 s).
inline std::string http_get(int port, const std::string& path) {
  std::string out;
  CURL* c = curl_easy_init();
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + path;
  auto append = +[](char* p, size_t s, size_t n, void* to) -> size_t {
    static_cast<std::string*>(to)->append(p, s * n);
    return s * n;
  };
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 3000L);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, append);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &out);
  if (curl_easy_perform(c) != CURLE_OK) out.clear();
  curl_easy_cleanup(c);
  return out;
}

}  // namespace rasid::testing
