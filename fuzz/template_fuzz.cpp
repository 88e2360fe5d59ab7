// libFuzzer target: outside bytes → clean::extract_observed → SiteTemplate learn/apply, and the
// same bytes read as a stored template (SiteTemplate::deserialize). Checks that a template never
// empties an article, that learning is bounded (kWindow pages) and that a template read back
// from its own bytes serializes to the same bytes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "clean/template.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  using rasid::clean::SiteTemplate;
  if (auto t = SiteTemplate::deserialize(bytes)) {
    if (t->pages() > SiteTemplate::kWindow) std::abort();
    std::string again = t->serialize();
    auto back = SiteTemplate::deserialize(again);
    if (!back.ok() || back->serialize() != again) std::abort();
  }
  auto o = rasid::clean::extract_observed(bytes, "https://fuzz.example/a/1");
  if (!o.ok()) return 0;
  if (o->sample.lines.size() > rasid::clean::kMaxLines) std::abort();
  SiteTemplate t;
  for (std::uint64_t id = 1; id <= 4; ++id) {
    auto s = o->sample;
    s.page = id;  // the same page under four names: every line recurs
    t.learn(s);
  }
  auto out = t.apply(o->sample, o->article.paragraphs);
  if (!o->article.paragraphs.empty() && out.empty()) std::abort();
  return 0;
}
