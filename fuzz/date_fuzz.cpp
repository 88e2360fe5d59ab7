// fuzz/date_fuzz.cpp — the date reader (text/date.h) on arbitrary bytes: feed values (pubDate,
// HTTP Date), page text and URLs. Every date it returns formats as printable ASCII and reads
// back to the same Date (the formatter and the reader agree), and a date completed from a
// context is never later than the context's reference plus a day.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "text/date.h"

namespace {

using namespace std::chrono;

void check(const rasid::text::Date& d) {
  std::string iso = rasid::text::format_iso8601(d);
  for (char c : iso)
    if (c < 0x20 || c > 0x7E) std::abort();
  int y = static_cast<int>(year_month_day{floor<days>(d.at)}.year());
  if (y < 2 || y > 9998) return;  // the offset may carry the local day outside 0001..9999
  auto back = rasid::text::parse_date(iso);
  if (!back || *back != d) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  if (auto d = rasid::text::parse_date(bytes)) check(*d);
  if (auto d = rasid::text::find_date(bytes)) check(*d);
  if (auto d = rasid::text::date_from_url(bytes)) check(*d);
  // A context from the first bytes: a reference between 1990 and 2060, maybe a page year.
  rasid::text::DateContext ctx;
  if (size >= 3) {
    ctx.reference = sys_days{year{1990 + data[0] % 70} / 1 / 1} + days{data[1]};
    if (data[2] & 1) ctx.year = 1990 + data[2] % 70;
  }
  std::string_view rest = bytes.substr(size >= 3 ? 3 : 0);
  // A date found only with the context was completed from it: never past the reference.
  auto completed_ok = [&](const rasid::text::Date& d) {
    return !ctx.reference || d.at <= *ctx.reference + days{1};
  };
  if (auto d = rasid::text::find_date(rest, ctx)) {
    check(*d);
    if (!rasid::text::find_date(rest) && !completed_ok(*d)) std::abort();
  }
  if (auto d = rasid::text::parse_date(rest, ctx)) {
    check(*d);
    if (!rasid::text::parse_date(rest) && !completed_ok(*d)) std::abort();
  }
  return 0;
}
