// libFuzzer target: OPML bytes → parse_opml → [[source]] TOML blocks → config::parse, and feed
// bytes → entry identity. Invariants: no crash; the TOML rasid writes is always valid TOML with
// unique source names (whatever titles and URLs an OPML file carries); every entry gets a
// non-empty key and the same input gives the same keys.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>

#include "config/config.h"
#include "daemon/commands.h"
#include "daemon/identity.h"
#include "parse/parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] & 1) {
    auto feeds = rasid::parse::parse_opml(rasid::parse::decode_feed(in).utf8,
                                          "https://example.com/subs.opml");
    if (!feeds) return 0;
    std::vector<std::string> taken{"taken"};
    int n = 0;
    std::string toml = rasid::daemon::sources_toml(feeds.value(), {}, taken, &n);
    auto cfg = rasid::config::parse(toml, "fuzz.toml");
    if (!cfg) {
      const std::string& e = cfg.error();
      if (e.find("TOML syntax") != std::string::npos || e.find("duplicate") != std::string::npos)
        std::abort();
      return 0;
    }
    if (static_cast<int>(cfg->sources.size()) != n) std::abort();
    return 0;
  }
  auto f = rasid::parse::parse_feed_bytes(in, "", "https://example.com/feed/");
  if (!f) return 0;
  std::set<std::string> seen;
  auto lookup = [&](const std::string& k) -> rasid::Result<bool> { return seen.count(k) > 0; };
  for (bool trust : {true, false}) {
    auto a = rasid::daemon::identify_entries(f->entries, trust, lookup);
    auto b = rasid::daemon::identify_entries(f->entries, trust, lookup);
    if (!a || !b || a->entries.size() != f->entries.size()) std::abort();
    for (size_t i = 0; i < a->entries.size(); ++i) {
      if (a->entries[i].key.empty() || a->entries[i].key != b->entries[i].key) std::abort();
      seen.insert(a->entries[i].key);
      for (const auto& al : a->entries[i].aliases) seen.insert(al);
    }
  }
  return 0;
}
