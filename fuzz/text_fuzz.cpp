// fuzz/text_fuzz.cpp — charset decoding, normalization and segmentation of arbitrary bytes: the
// output is always valid UTF-8 and token offsets stay inside the input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "text/text.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace rasid::text;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  // The first byte picks a declared charset, the rest is the body.
  static const char* kTypes[] = {"",
                                 "text/html; charset=utf-8",
                                 "text/html; charset=windows-1256",
                                 "text/html; charset=iso-8859-6",
                                 "text/html; charset=latin1",
                                 "text/html; charset=gb2312",
                                 "text/html; charset=utf-16"};
  std::string_view ct = size ? kTypes[data[0] % (sizeof(kTypes) / sizeof(kTypes[0]))] : "";
  Decoded d = decode(bytes, ct);
  if (!is_valid_utf8(d.utf8)) std::abort();
  if (!is_valid_utf8(sanitize_utf8(bytes))) std::abort();
  if (!is_valid_utf8(collapse_space(bytes))) std::abort();
  if (!is_valid_utf8(normalize(bytes))) std::abort();
  for (const Token& t : tokenize(bytes)) {
    if (t.begin >= t.end || t.end > bytes.size() || !is_valid_utf8(t.norm)) std::abort();
  }
  for (const Token& t : tokenize(d.utf8)) {
    if (normalize(std::string_view(d.utf8).substr(t.begin, t.end - t.begin)) != t.norm)
      std::abort();
  }
  (void)arabic_ratio(bytes);
  return 0;
}
