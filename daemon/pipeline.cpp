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

std::string join(const std::vector<std::string>& v, char sep) {
  std::string s;
  for (const auto& x : v) {
    if (!s.empty()) s += sep;
    s += x;
  }
  return s;
}

}  // namespace

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
  std::map<std::string, std::vector<std::string>> aliases;  // key → other keys (identity.h)
  // What the poll learned, written by one Store::record_poll call when it finishes.
  storage::PollRecord record;
  // Per record.articles entry: the compiled topic of each of its matches (for their webhooks).
  std::vector<std::vector<const CompiledTopic*>> topics_of;
  std::vector<bool> joined;  // per record.articles entry: it joined another outlet's story
  // First poll: pages cleaned and learned, stored in finish() once the template knows them all.
  struct Deferred {
    parse::Entry entry;
    std::string key;
    fetch::Response page;  // without its body
    clean::Observed observed;
  };
  std::vector<Deferred> deferred;
  Plan plan;
};

Pipeline::Pipeline(storage::Store& store, fetch::Fetcher& fetcher)
    : store_(store), fetcher_(fetcher), stories_(store) {}

void Pipeline::poll(const config::Source& source, storage::SourceState state,
                    std::string lease_owner, Plan plan, std::function<void(PollOutcome)> done) {
  auto p = std::make_shared<Poll>();
  p->source = &source;
  p->rt = rt_;
  p->plan = std::move(plan);
  p->done = std::move(done);
  p->outcome.source = source.name;
  p->state = std::move(state);
  p->state.name = source.name;
  p->record.lease_owner = std::move(lease_owner);
  p->record.polled_url = source.feed.empty() ? source.page : source.feed;
  p->alerting = p->state.initialized || source.alert_on_first_poll;

  fetch::Request req;
  req.url = source.feed.empty() ? source.page : source.feed;
  req.etag = p->state.etag;
  req.last_modified = p->state.last_modified;
  req.tag = source.name;
  fetcher_.fetch(std::move(req), [this, p](fetch::Response r) { on_feed(p, std::move(r)); });
}

Result<IdentityDecision> Pipeline::identify(Poll& p, const std::vector<parse::Entry>& entries) {
  const std::string& source = p.source->name;
  auto distrust = store_.guid_distrust(source);
  if (!distrust) return Error{distrust.error()};
  // Every key an entry could be stored under, asked in one call.
  std::vector<std::string> candidates;
  for (const auto& e : entries)
    for (auto k : {guid_key(e), link_key(e.link), hash_key(e)})
      if (!k.empty()) candidates.push_back(std::move(k));
  auto known = store_.seen_keys(source, candidates);
  if (!known) return Error{known.error()};
  std::set<std::string> seen(known->begin(), known->end());
  auto d =
      identify_entries(entries, distrust->empty(),
                       [&](const std::string& key) -> Result<bool> { return seen.count(key) > 0; });
  if (d && !d->distrust_reason.empty()) {
    log::warn("source=" + source + " GUIDs not trusted from now on: " + d->distrust_reason);
    p.record.guid_distrust = d->distrust_reason;
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
    out.min_interval = fetch::freshness_lifetime(r.headers, now_seconds());
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
  out.min_interval = fetch::freshness_lifetime(r.headers, now_seconds());

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
    out.publish_gap = parse::publish_gap(entries);
    if (!feed->stopped.empty()) {
      // A broken feed: what was read before the error is stored and alerted below, but the
      // poll failed — the entries after the error are missing — so the source shows failing
      // with the reason and is retried on the error back-off, not lengthened as if quiet.
      out.error = "feed: " + feed->stopped + " (the document is cut there; " +
                  std::to_string(entries.size()) + (entries.size() == 1 ? " entry" : " entries") +
                  " read before it)";
      out.failure = PollFailure::parse;
      st.etag.clear();
      st.last_modified.clear();
    }
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
  out.ok = out.failure == PollFailure::none;
  out.entries = static_cast<int>(entries.size());

  // Oldest first, so alerts leave in publication order.
  std::reverse(entries.begin(), entries.end());
  auto ids = identify(*p, entries);
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
  a.published = e.published_date;  // as the feed wrote it (offset, day only), as a page's

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
      for (const auto& rule : art->skipped_rules)
        if (failed_rules_.insert(src.name + '\x1f' + rule).second)
          log::warn("source=" + src.name + " clean rule \"" + rule + "\" fails on its pages (" +
                    a.url + "): invalid XPath; cleaning without it (logged once)");
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
    p.record.seen.push_back(key);
    if (auto al = p.aliases.find(key); al != p.aliases.end())
      p.record.seen.insert(p.record.seen.end(), al->second.begin(), al->second.end());
    return;
  }
  a.body = join(paragraphs, '\n');
  a.canonical = url::canonical(a.canonical.empty() ? a.url : a.canonical);
  if (a.canonical.empty()) a.canonical = key;
  if (a.lang.empty()) a.lang = text::arabic_ratio(a.title + " " + a.body) > 0.5 ? "ar" : "";

  // Matches now; story and alerts when the poll is recorded (alert/story.h).
  match::Document doc{a.title, a.body, src.name, a.lang};
  storage::StoredEntry entry;
  std::vector<const CompiledTopic*> topics;
  for (const auto& m : rt.matcher.match(doc)) {
    const auto& topic = rt.topics[static_cast<size_t>(m.topic)];
    std::vector<match::Hit> body_hits;
    for (const auto& h : m.hits)
      if (!h.in_title) body_hits.push_back(h);
    entry.matches.push_back({topic.name, match::snippet(a.body, body_hits, 280),
                             match::format_forms(match::matched_forms(doc, m))});
    topics.push_back(&topic);
  }
  entry.article = std::move(a);
  if (auto al = p.aliases.find(key); al != p.aliases.end()) entry.aliases = al->second;
  p.record.articles.push_back(std::move(entry));
  p.topics_of.push_back(std::move(topics));
}

void Pipeline::assign_stories(Poll& p, storage::PollRecord& r) {
  const Runtime& rt = *p.rt;
  // Webhooks that asked for story updates hear that the story reached another outlet, while the
  // topic still sends to them (a reload may have changed it).
  auto wants = [&rt](const std::string& webhook, const std::string& topic) {
    const config::Webhook* wh = rt.config.webhook(webhook);
    if (!wh || !wh->story_updates) return false;
    for (const auto& t : rt.topics)
      if (t.name == topic)
        return std::find(t.webhooks.begin(), t.webhooks.end(), webhook) != t.webhooks.end();
    return false;
  };
  stories_.catch_up();
  p.joined.assign(r.articles.size(), false);
  for (size_t i = 0; i < r.articles.size(); ++i) {
    auto& e = r.articles[i];
    e.alerts.clear();
    auto story = stories_.assign(e.article);
    p.joined[i] = !story.also.empty();
    if (!p.alerting) continue;
    for (size_t j = 0; j < e.matches.size(); ++j) {
      auto rows = alert::matched_rows(e.article, e.matches[j].topic, e.matches[j].snippet,
                                      p.topics_of[i][j]->webhooks, story.also);
      e.alerts.insert(e.alerts.end(), std::make_move_iterator(rows.begin()),
                      std::make_move_iterator(rows.end()));
    }
    // Behind the alerts, in the copy's transaction.
    if (story.new_outlet) {
      auto rows = stories_.updates(e.article, wants);
      e.alerts.insert(e.alerts.end(), std::make_move_iterator(rows.begin()),
                      std::make_move_iterator(rows.end()));
    }
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
  auto& st = p->state;
  auto& out = p->outcome;
  auto& rec = p->record;
  if (auto it = templates_.find(p->source->name); it != templates_.end()) {
    rec.site_template = it->second.serialize();
    rec.site_template_pages = static_cast<int>(it->second.pages());
    templates_.erase(it);
  }
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
    // A broken feed's entries were read (the back catalogue of a first poll included): later
    // polls alert what is new to them.
    if (out.entries > 0) st.initialized = true;
    st.last_error = out.error;
    st.consecutive_errors++;
    st.status = out.dead ? "dead" : "failing";
    log::warn("source=" + p->source->name + " poll failed (" +
              std::to_string(st.consecutive_errors) + " in a row): " + out.error);
  }
  if (p->plan) p->plan(out, st);
  rec.state = st;
  auto res = store_.record_poll(rec, [this, &p](storage::PollRecord& r) { assign_stories(*p, r); });
  if (!res) {
    // Nothing of the poll was written: its entries are new again at the next poll.
    log::error("source=" + p->source->name + " storage: recording the poll: " + res.error());
    out.ok = false;
    out.error = "storage: " + res.error();
    out.failure = PollFailure::storage;
  } else {
    for (size_t i = 0; i < res->articles.size(); ++i) {
      const auto& r = res->articles[i];
      const auto& e = rec.articles[i];
      if (r.duplicate) {
        out.duplicates++;
        continue;
      }
      stories_.stored(r.article_id);
      out.new_articles++;
      out.alerts += r.alerts_added;
      if (p->joined[i]) out.story_copies++;
      if (metrics_)
        for (const auto& m : e.matches) metrics_->matched(m.topic);
      log::info("source=" + e.article.source + " stored \"" + e.article.title + "\" (" +
                std::to_string(e.matches.size()) + " topics, " + std::to_string(r.alerts_added) +
                " alerts)");
    }
  }
  auto done = std::move(p->done);
  done(out);
}

}  // namespace rasid::daemon
