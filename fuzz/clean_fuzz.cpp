// libFuzzer target: outside bytes → charset decoding → HTML parse → clean::extract → JSON line.
// Checks that every result is valid UTF-8 JSON and that the text stays bounded.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "clean/extractor.h"
#include "text/text.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  // The first byte picks a declared charset so the decoder's paths are explored too.
  static const char* kTypes[] = {"", "text/html; charset=utf-8", "text/html; charset=windows-1256",
                                 "text/html; charset=iso-8859-6", "text/html; charset=latin1"};
  std::string_view type = size > 0 ? kTypes[data[0] % 5] : "";
  rasid::clean::Rules rules;
  if (size > 0 && data[0] % 7 == 0) rules.drop = {"//aside", "//*[contains(@class,'share')]"};
  auto r = rasid::clean::extract_bytes(bytes, "https://fuzz.example/a/1", type, rules);
  std::string line = rasid::clean::to_json_line("fuzz", r);
  if (!rasid::text::is_valid_utf8(line)) std::abort();
  if (r.ok() && r->text().size() > (4u << 20)) std::abort();
  return 0;
}
