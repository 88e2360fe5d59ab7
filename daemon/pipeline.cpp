#include "daemon/pipeline.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <map>
#include <set>

#include "alert/alert.h"
#include "clean/extractor.h"
#include "common/log.h"
#include "daemon/metrics.h"
#include "text/date.h"
#include "text/text.h"
#include "url/url.h"

namespace rasid::daemon {

namespace {

parse::Time now_seconds() {
  return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
}

// Texts shorter than this are too generic to be recognised as the same story.
constexpr std::size_t kMinStoryWords = 40;
constexpr storage::Millis kStoryWindowMs = 3LL * 24 * 3600 * 1000;
// A story.updated names at most this many copies (the first ones stored, and the new one).
constexpr int kMaxOutlets = 50;

std::int64_t story_id_for(const std::string& canonical) {
  return static_cast<std::int64_t>(text::fnv1a64(canonical) & 0x7fffffffffffffffULL);
}

std::string join(const std::vector<std::string>& v, char sep) {
  std::string s;
  for (const auto& x : v) {
    if (!s.empty()) s += sep;
    s += x;
  }
  return s;
}

// The article part of every event about `a` (alert/alert.h): an alert or a story update.
alert::Alert article_event(const storage::NewArticle& a, const std::string& topic) {
  alert::Alert e;
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

}  // namespace

std::optional<std::chrono::seconds> cache_lifetime(const std::map<std::string, std::string>& h,
                                                   parse::Time now) {
  if (auto it = h.find("cache-control"); it != h.end()) {
    const std::string& cc = it->second;
    if (cc.find("no-store") != std::string::npos || cc.find("no-cache") != std::string::npos)
      return std::nullopt;
    for (const char* key : {"s-maxage=", "max-age="}) {
      auto pos = cc.find(key);
      if (pos == std::string::npos) continue;
      long v = std::strtol(cc.c_str() + pos + std::strlen(key), nullptr, 10);
      if (v > 0) return std::chrono::seconds(v);
      return std::nullopt;
    }
  }
  if (auto it = h.find("expires"); it != h.end()) {
    auto expires = parse::parse_date(it->second);
    if (!expires) return std::nullopt;  // "0", "-1": already expired
    parse::Time base = now;
    if (auto d = h.find("date"); d != h.end())
      if (auto server_now = parse::parse_date(d->second)) base = *server_now;
    if (*expires > base) return std::chrono::duration_cast<std::chrono::seconds>(*expires - base);
  }
  return std::nullopt;
}

std::optional<std::chrono::seconds> publish_gap(const std::vector<parse::Entry>& entries) {
  std::vector<parse::Time> dates;
  for (const auto& e : entries)
    if (e.published) dates.push_back(*e.published);
  std::sort(dates.rbegin(), dates.rend());
  if (dates.size() > 20) dates.resize(20);
  if (dates.size() < 3) return std::nullopt;
  std::vector<long long> gaps;
  for (size_t i = 1; i < dates.size(); ++i) gaps.push_back((dates[i - 1] - dates[i]).count());
  std::nth_element(gaps.begin(), gaps.begin() + static_cast<long>(gaps.size() / 2), gaps.end());
  return std::chrono::seconds(std::max<long long>(gaps[gaps.size() / 2], 0));
}

struct Pipeline::Poll {
  const config::Source* source;
  std::shared_ptr<const Runtime> rt;
  storage::SourceState state;
  bool alerting = false;
  std::function<void(PollOutcome)> done;
  PollOutcome outcome;
  int pending = 0;  // article fetches in flight
  // Entries this poll left unseen to try again (transient failure, not the article, storage):
  // the next poll must not be answered 304, or they wait until the feed changes.
  int left_unseen = 0;
  std::vector<std::string> gone_keys;  // entries whose pages are gone: recorded as seen
  std::map<std::string, std::vector<std::string>> aliases;  // key → other keys (identity.h)
  // First poll: pages cleaned and learned, stored in finish() once the template knows them all.
  struct Deferred {
    parse::Entry entry;
    std::string key;
    fetch::Response page;  // without its body
    clean::Observed observed;
  };
  std::vector<Deferred> deferred;
};

Pipeline::Pipeline(storage::Store& store, fetch::Fetcher& fetcher)
    : store_(store), fetcher_(fetcher) {}

void Pipeline::poll(const config::Source& source, std::function<void(PollOutcome)> done) {
  auto p = std::make_shared<Poll>();
  p->source = &source;
  p->rt = rt_;
  p->done = std::move(done);
  p->outcome.source = source.name;
  auto st = store_.source(source.name);
  if (!st) {
    p->outcome.error = "storage: " + st.error();
    p->outcome.failure = PollFailure::storage;
    log::error("source=" + source.name + " " + p->outcome.error);
    p->done(p->outcome);
    return;
  }
  p->state = std::move(st).value();
  p->alerting = p->state.initialized || source.alert_on_first_poll;

  fetch::Request req;
  req.url = source.feed.empty() ? source.page : source.feed;
  req.etag = p->state.etag;
  req.last_modified = p->state.last_modified;
  req.tag = source.name;
  fetcher_.fetch(std::move(req), [this, p](fetch::Response r) { on_feed(p, std::move(r)); });
}

Result<IdentityDecision> Pipeline::identify(const std::string& source,
                                            const std::vector<parse::Entry>& entries) {
  auto distrust = store_.guid_distrust(source);
  if (!distrust) return Error{distrust.error()};
  auto d = identify_entries(entries, distrust->empty(),
                            [&](const std::string& key) { return store_.seen(source, key); });
  if (d && !d->distrust_reason.empty()) {
    log::warn("source=" + source + " GUIDs not trusted from now on: " + d->distrust_reason);
    if (auto s = store_.set_guid_distrust(source, d->distrust_reason); !s) return Error{s.error()};
  }
  return d;
}

void Pipeline::on_feed(std::shared_ptr<Poll> p, fetch::Response r) {
  if (metrics_) metrics_->fetch_done("feed", r);
  auto& st = p->state;
  auto& out = p->outcome;
  const auto& src = *p->source;
  st.last_attempt = storage::now_ms();
  if (r.error == fetch::Error::cancelled) {
    out.error = "cancelled";
    out.failure = PollFailure::cancelled;
    p->done(out);
    return;
  }
  if (r.error == fetch::Error::not_modified) {
    out.ok = out.not_modified = true;
    out.min_interval = cache_lifetime(r.headers, now_seconds());
    finish(p);
    return;
  }
  if (!r.ok()) {
    out.error = r.error == fetch::Error::http_status
                    ? "HTTP " + std::to_string(r.status)
                    : std::string(fetch::to_string(r.error)) + ": " + r.error_message;
    out.failure =
        r.error == fetch::Error::http_status ? PollFailure::http_status : PollFailure::fetch;
    out.http_status = r.status;
    out.dead = r.status == 410;
    if (r.status == 429 || r.status == 503) out.retry_after = r.retry_after();
    finish(p);
    return;
  }
  if (!r.etag.empty() || !r.last_modified.empty()) {
    st.etag = r.etag;
    st.last_modified = r.last_modified;
  }
  out.min_interval = cache_lifetime(r.headers, now_seconds());

  std::vector<parse::Entry> entries;
  if (!src.feed.empty()) {
    auto feed = parse::parse_feed_bytes(
        r.body, r.content_type, r.final_url.empty() ? src.feed : r.final_url,
        std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()));
    if (!feed) {
      out.error = "feed: " + feed.error();
      out.failure = PollFailure::parse;
      // A feed that parses to nothing must not keep its validators: the next poll refetches.
      st.etag.clear();
      st.last_modified.clear();
      finish(p);
      return;
    }
    for (const auto& w : feed->warnings) log::warn("source=" + src.name + " feed: " + w);
    if (feed->ttl_minutes) out.min_interval = std::chrono::seconds(*feed->ttl_minutes * 60);
    if (feed->update_period)
      out.min_interval =
          std::max(out.min_interval.value_or(std::chrono::seconds(0)), *feed->update_period);
    entries = std::move(feed->entries);
    out.publish_gap = publish_gap(entries);
  } else {
    auto page = parse::Html::parse(r.utf8(), r.final_url.empty() ? src.page : r.final_url);
    if (!page) {
      out.error = "page: " + page.error();
      out.failure = PollFailure::parse;
      finish(p);
      return;
    }
    for (auto& link : parse::article_links(page.value(), src.link_selector)) {
      parse::Entry e;
      e.link = link;
      entries.push_back(std::move(e));
    }
  }
  out.ok = true;
  out.entries = static_cast<int>(entries.size());

  // Oldest first, so alerts leave in publication order.
  std::reverse(entries.begin(), entries.end());
  auto ids = identify(src.name, entries);
  if (!ids) {
    log::error("source=" + src.name + " storage: " + ids.error());
    ids = IdentityDecision{};
  }
  std::set<std::string> keys_this_poll;
  for (size_t i = 0; i < ids->entries.size(); ++i) {
    auto& e = entries[i];
    auto& id = ids->entries[i];
    std::string key = id.key;
    if (id.seen || !keys_this_poll.insert(key).second) continue;
    if (stopping_) break;
    out.new_entries++;
    if (!id.aliases.empty()) p->aliases[key] = std::move(id.aliases);
    if (e.link.empty()) {
      store_article(*p, e, key, nullptr);
      continue;
    }
    fetch_article(p, std::move(e), std::move(key));
  }
  if (p->pending == 0) finish(p);
}

void Pipeline::fetch_article(std::shared_ptr<Poll> p, parse::Entry e, std::string key) {
  p->pending++;
  fetch::Request req;
  req.url = e.link;
  req.tag = p->source->name;
  fetcher_.fetch(
      std::move(req), [this, p, e = std::move(e), key = std::move(key)](fetch::Response r) {
        if (metrics_) metrics_->fetch_done("article", r);
        if (r.error != fetch::Error::cancelled) {
          if (r.ok()) {
            store_article(*p, e, key, &r);
          } else if ((r.status >= 400 && r.status < 500 && r.status != 429) ||
                     r.error == fetch::Error::too_large) {
            // The page is gone or forbidden, or over max_body_bytes (it will be as big at the
            // next poll): keep what the feed itself says.
            log::warn("source=" + p->source->name + " article " + e.link + ": " +
                      (r.error == fetch::Error::too_large ? std::string("body over max_body_bytes")
                                                          : "HTTP " + std::to_string(r.status)) +
                      ", using the feed's text");
            store_article(*p, e, key, nullptr);
          } else {
            // Transient: leave the entry unseen so the next poll tries again.
            p->left_unseen++;
            log::warn("source=" + p->source->name + " article " + e.link + ": " +
                      fetch::to_string(r.error) + " " + r.error_message +
                      (r.status ? " HTTP " + std::to_string(r.status) : "") + "; will retry");
          }
        }
        if (--p->pending == 0) finish(p);
      });
}

void Pipeline::store_article(Poll& p, const parse::Entry& e, const std::string& key,
                             const fetch::Response* page, const clean::Observed* observed) {
  const auto& src = *p.source;
  const Runtime& rt = *p.rt;
  storage::NewArticle a;
  a.source = src.name;
  a.entry_key = key;
  a.url = e.link;
  a.title = e.title;
  a.author = e.author;
  if (e.published) a.published = text::Date{*e.published, std::chrono::minutes{0}, false};

  std::vector<std::string> paragraphs;
  if (page) {
    a.url = page->final_url.empty() ? e.link : page->final_url;
    Result<clean::Observed> obs =
        observed ? Result<clean::Observed>(*observed)
                 : clean::extract_observed(page->body, a.url, page->content_type, clean_rules(src));
    Result<clean::Article> art = Error{obs ? "" : obs.error()};
    if (obs && obs->article.kind != clean::PageKind::article) {
      // Not the article: nothing of it is stored, learned or matched, and the entry stays unseen
      // so the next poll fetches it again (as after a transient failure).
      p.outcome.page_error = "article " + a.url + ": not an article (" +
                             std::string(clean::to_string(obs->article.kind)) + ")";
      log::warn("source=" + src.name + " " + p.outcome.page_error + "; will retry");
      p.left_unseen++;
      return;
    }
    if (obs) {
      clean::SiteTemplate& tmpl = site_template(src.name);
      if (!observed) tmpl.learn(obs->sample);
      if (!observed && !p.state.initialized) {
        fetch::Response kept = *page;
        kept.body = std::string();
        p.deferred.push_back({e, key, std::move(kept), std::move(obs).value()});
        return;
      }
      obs->article.paragraphs = tmpl.apply(obs->sample, std::move(obs->article.paragraphs));
      art = std::move(obs->article);
    }
    if (art) {
      paragraphs = art->paragraphs;
      if (!art->title.empty()) a.title = art->title;
      a.canonical = article_canonical(a.url, art->canonical);
      if (!a.published) a.published = art->published;
      if (a.author.empty()) a.author = art->author;
      a.lang = art->lang;
    } else {
      log::warn("source=" + src.name + " article " + a.url + ": " + art.error() +
                "; using the feed's text");
    }
  }
  if (paragraphs.empty()) {
    paragraphs = clean::entry_paragraphs(e, e.link);
  }
  if (!page && paragraphs.empty() && (a.title.empty() || e.link.empty())) {
    // Nothing to keep (a section page's link whose page is gone, a feed item with neither a
    // link nor text): remember it, store nothing.
    if (e.link.empty())
      log::warn("source=" + src.name + " feed item \"" + e.title +
                "\" has neither a link nor text: skipped");
    std::vector<std::string> keys{key};
    if (auto al = p.aliases.find(key); al != p.aliases.end())
      keys.insert(keys.end(), al->second.begin(), al->second.end());
    if (auto m = store_.mark_seen(src.name, keys); !m)
      log::error("source=" + src.name + " storage: " + m.error());
    return;
  }
  a.body = join(paragraphs, '\n');
  a.canonical = url::canonical(a.canonical.empty() ? a.url : a.canonical);
  if (a.canonical.empty()) a.canonical = key;
  if (a.lang.empty()) a.lang = text::arabic_ratio(a.title + " " + a.body) > 0.5 ? "ar" : "";
  a.story_id = story_id_for(a.canonical);

  // Syndicated copies (the same agency story on several sites) join the earlier story: their
  // alerts carry the same webhook-id per (webhook, topic, story) and so are not sent again.
  load_stories();
  std::vector<std::uint64_t> shingles;
  std::vector<std::string> also;
  bool new_outlet = false;  // the copy brings the story to a source that did not carry it
  auto body_words = text::words(a.body);
  if (body_words.size() >= kMinStoryWords) {
    shingles = text::shingles(body_words);
    if (auto found = stories_.find(shingles); found.id != 0) {
      a.story_id = found.id;
      if (auto srcs = store_.story_sources(found.id)) {
        new_outlet = !srcs->empty();
        for (auto& s : srcs.value())
          if (s != src.name)
            also.push_back(s);
          else
            new_outlet = false;
      }
    }
  }

  match::Document doc{a.title, a.body, src.name, a.lang};
  std::vector<storage::NewMatch> matches;
  std::vector<storage::NewAlert> alerts;
  for (const auto& m : rt.matcher.match(doc)) {
    const auto& topic = rt.topics[static_cast<size_t>(m.topic)];
    std::vector<match::Hit> body_hits;
    for (const auto& h : m.hits)
      if (!h.in_title) body_hits.push_back(h);
    std::string snip = match::snippet(a.body, body_hits, 280);
    matches.push_back({topic.name, snip, match::format_forms(match::matched_forms(doc, m))});
    if (!p.alerting) continue;
    for (const auto& wh : topic.webhooks) {
      alert::Alert al = article_event(a, topic.name);
      al.snippet = snip;
      al.also_reported_by = also;
      alerts.push_back(
          {wh, topic.name, alert::webhook_id(wh, topic.name, a.story_id), alert::payload_json(al)});
    }
  }
  // Webhooks that asked for story updates hear that the story reached another outlet; the rows
  // go in the same transaction as the copy, behind the alerts already queued.
  if (p.alerting && new_outlet) {
    auto updates = story_updates(rt, a);
    alerts.insert(alerts.end(), std::make_move_iterator(updates.begin()),
                  std::make_move_iterator(updates.end()));
  }
  auto res = store_.add_article(a, matches, alerts);
  if (!res) {
    log::error("source=" + src.name + " storing " + a.url + ": " + res.error());
    p.left_unseen++;
    return;
  }
  if (auto al = p.aliases.find(key); al != p.aliases.end()) {
    if (auto m = store_.mark_seen(src.name, al->second); !m)
      log::error("source=" + src.name + " storage: " + m.error());
  }
  if (res->duplicate) {
    p.outcome.duplicates++;
    auto m = store_.mark_seen(src.name, {key});
    if (!m) log::error("source=" + src.name + " storage: " + m.error());
    return;
  }
  p.outcome.new_articles++;
  if (metrics_)
    for (const auto& m : matches) metrics_->matched(m.topic);
  p.outcome.alerts += res->alerts_added;
  if (!shingles.empty()) stories_.add(res->story_id, std::move(shingles));
  if (!also.empty()) p.outcome.story_copies++;
  log::info("source=" + src.name + " stored \"" + a.title + "\" (" +
            std::to_string(matches.size()) + " topics, " + std::to_string(res->alerts_added) +
            " alerts)");
}

std::vector<storage::NewAlert> Pipeline::story_updates(const Runtime& rt,
                                                       const storage::NewArticle& a) {
  std::vector<storage::NewAlert> out;
  auto told = store_.story_alerts(a.story_id);
  if (!told) {
    log::error("source=" + a.source + " storage: " + told.error());
    return out;
  }
  std::vector<alert::Outlet> outlets;
  for (const auto& t : told.value()) {
    const config::Webhook* wh = rt.config.webhook(t.webhook);
    if (!wh || !wh->story_updates) continue;
    // Only while the topic still sends to this webhook (a reload may have changed it).
    bool routed = false;
    for (const auto& topic : rt.topics)
      if (topic.name == t.topic)
        routed = std::find(topic.webhooks.begin(), topic.webhooks.end(), t.webhook) !=
                 topic.webhooks.end();
    if (!routed) continue;
    if (outlets.empty()) {
      auto copies = store_.story_copies(a.story_id, kMaxOutlets - 1);
      if (!copies) {
        log::error("source=" + a.source + " storage: " + copies.error());
        return {};
      }
      for (const auto& c : copies.value()) outlets.push_back({c.source, c.url, c.title});
      outlets.push_back({a.source, a.url, a.title});  // the copy being stored
    }
    alert::Alert u = article_event(a, t.topic);
    u.event = "story.updated";
    u.refers_to = t.webhook_id;
    u.outlets = outlets;
    storage::NewAlert row{t.webhook, t.topic,
                          alert::story_update_id(t.webhook, t.topic, a.story_id, a.source),
                          alert::payload_json(u)};
    row.event = u.event;
    row.refers_to = t.webhook_id;
    out.push_back(std::move(row));
  }
  return out;
}

void Pipeline::load_stories() {
  if (stories_loaded_) return;
  stories_loaded_ = true;
  auto recent = store_.recent_articles(storage::now_ms() - kStoryWindowMs, 5000);
  if (!recent) {
    log::error("storage: loading recent stories: " + recent.error());
    return;
  }
  // Oldest first, so the index keeps the newest when it is full.
  for (auto it = recent->rbegin(); it != recent->rend(); ++it) {
    auto w = text::words(it->body);
    if (w.size() >= kMinStoryWords) stories_.add(it->story_id, text::shingles(w));
  }
}

clean::SiteTemplate& Pipeline::site_template(const std::string& source) {
  auto it = templates_.find(source);
  if (it != templates_.end()) return it->second;
  clean::SiteTemplate t;
  if (auto stored = store_.site_template(source); !stored) {
    log::error("source=" + source + " storage: " + stored.error());
  } else if (stored->has_value()) {
    if (auto back = clean::SiteTemplate::deserialize(stored.value().value())) {
      t = std::move(back).value();
    } else {
      log::warn("source=" + source + " site template unreadable, learning again: " + back.error());
    }
  }
  return templates_.emplace(source, std::move(t)).first->second;
}

void Pipeline::finish(std::shared_ptr<Poll> p) {
  // A first poll's pages, cleaned with the template learned from all of them.
  auto deferred = std::move(p->deferred);
  for (auto& d : deferred) store_article(*p, d.entry, d.key, &d.page, &d.observed);
  if (auto it = templates_.find(p->source->name); it != templates_.end()) {
    auto s = store_.save_site_template(it->first, it->second.serialize(),
                                       static_cast<int>(it->second.pages()));
    if (!s) log::error("source=" + it->first + " storage: " + s.error());
    templates_.erase(it);
  }
  auto& st = p->state;
  auto& out = p->outcome;
  auto now = storage::now_ms();
  if (out.ok) {
    out.first_poll = !st.initialized;
    if (st.last_success > 0 && now > st.last_success)
      out.since_last_poll = std::chrono::seconds((now - st.last_success) / 1000);
    st.last_success = now;
    st.last_error = out.page_error;
    st.consecutive_errors = 0;
    st.status = "ok";
    st.initialized = true;
    if (p->left_unseen > 0) {
      // The next request is unconditional, so the entries left unseen are fetched again even
      // if the feed does not change (a conditional GET would be answered 304 and skip them).
      st.etag.clear();
      st.last_modified.clear();
    }
  } else {
    st.last_error = out.error;
    st.consecutive_errors++;
    st.status = out.dead ? "dead" : "failing";
    log::warn("source=" + p->source->name + " poll failed (" +
              std::to_string(st.consecutive_errors) + " in a row): " + out.error);
  }
  auto s = store_.save_source(st);
  if (!s) log::error("source=" + p->source->name + " storage: " + s.error());
  auto done = std::move(p->done);
  done(out);
}

}  // namespace rasid::daemon
