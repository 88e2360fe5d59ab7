// fuzz/query_fuzz.cpp — Query::parse on arbitrary bytes; accepted queries are evaluated against a
// fixed document, and presearch must agree with brute force.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "match/matcher.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto q = rasid::match::Query::parse(text);
  if (!q.ok()) {
    // Errors always name a position.
    if (q.error().rfind("position ", 0) != 0) std::abort();
    return 0;
  }
  static const rasid::match::Document doc{
      "إيران تعلن استئناف المحادثات",
      "قالت الحكومة الإيرانية إن وزير الخارجية سيزور باريس. COVID-19 و2024", "Al Jazeera", "ar"};
  const bool direct = q->matches(doc);
  rasid::match::Matcher m;
  m.add(1, q.value());
  const auto fast = m.match(doc);
  const auto slow = m.match_brute_force(doc);
  if (fast.size() != slow.size() || direct != !slow.empty()) std::abort();
  for (const auto& t : fast) {
    for (const auto& h : t.hits) {
      const std::string& s = h.in_title ? doc.title : doc.body;
      if (h.begin > h.end || h.end > s.size()) std::abort();
    }
    (void)rasid::match::snippet(doc.body, t.hits, 40);
  }
  return 0;
}
