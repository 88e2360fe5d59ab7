#include "daemon/identity.h"

#include <cstdio>
#include <map>

#include "text/text.h"
#include "url/url.h"

namespace rasid::daemon {

namespace {

bool is_http(std::string_view url) {
  return url.starts_with("http://") || url.starts_with("https://");
}

// The path of an absolute http(s) URL ("/" when it has none).
std::string_view url_path(std::string_view url) {
  auto scheme = url.find("://");
  if (scheme == std::string_view::npos) return {};
  auto start = url.find_first_of("/?#", scheme + 3);
  if (start == std::string_view::npos || url[start] != '/') return "/";
  auto end = url.find_first_of("?#", start);
  return url.substr(start, end == std::string_view::npos ? url.size() - start : end - start);
}

bool is_site_root(std::string_view canonical) {
  std::string_view p = url_path(canonical);
  return p.empty() || p == "/";
}

// What tells two entries with the same GUID apart: the link, else the title.
std::string distinguishing(const parse::Entry& e, const std::string& lk) {
  return lk.empty() ? "title:" + e.title : lk;
}

}  // namespace

std::string guid_key(const parse::Entry& e) { return e.id.empty() ? "" : "id:" + e.id; }

std::string link_key(std::string_view link) {
  if (link.empty()) return {};
  std::string c = url::canonical(link);
  return c.empty() ? "" : "url:" + c;
}

std::string hash_key(const parse::Entry& e) {
  // The date as the feed wrote it: the parser clamps a date in the future to the time of the
  // poll, which would give the same item a new key at every poll (an alert each time).
  std::optional<parse::Time> date = e.published;
  if (!e.published_text.empty())
    if (auto written = parse::parse_date(e.published_text)) date = written;
  std::string basis = e.title + "|" + (date ? parse::format_iso8601(*date) : "");
  char buf[32];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(text::fnv1a64(basis)));
  return std::string("hash:") + buf;
}

std::string entry_key(const parse::Entry& e, bool trust_guid) {
  if (trust_guid && !e.id.empty()) return guid_key(e);
  if (std::string lk = link_key(e.link); !lk.empty()) return lk;
  return hash_key(e);
}

Result<IdentityDecision> identify_entries(const std::vector<parse::Entry>& entries, bool trust_guid,
                                          const SeenFn& seen) {
  const size_t n = entries.size();
  std::vector<std::string> gk(n), lk(n);
  std::map<std::string, int> link_count;
  for (size_t i = 0; i < n; ++i) {
    gk[i] = guid_key(entries[i]);
    lk[i] = link_key(entries[i].link);
    if (!lk[i].empty()) link_count[lk[i]]++;
  }
  // A link identifies an entry only when it is the entry's own: not shared, not the site root.
  std::vector<bool> usable(n);
  for (size_t i = 0; i < n; ++i)
    usable[i] = !lk[i].empty() && link_count[lk[i]] == 1 && !is_site_root(lk[i].substr(4));

  std::map<std::string, bool> cache;
  auto was_seen = [&](const std::string& key) -> Result<bool> {
    if (auto it = cache.find(key); it != cache.end()) return it->second;
    auto r = seen(key);
    if (!r) return r;
    cache[key] = r.value();
    return r;
  };

  IdentityDecision d;
  d.trust_guid = trust_guid;
  if (d.trust_guid) {
    std::map<std::string, std::string> first;  // guid key → what the first entry was
    for (size_t i = 0; i < n && d.trust_guid; ++i) {
      if (gk[i].empty()) continue;
      std::string what = distinguishing(entries[i], lk[i]);
      auto [it, inserted] = first.emplace(gk[i], what);
      if (!inserted && it->second != what) {
        d.trust_guid = false;
        d.distrust_reason = "GUID \"" + entries[i].id + "\" repeats across different entries";
      }
    }
  }
  if (d.trust_guid) {
    int linked = 0;
    for (size_t i = 0; i < n; ++i) {
      if (gk[i].empty() || !usable[i]) continue;
      linked++;
      auto g = was_seen(gk[i]);
      if (!g) return Error{g.error()};
      if (g.value()) continue;
      auto l = was_seen(lk[i]);
      if (!l) return Error{l.error()};
      if (l.value()) d.churned++;
    }
    if (d.churned >= 2 || (d.churned >= 1 && d.churned == linked)) {
      d.trust_guid = false;
      d.distrust_reason = "GUIDs change between fetches for the same links (" +
                          std::to_string(d.churned) + " entries)";
    }
  }

  d.entries.resize(n);
  for (size_t i = 0; i < n; ++i) {
    auto& id = d.entries[i];
    if (d.trust_guid && !gk[i].empty()) {
      id.key = gk[i];
      if (usable[i]) id.aliases.push_back(lk[i]);
    } else if (usable[i]) {
      id.key = lk[i];
    } else {
      // No link, or a shared or root one that says nothing about which entry this is: without a
      // trusted GUID the title and date have to.
      id.key = hash_key(entries[i]);
    }
    auto s = was_seen(id.key);
    if (!s) return Error{s.error()};
    id.seen = s.value();
    for (const auto& a : id.aliases) {
      if (id.seen) break;
      auto sa = was_seen(a);
      if (!sa) return Error{sa.error()};
      id.seen = sa.value();
    }
  }
  return d;
}

std::string article_canonical(std::string_view page_url, std::string_view declared) {
  std::string page = url::canonical(page_url);
  if (declared.empty()) return page;
  std::string decl = url::canonical(declared);
  if (!is_http(decl)) return page;
  // "Every page is the home page" is a template mistake, not a declaration.
  if (is_site_root(decl) && !is_site_root(page)) return page;
  return decl;
}

}  // namespace rasid::daemon
