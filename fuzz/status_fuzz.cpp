// The status endpoint's request handling: any target (path, query, percent-escapes), method and
// Authorization header against a store holding a hostile article. Checks, beyond ASan/UBSan:
// HTML answers never contain a <script element (everything from outside is escaped), JSON
// answers parse, and typed search words never become a malformed FTS5 query.
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "config/config.h"
#include "daemon/metrics.h"
#include "daemon/runtime.h"
#include "daemon/status.h"
#include "storage/store.h"

namespace {

using namespace rasid;

struct World {
  std::unique_ptr<storage::Store> store;
  std::shared_ptr<const daemon::Runtime> rt;
  daemon::Metrics metrics;
  daemon::StatusContext ctx;

  World() {
    std::string dir = std::filesystem::temp_directory_path() /
                      ("rasid-status-fuzz-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    store = std::move(storage::Store::open(dir + "/f.db")).value();
    auto cfg = config::parse(
        "[[source]]\nname = \"<b>src</b>\"\nfeed = \"https://example.com/feed\"\n"
        "[[topic]]\nname = \"t<script>\"\nquery = 'سوريا'\n",
        "fuzz.toml");
    rt = std::move(daemon::build_runtime(std::move(cfg).value())).value();
    storage::NewArticle a;
    a.source = "<b>src</b>";
    a.entry_key = "k";
    a.url = "javascript:alert(1)";
    a.canonical = "https://example.com/a";
    a.title = "<script>alert(1)</script> سوريا";
    a.body = "نص عن سوريا <img src=x onerror=alert(1)>";
    a.lang = "ar";
    (void)store->add_article(a, {{"t<script>", "«سوريا» <script>"}}, {});
    ctx.store = store.get();
    ctx.metrics = &metrics;
    ctx.runtime = [this] { return rt; };
    ctx.health = [] { return daemon::Health{}; };
  }
};

bool has_script(const std::string& s) {
  std::string low(s);
  std::transform(low.begin(), low.end(), low.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return low.find("<script") != std::string::npos;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static World w;
  std::string in(reinterpret_cast<const char*>(data), size);
  std::string method = "GET";
  if (!in.empty() && (in[0] & 7) == 0) method = "HEAD";
  if (!in.empty() && (in[0] & 7) == 1) method = "POST";
  if (!in.empty()) in.erase(0, 1);
  auto nl = in.find('\n');
  std::string target = in.substr(0, nl);
  std::string auth = nl == std::string::npos ? "" : in.substr(nl + 1);
  if (target.empty() || target[0] != '/') target = "/" + target;

  auto r = daemon::handle_status_request(w.ctx, method, target, auth);
  if (r.content_type.rfind("text/html", 0) == 0 && has_script(r.body)) std::abort();
  if (r.content_type.rfind("application/json", 0) == 0 &&
      nlohmann::json::parse(r.body, nullptr, false).is_discarded())
    std::abort();

  (void)daemon::parse_since(in, 1'700'000'000'000, 1000);
  storage::ArticleQuery q;
  q.fts = daemon::fts_query_from_words(in);
  if (!q.fts.empty()) {
    auto res = w.store->articles_with_matches(q);
    if (!res && res.error().find("syntax") != std::string::npos) std::abort();
  }
  return 0;
}
