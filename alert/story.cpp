#include "alert/story.h"

#include <algorithm>

#include "common/log.h"

namespace rasid::alert {

namespace {

// Texts shorter than this are too generic to be recognised as the same story.
constexpr std::size_t kMinStoryWords = 40;
constexpr storage::Millis kStoryWindowMs = 3LL * 24 * 3600 * 1000;
constexpr int kMaxRecent = 5000;
// A story.updated names at most this many copies (the first ones stored, and the new one).
constexpr int kMaxOutlets = 50;

std::int64_t own_story_id(const std::string& canonical) {
  return static_cast<std::int64_t>(text::fnv1a64(canonical) & 0x7fffffffffffffffULL);
}

}  // namespace

Alert article_event(const storage::NewArticle& a, const std::string& topic) {
  Alert e;
  e.topic = topic;
  e.story_id = a.story_id;
  e.title = a.title;
  e.url = a.url;
  e.canonical = a.canonical;
  e.source = a.source;
  e.published = a.published;
  e.lang = a.lang;
  e.dir = a.lang == "ar" ? "rtl" : "ltr";
  return e;
}

std::vector<storage::NewAlert> matched_rows(const storage::NewArticle& a, const std::string& topic,
                                            const std::string& snippet,
                                            const std::vector<std::string>& webhooks,
                                            const std::vector<std::string>& also_reported_by) {
  std::vector<storage::NewAlert> rows;
  for (const auto& wh : webhooks) {
    Alert al = article_event(a, topic);
    al.snippet = snippet;
    al.also_reported_by = also_reported_by;
    rows.push_back({wh, topic, webhook_id(wh, topic, a.story_id), payload_json(al)});
  }
  return rows;
}

void Stories::remember_text(std::int64_t story_id, const std::string& body) {
  auto w = text::words(body);
  if (w.size() >= kMinStoryWords) index_.add(story_id, text::shingles(w));
}

void Stories::stored(std::int64_t article_id) { own_.insert(article_id); }

void Stories::catch_up() {
  if (!loaded_) {
    auto recent = store_.recent_articles(storage::now_ms() - kStoryWindowMs, kMaxRecent);
    if (!recent) return log::error("storage: reading recent stories: " + recent.error());
    loaded_ = true;
    // Oldest first, so the index keeps the newest when it is full.
    for (auto it = recent->rbegin(); it != recent->rend(); ++it) {
      remember_text(it->story_id, it->body);
      last_id_ = std::max(last_id_, it->id);
    }
    return;
  }
  // What other writers (instances, CLI) stored since the last look; ours are indexed already.
  for (;;) {
    auto next = store_.articles_after(last_id_, kMaxRecent);
    if (!next) return log::error("storage: reading new stories: " + next.error());
    for (const auto& a : next.value()) {
      last_id_ = std::max(last_id_, a.id);
      if (own_.erase(a.id) == 0) remember_text(a.story_id, a.body);
    }
    if (static_cast<int>(next->size()) < kMaxRecent) break;
  }
}

Stories::Assignment Stories::assign(storage::NewArticle& a) {
  Assignment out;
  a.story_id = own_story_id(a.canonical);
  auto words = text::words(a.body);
  if (words.size() < kMinStoryWords) return out;
  auto shingles = text::shingles(words);
  if (auto found = index_.find(shingles); found.id != 0) {
    a.story_id = found.id;
    if (auto srcs = store_.story_sources(found.id)) {
      out.new_outlet = !srcs->empty();
      for (auto& s : srcs.value())
        if (s != a.source)
          out.also.push_back(s);
        else
          out.new_outlet = false;
    } else {
      log::error("source=" + a.source + " storage: " + srcs.error());
    }
  }
  index_.add(a.story_id, std::move(shingles));
  return out;
}

std::vector<storage::NewAlert> Stories::updates(
    const storage::NewArticle& a,
    const std::function<bool(const std::string& webhook, const std::string& topic)>& wants) {
  std::vector<storage::NewAlert> out;
  auto told = store_.story_alerts(a.story_id);
  if (!told) {
    log::error("source=" + a.source + " storage: " + told.error());
    return out;
  }
  std::vector<Outlet> outlets;
  for (const auto& t : told.value()) {
    if (!wants(t.webhook, t.topic)) continue;
    if (outlets.empty()) {
      auto copies = store_.story_copies(a.story_id, kMaxOutlets - 1);
      if (!copies) {
        log::error("source=" + a.source + " storage: " + copies.error());
        return {};
      }
      for (const auto& c : copies.value()) outlets.push_back({c.source, c.url, c.title});
      outlets.push_back({a.source, a.url, a.title});  // the copy being stored
    }
    Alert u = article_event(a, t.topic);
    u.event = "story.updated";
    u.refers_to = t.webhook_id;
    u.outlets = outlets;
    storage::NewAlert row{t.webhook, t.topic,
                          story_update_id(t.webhook, t.topic, a.story_id, a.source),
                          payload_json(u)};
    row.event = u.event;
    row.refers_to = t.webhook_id;
    out.push_back(std::move(row));
  }
  return out;
}

}  // namespace rasid::alert
