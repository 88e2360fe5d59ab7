#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "config/config.h"
#include "daemon/commands.h"
#include "daemon/runtime.h"
#include "url/url.h"

namespace rasid::daemon {

namespace {

bool read_whole(const std::string& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  out = ss.str();
  return !in.bad();
}

bool write_whole(const std::string& path, const std::string& data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << data;
  out.flush();
  return static_cast<bool>(out);
}

// "https://host" of an absolute URL.
std::string site_root(const std::string& url) {
  auto scheme = url.find("://");
  if (scheme == std::string::npos) return {};
  auto end = url.find_first_of("/?#", scheme + 3);
  return url.substr(0, end);
}

std::string collapse(const std::string& s) {
  std::string o;
  bool space = false;
  for (char c : s) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      space = !o.empty();
      continue;
    }
    if (space) o += ' ';
    space = false;
    o += c;
  }
  return o;
}

// What makes two candidate addresses the same feed: the parsed content (WordPress serves one
// feed at /feed, /feed/ and /?feed=rss2 without redirecting).
std::string signature(const parse::Feed& f) {
  std::string s = f.format + "\n" + f.title + "\n";
  for (size_t i = 0; i < f.entries.size() && i < 5; ++i)
    s += f.entries[i].id + " " + f.entries[i].link + "\n";
  return s;
}

// Where sites commonly serve their feed (WordPress, Ghost, Hugo, Jekyll, Drupal, Blogger-like).
constexpr const char* kCommonFeedPaths[] = {"/feed",     "/rss",       "/feed.xml",  "/rss.xml",
                                            "/atom.xml", "/index.xml", "/?feed=rss2"};

struct Candidate {
  std::string url;
  std::string via;
};

}  // namespace

std::string toml_string(const std::string& s) {
  std::string o = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        o += "\\\"";
        break;
      case '\\':
        o += "\\\\";
        break;
      case '\n':
        o += "\\n";
        break;
      case '\t':
        o += "\\t";
        break;
      case '\r':
        o += "\\r";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          o += buf;
        } else {
          o += static_cast<char>(c);
        }
    }
  }
  return o + "\"";
}

Result<Discovery> discover(const std::string& url, const fetch::Options& options) {
  fetch::Request req;
  req.url = url;
  req.tag = "discover";
  auto first = fetch::fetch_all({req}, options).at(0);
  // A site whose home page answers 404 (or 403, 500…) may still serve its feed at a common
  // path: only a failure to reach the server at all ends the search here.
  const bool page_ok = first.ok();
  if (!page_ok && first.error != fetch::Error::http_status)
    return Error{url + ": " + std::string(fetch::to_string(first.error)) + ": " +
                 first.error_message};
  Discovery d;
  d.url = first.final_url.empty() ? url : first.final_url;
  d.tried = 1;
  const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  if (page_ok) {
    if (auto f = parse::parse_feed_bytes(first.body, first.content_type, d.url, now); f) {
      d.feeds.push_back({d.url, f->title, f->format, static_cast<int>(f->entries.size()), "given"});
      return d;
    }
  }

  std::vector<Candidate> cands;
  std::set<std::string> queued{url::canonical(d.url)};
  auto add = [&](const std::string& u, const char* via) {
    if (u.empty()) return;
    if (queued.insert(url::canonical(u)).second) cands.push_back({u, via});
  };
  if (page_ok) {
    if (auto page = parse::Html::parse(first.utf8(), d.url); page) {
      for (const auto& l : parse::feed_links(page.value())) add(l, "link");
      d.article_links = static_cast<int>(parse::article_links(page.value()).size());
    }
  }
  const std::string root = site_root(d.url);
  for (const char* p : kCommonFeedPaths) add(root + p, "path");
  if (std::string base = url::canonical(d.url); base != root + "/") {
    auto q = base.find('?');
    if (q != std::string::npos) base.resize(q);
    while (!base.empty() && base.back() == '/') base.pop_back();
    add(base + "/feed", "path");
  }

  std::vector<fetch::Request> reqs;
  for (const auto& c : cands) {
    fetch::Request r;
    r.url = c.url;
    r.tag = "discover";
    reqs.push_back(std::move(r));
  }
  auto rs = fetch::fetch_all(reqs, options);
  d.tried += static_cast<int>(rs.size());
  std::set<std::string> seen_urls, seen_content;
  for (size_t i = 0; i < rs.size(); ++i) {
    const auto& r = rs[i];
    if (!r.ok()) continue;
    std::string at = r.final_url.empty() ? cands[i].url : r.final_url;
    auto f = parse::parse_feed_bytes(r.body, r.content_type, at, now);
    if (!f) continue;
    if (!seen_urls.insert(url::canonical(at)).second) continue;
    if (!seen_content.insert(signature(f.value())).second) continue;
    d.feeds.push_back({at, f->title, f->format, static_cast<int>(f->entries.size()), cands[i].via});
  }
  if (!page_ok && d.feeds.empty())
    return Error{url + ": HTTP " + std::to_string(first.status) + ", and none of the " +
                 std::to_string(d.tried - 1) + " common feed addresses tried answered with a feed"};
  return d;
}

std::string sources_toml(const std::vector<parse::OpmlFeed>& feeds,
                         const std::vector<std::string>& known_feeds,
                         std::vector<std::string>& taken, int* written) {
  std::set<std::string> known;
  for (const auto& k : known_feeds) known.insert(url::canonical(k));
  std::set<std::string> names(taken.begin(), taken.end());
  std::string out;
  int n = 0;
  for (const auto& f : feeds) {
    if (f.xml_url.empty() || !known.insert(url::canonical(f.xml_url)).second) continue;
    std::string base = collapse(f.title);
    if (base.empty()) base = url::host(f.xml_url);
    std::string name = base;
    for (int i = 2; names.count(name); ++i) name = base + " " + std::to_string(i);
    names.insert(name);
    taken.push_back(name);
    out +=
        "\n[[source]]\nname = " + toml_string(name) + "\nfeed = " + toml_string(f.xml_url) + "\n";
    if (!f.category.empty()) out += "category = " + toml_string(f.category) + "\n";
    n++;
  }
  if (written) *written = n;
  return out;
}

int cmd_discover(const std::string& url, const std::string& config_path) {
  fetch::Options o;
  if (!config_path.empty()) {
    auto cfg = config::load(config_path);
    if (!cfg) {
      std::fprintf(stderr, "%s\n", cfg.error().c_str());
      return 1;
    }
    o = fetch_options(cfg->daemon);
  }
  auto d = discover(url, o);
  if (!d) {
    // A local or private site is refused by the address guard unless the configuration's
    // [daemon] allow_private lists it; discover only knows that setting through --config.
    const bool guard = d.error().find("allow_private") != std::string::npos;
    std::fprintf(stderr, "discover: %s%s\n", d.error().c_str(),
                 guard && config_path.empty()
                     ? "\ndiscover: no configuration was read: give the file that allows it with "
                       "--config FILE (or set RASID_CONFIG)"
                     : "");
    return 1;
  }
  for (const auto& f : d->feeds)
    std::printf("feed  %s  %s (%s, %d entries; %s)\n", f.url.c_str(), toml_string(f.title).c_str(),
                f.format.c_str(), f.entries,
                f.via == "given"  ? "the address is a feed"
                : f.via == "link" ? "advertised by the page"
                                  : "common path");
  std::string name = url::host(d->url);
  if (!d->feeds.empty()) {
    const auto& best = d->feeds.front();
    std::printf("\n# suggested source\n[[source]]\nname = %s\nfeed = %s\n",
                toml_string(collapse(best.title).empty() ? name : collapse(best.title)).c_str(),
                toml_string(best.url).c_str());
    return 0;
  }
  std::printf("no feed found (%d addresses tried)\n", d->tried);
  if (d->article_links == 0) {
    std::fprintf(stderr,
                 "discover: %s has no feed and no recognizable article links; a page source "
                 "needs link_selector = \"//XPATH/a\"\n",
                 d->url.c_str());
    return 1;
  }
  std::printf(
      "the page lists %d article links; as a page source:\n\n"
      "# suggested source\n[[source]]\nname = %s\npage = %s\n",
      d->article_links, toml_string(name).c_str(), toml_string(d->url).c_str());
  return 0;
}

int cmd_import_opml(const std::string& opml_file, const std::string& out_config) {
  std::string bytes;
  if (!read_whole(opml_file, bytes)) {
    std::fprintf(stderr, "%s: cannot read\n", opml_file.c_str());
    return 1;
  }
  auto feeds = parse::parse_opml(parse::decode_feed(bytes).utf8);
  if (!feeds) {
    std::fprintf(stderr, "%s: %s\n", opml_file.c_str(), feeds.error().c_str());
    return 1;
  }
  std::vector<std::string> known, taken;
  std::string old;
  const bool exists = !out_config.empty() && std::filesystem::exists(out_config);
  if (exists) {
    auto cfg = config::load(out_config);
    if (!cfg) {
      std::fprintf(stderr, "%s\n", cfg.error().c_str());
      return 1;
    }
    for (const auto& s : cfg->sources) {
      taken.push_back(s.name);
      if (!s.feed.empty()) known.push_back(s.feed);
    }
    if (!read_whole(out_config, old)) {
      std::fprintf(stderr, "%s: cannot read\n", out_config.c_str());
      return 1;
    }
  }
  int n = 0;
  std::string blocks = sources_toml(feeds.value(), known, taken, &n);
  std::fputs(blocks.c_str(), stdout);
  const int skipped = static_cast<int>(feeds->size()) - n;
  if (out_config.empty()) {
    std::fprintf(stderr, "%d sources%s\n", n,
                 skipped ? (" (" + std::to_string(skipped) + " skipped: repeated)").c_str() : "");
    return 0;
  }
  std::string updated = old;
  if (!updated.empty() && updated.back() != '\n') updated += '\n';
  updated += blocks;
  if (!write_whole(out_config, updated)) {
    std::fprintf(stderr, "%s: cannot write\n", out_config.c_str());
    return 1;
  }
  if (auto check = config::load(out_config); !check) {
    // Leave the file as it was: an import must not break a working configuration.
    if (exists)
      write_whole(out_config, old);
    else
      std::filesystem::remove(out_config);
    std::fprintf(stderr, "%s\n%s: not changed\n", check.error().c_str(), out_config.c_str());
    return 1;
  }
  std::fprintf(stderr, "%s: %d sources added%s\n", out_config.c_str(), n,
               skipped ? (", " + std::to_string(skipped) + " already there").c_str() : "");
  return 0;
}

int cmd_export_opml(const std::string& config_path) {
  auto cfg = config::load(config_path);
  if (!cfg) {
    std::fprintf(stderr, "%s\n", cfg.error().c_str());
    return 1;
  }
  std::vector<parse::OpmlFeed> feeds;
  int pages = 0;
  for (const auto& s : cfg->sources) {
    if (s.feed.empty()) {
      pages++;
      continue;
    }
    feeds.push_back({s.name, s.feed, "", s.category});
  }
  std::fputs(parse::write_opml(feeds, "rasid sources").c_str(), stdout);
  if (pages) std::fprintf(stderr, "%d page sources left out (OPML lists feeds only)\n", pages);
  return 0;
}

}  // namespace rasid::daemon
