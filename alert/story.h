// alert/story.h — one alert per story: the copies of a syndicated story (the same agency text on
// several sites) are one story, and each (webhook, topic) hears about a story once.
//
// An article's story is its own (an id derived from its canonical URL) unless its text is a
// near-duplicate of a recent article (text::StoryIndex over word shingles, Jaccard ≥ 0.6, texts
// of 40 words or more, the last 3 days, at most 20,000 texts), whose story it joins. Its alerts
// carry the webhook-id of (webhook, topic, story), so the outbox writes a copy's alert only once.
// When a copy brings the story to an outlet that did not carry it, webhooks with story_updates
// on that the story already alerted get a story.updated row (alert/alert.h) referring to it.
//
// Several writers (instances over one PostgreSQL, or a CLI beside the daemon): assignment runs
// inside Store::record_poll's transaction, after the backend serialized it with every other
// writer; catch_up() first reads the articles others committed since the last look, so every
// instance gives a text the same story.
//
// Threads: a Stories is used from the one thread that uses its Store. Storage errors are logged
// and the article keeps its own story (an extra alert rather than a lost one).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <unordered_set>
#include <vector>

#include "alert/alert.h"
#include "storage/store.h"
#include "text/text.h"

namespace rasid::alert {

// The article part of every event about `a`: an alert or a story update.
Alert article_event(const storage::NewArticle& a, const std::string& topic);

// The article.matched rows of one matched topic: one per webhook, webhook-id per story.
std::vector<storage::NewAlert> matched_rows(const storage::NewArticle& a, const std::string& topic,
                                            const std::string& snippet,
                                            const std::vector<std::string>& webhooks,
                                            const std::vector<std::string>& also_reported_by);

class Stories {
 public:
  explicit Stories(storage::Store& store) : store_(store) {}

  // Reads the articles stored since the last look (by another process: its own are indexed when
  // assigned) into the index; the first call reads the last 3 days.
  void catch_up();

  struct Assignment {
    std::vector<std::string> also;  // the story's other outlets (sources), for the alert
    bool new_outlet = false;        // the copy brings the story to a source that did not carry it
  };
  // Sets a.story_id: its own, or the earlier story its text duplicates; the text is remembered
  // under it at once (a later article of the same batch finds it).
  Assignment assign(storage::NewArticle& a);

  // The story.updated rows for a copy that brings story `a.story_id` to a new outlet: one per
  // (webhook, topic) the story already alerted for which `wants(webhook, topic)` is true.
  std::vector<storage::NewAlert> updates(
      const storage::NewArticle& a,
      const std::function<bool(const std::string& webhook, const std::string& topic)>& wants);

  // The article ids the store gave the batch just recorded (not read again by catch_up()).
  void stored(std::int64_t article_id);

 private:
  void remember_text(std::int64_t story_id, const std::string& body);
  storage::Store& store_;
  text::StoryIndex index_{20000, 0.6};
  bool loaded_ = false;
  std::int64_t last_id_ = 0;              // the newest article read into the index
  std::unordered_set<std::int64_t> own_;  // ids this process stored since (indexed already)
};

}  // namespace rasid::alert
