// `rasid articles`: the status API's article view on the command line.
#include <algorithm>
#include <cstdio>

#include "daemon/commands.h"
#include "daemon/runtime.h"
#include "daemon/status.h"

namespace rasid::daemon {

int cmd_articles(const std::string& config_path, const std::string& topic, const std::string& since,
                 const std::string& words, int limit, bool matched_only, bool json) {
  auto rt = load_runtime(config_path);
  if (!rt) {
    std::fprintf(stderr, "%s\n", rt.error().c_str());
    return 1;
  }
  const auto& cfg = rt.value()->config;
  if (!topic.empty() && std::none_of(cfg.topics.begin(), cfg.topics.end(),
                                     [&](const config::Topic& t) { return t.name == topic; })) {
    // Matches of a topic since removed from the file are still listed; say so.
    std::fprintf(stderr, "note: no topic named \"%s\" in %s; listing stored matches\n",
                 topic.c_str(), config_path.c_str());
  }
  auto store = storage::Store::open(cfg.daemon.database);
  if (!store) {
    std::fprintf(stderr, "database %s: %s\n", cfg.daemon.database.c_str(), store.error().c_str());
    return 1;
  }
  const storage::Millis now = storage::now_ms();
  auto from = parse_since(since, now, 7LL * 24 * 3600 * 1000);
  if (!from) {
    std::fprintf(stderr, "--since: use 24h, 7d, 2024-05-01 or 2024-05-01T10:00:00Z\n");
    return 1;
  }
  storage::ArticleQuery q;
  q.topic = topic;
  q.matched_only = matched_only;
  q.since = *from;
  q.fts = fts_query_from_words(words);
  q.limit = limit;
  auto arr = articles_json(*store.value(), q);
  if (!arr) {
    std::fprintf(stderr, "%s\n", arr.error().c_str());
    return 1;
  }
  if (json) {
    std::printf("%s\n", json_text(arr.value(), 2).c_str());
    return 0;
  }
  if (arr->empty()) {
    std::printf("no %sarticles%s%s since %s\n", matched_only || !topic.empty() ? "matched " : "",
                topic.empty() ? "" : " for ", topic.c_str(), since.empty() ? "7d" : since.c_str());
    return 0;
  }
  auto str = [](const nlohmann::json& j, const char* k) { return j.value(k, std::string()); };
  for (const auto& a : arr.value()) {
    std::string topics;
    for (const auto& m : a["matches"]) topics += (topics.empty() ? "" : ",") + str(m, "topic");
    std::printf("%s  %s  [%s]  %s\n", str(a, "fetched_at").c_str(), str(a, "source").c_str(),
                topics.empty() ? "-" : topics.c_str(), str(a, "title").c_str());
    for (const auto& m : a["matches"]) {
      if (!topic.empty() && str(m, "topic") != topic) continue;
      std::string snip = str(m, "snippet");
      if (!snip.empty()) {
        std::printf("    %s\n", snip.c_str());
        break;
      }
    }
    if (!a["also_reported_by"].empty()) {
      std::string also;
      for (const auto& o : a["also_reported_by"])
        also += (also.empty() ? "" : ", ") + o.get<std::string>();
      std::printf("    also reported by: %s\n", also.c_str());
    }
    std::printf("    %s\n", str(a, "url").c_str());
  }
  return 0;
}

}  // namespace rasid::daemon
