// rasid search / rasid topics test: the topic language over stored articles (FTS5 prefilter,
// then exact confirmation).
#include <unicode/brkiter.h>
#include <unicode/utext.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <memory>
#include <nlohmann/json.hpp>

#include "daemon/commands.h"
#include "daemon/runtime.h"
#include "daemon/status.h"
#include "parse/parser.h"
#include "text/date.h"
#include "text/text.h"

namespace rasid::daemon {

namespace {

constexpr std::size_t kSnippetChars = 240;
constexpr std::size_t kTitleGraphemes = 100;  // titles in text output (JSON has them whole)

// An alternative as FTS5 text, or "" when the index cannot express it exactly as a superset
// (a word the tokenizer would split differently).
std::string alternative(const match::Query::Requirement& r) {
  std::string phrase;
  for (const std::string& w : r.words) {
    if (text::words(w) != std::vector<std::string>{w}) return "";
    phrase += (phrase.empty() ? "" : " ") + w;
  }
  if (phrase.empty()) return "";
  std::string out = fts_string(phrase);
  if (r.prefix) out += " *";
  if (r.title_only) out = "title : " + out;
  return out;
}

std::string date_of(const storage::Article& a) {
  return a.published ? text::format_iso8601(*a.published) : iso_ms(a.fetched_at);
}

match::Document document(const storage::Article& a) {
  return match::Document{a.title, a.body, a.source, a.lang};
}

SearchHit make_hit(const storage::Article& a, const match::Matcher& highlighter) {
  SearchHit h;
  h.article = a;
  std::vector<match::Hit> in_title, in_body;
  for (const auto& tm : highlighter.match(document(a)))
    for (const auto& x : tm.hits) (x.in_title ? in_title : in_body).push_back(x);
  // The whole title, marked: a window around the first hit would drop the title's beginning
  // (its right-hand side in Arabic). Every code point fits in 3 × bytes + 3.
  h.title = match::snippet(a.title, in_title, 3 * a.title.size() + 3);
  h.snippet = match::snippet(a.body, in_body, kSnippetChars);
  return h;
}

nlohmann::json hit_json(const SearchHit& h) {
  const auto& a = h.article;
  return {{"id", a.id},
          {"source", a.source},
          {"title", a.title},
          {"title_marked", h.title},
          {"published", a.published ? text::format_iso8601(*a.published) : ""},
          {"fetched_at", iso_ms(a.fetched_at)},
          {"url", a.url},
          {"snippet", h.snippet}};
}

}  // namespace

std::string cut_graphemes(const std::string& s, std::size_t max_graphemes) {
  UErrorCode err = U_ZERO_ERROR;
  UText* ut = utext_openUTF8(nullptr, s.data(), static_cast<int64_t>(s.size()), &err);
  std::unique_ptr<icu::BreakIterator> it(
      icu::BreakIterator::createCharacterInstance(icu::Locale::getRoot(), err));
  if (U_FAILURE(err) || !it) {
    utext_close(ut);
    return s;
  }
  it->setText(ut, err);
  std::size_t n = 0;
  int32_t cut = -1;
  for (int32_t b = it->next(); b != icu::BreakIterator::DONE; b = it->next()) {
    if (++n == max_graphemes) {
      cut = b;
      if (it->next() == icu::BreakIterator::DONE) cut = -1;  // exactly max: nothing to cut
      break;
    }
  }
  utext_close(ut);
  if (cut < 0 || max_graphemes == 0) return max_graphemes == 0 ? std::string() : s;
  std::string out = s.substr(0, static_cast<std::size_t>(cut));
  while (!out.empty() && out.back() == ' ') out.pop_back();
  // A hit marker opened before the cut is closed, so that the marks stay paired.
  std::size_t open = 0, pos = 0;
  static const std::string kOpen = "«", kClose = "»";
  while ((pos = out.find(kOpen, pos)) != std::string::npos) ++open, pos += kOpen.size();
  for (pos = 0; (pos = out.find(kClose, pos)) != std::string::npos; pos += kClose.size())
    if (open) --open;
  for (; open; --open) out += kClose;
  return out + "…";
}

namespace {

void print_hit(const SearchHit& h) {
  std::printf("%s  %s  %s\n", date_of(h.article).c_str(), h.article.source.c_str(),
              cut_graphemes(h.title, kTitleGraphemes).c_str());
  if (!h.snippet.empty()) std::printf("    %s\n", h.snippet.c_str());
  std::printf("    %s\n", h.article.url.c_str());
}

struct Opened {
  std::shared_ptr<const Runtime> rt;
  std::unique_ptr<storage::Store> store;
};

Result<Opened> open_all(const std::string& config_path) {
  auto rt = load_runtime(config_path);
  if (!rt) return Error{rt.error()};
  const std::string& db = rt.value()->config.daemon.database;
  auto store = storage::Store::open(db);
  if (!store) return Error{"database " + db + ": " + store.error()};
  return Opened{rt.value(), std::move(store).value()};
}

}  // namespace

std::string fts_prefilter(const match::Query& query) {
  std::string out;
  for (const auto& group : query.required()) {
    std::string any;
    bool exact = true;
    for (const auto& r : group) {
      std::string alt = alternative(r);
      if (alt.empty()) {
        exact = false;
        break;
      }
      any += (any.empty() ? "" : " OR ") + alt;
    }
    // Dropping a group of the AND keeps the prefilter a superset of the matches.
    if (!exact || any.empty()) continue;
    out += (out.empty() ? "(" : " AND (") + any + ")";
  }
  return out;
}

storage::Millis newness(const storage::Article& a) {
  if (const auto& t = a.published) {
    storage::Millis ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(t->at.time_since_epoch()).count();
    // A date after the article was fetched is a feed's mistake: it must not pin it on top.
    if (a.fetched_at <= 0 || ms <= a.fetched_at) return ms;
  }
  return a.fetched_at;
}

Result<SearchOutcome> search_history(storage::Store& store, const match::Query& query,
                                     storage::Millis since, int max_hits, bool count_all) {
  SearchOutcome out;
  out.fts = fts_prefilter(query);
  // The scan goes in storage order (newest fetched first); the answer is newest first by the
  // article's own date (newness()), so the max_hits newest are kept in a heap whose front is the
  // oldest kept. newness() never exceeds fetched_at, and ids grow with fetched_at (one writer
  // stamping now_ms), so once the heap is full and an article was fetched before the oldest
  // kept date, no later candidate can enter: without count_all the scan stops there.
  using Keyed = std::pair<storage::Millis, storage::Article>;
  auto newer = [](const Keyed& x, const Keyed& y) {
    if (x.first != y.first) return x.first > y.first;
    return x.second.id > y.second.id;
  };
  std::vector<Keyed> heap;
  auto full = [&] { return static_cast<int>(heap.size()) >= max_hits; };
  match::Matcher highlighter;
  highlighter.add(0, query);
  auto st = store.scan_articles(out.fts, since, [&](const storage::Article& a) {
    if (!count_all && full() && a.fetched_at < heap.front().first) return false;
    ++out.candidates;
    const match::Document doc = document(a);
    if (!query.matches(doc)) return true;
    ++out.matched;
    if (count_all) {
      for (const auto& tm : highlighter.match(doc)) {
        for (auto& f : match::matched_forms(doc, tm)) {
          auto it = std::find_if(out.forms.begin(), out.forms.end(), [&](const auto& x) {
            return x.term == f.term && x.form == f.form;
          });
          if (it == out.forms.end()) {
            out.forms.push_back(std::move(f));
          } else {
            it->count += f.count;
          }
        }
      }
    }
    if (max_hits <= 0) return true;
    Keyed k{newness(a), a};
    if (!full()) {
      heap.push_back(std::move(k));
      std::push_heap(heap.begin(), heap.end(), newer);
    } else if (newer(k, heap.front())) {
      std::pop_heap(heap.begin(), heap.end(), newer);
      heap.back() = std::move(k);
      std::push_heap(heap.begin(), heap.end(), newer);
    }
    return true;
  });
  if (!st) return Error{st.error()};
  std::sort_heap(heap.begin(), heap.end(), newer);
  // Each term's forms together (terms in order of first match), the most frequent first.
  std::vector<std::string> terms;
  for (const auto& f : out.forms)
    if (std::find(terms.begin(), terms.end(), f.term) == terms.end()) terms.push_back(f.term);
  auto rank = [&](const std::string& t) { return std::find(terms.begin(), terms.end(), t); };
  std::stable_sort(out.forms.begin(), out.forms.end(), [&](const auto& x, const auto& y) {
    if (x.term != y.term) return rank(x.term) < rank(y.term);
    return x.count > y.count;
  });
  for (const auto& [key, a] : heap) out.hits.push_back(make_hit(a, highlighter));
  return out;
}

int cmd_search(const std::string& config_path, const std::string& query_text,
               const std::string& since, int limit, bool json) {
  auto q = match::Query::parse(query_text);
  if (!q) {
    std::fprintf(stderr, "query: %s\n", q.error().c_str());
    return 1;
  }
  const storage::Millis now = storage::now_ms();
  // Search covers the whole history unless --since narrows it.
  auto from = since.empty() ? std::optional<storage::Millis>(0) : parse_since(since, now, 0);
  if (!from) {
    std::fprintf(stderr, "--since: use 24h, 7d, 2024-05-01 or 2024-05-01T10:00:00Z\n");
    return 1;
  }
  auto opened = open_all(config_path);
  if (!opened) {
    std::fprintf(stderr, "%s\n", opened.error().c_str());
    return 1;
  }
  auto r = search_history(*opened->store, q.value(), *from, limit, false);
  if (!r) {
    std::fprintf(stderr, "search: %s\n", r.error().c_str());
    return 1;
  }
  if (json) {
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& h : r->hits) arr.push_back(hit_json(h));
    std::printf("%s\n", json_text({{"query", query_text},
                                   {"prefilter", r->fts},
                                   {"candidates", r->candidates},
                                   {"results", arr}},
                                  2)
                            .c_str());
    return 0;
  }
  if (r->hits.empty()) {
    std::printf("no stored article matches %s\n", query_text.c_str());
    return 0;
  }
  for (const auto& h : r->hits) print_hit(h);
  return 0;
}

int cmd_topics_test(const std::string& config_path, const std::string& topic,
                    const std::string& query_text, const std::string& since, int limit, bool json) {
  if (topic.empty() == query_text.empty()) {
    std::fprintf(stderr, "topics test: give a topic NAME or --query Q (one of them)\n");
    return 1;
  }
  auto opened = open_all(config_path);
  if (!opened) {
    std::fprintf(stderr, "%s\n", opened.error().c_str());
    return 1;
  }
  std::string text = query_text;
  if (!topic.empty()) {
    const auto& ts = opened->rt->config.topics;
    auto it = std::find_if(ts.begin(), ts.end(), [&](const auto& t) { return t.name == topic; });
    if (it == ts.end()) {
      std::fprintf(stderr, "no topic named \"%s\" in %s\n", topic.c_str(), config_path.c_str());
      return 1;
    }
    text = it->query;
  }
  auto q = match::Query::parse(text);
  if (!q) {
    std::fprintf(stderr, "query: %s\n", q.error().c_str());
    return 1;
  }
  const storage::Millis now = storage::now_ms();
  auto from = parse_since(since, now, 30LL * 24 * 3600 * 1000);
  if (!from) {
    std::fprintf(stderr, "--since: use 24h, 30d, 2024-05-01 or 2024-05-01T10:00:00Z\n");
    return 1;
  }
  auto r = search_history(*opened->store, q.value(), *from, limit, true);
  if (!r) {
    std::fprintf(stderr, "topics test: %s\n", r.error().c_str());
    return 1;
  }
  const std::string window = since.empty() ? "30d" : since;
  if (json) {
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& h : r->hits) arr.push_back(hit_json(h));
    nlohmann::json forms = nlohmann::json::array();
    for (const auto& f : r->forms)
      forms.push_back({{"term", f.term}, {"form", f.form}, {"count", f.count}});
    std::printf("%s\n", json_text({{"topic", topic},
                                   {"query", text},
                                   {"since", iso_ms(*from)},
                                   {"prefilter", r->fts},
                                   {"candidates", r->candidates},
                                   {"matched", r->matched},
                                   {"forms", forms},
                                   {"samples", arr}},
                                  2)
                            .c_str());
    return 0;
  }
  std::printf("%s: %d stored article%s matched since %s (%d candidate%s checked)\n",
              topic.empty() ? text.c_str() : topic.c_str(), r->matched, r->matched == 1 ? "" : "s",
              window.c_str(), r->candidates, r->candidates == 1 ? "" : "s");
  // What each term matched, as written in the articles: "مال: المال 120, ماله 8, كمال 30".
  for (std::size_t i = 0; i < r->forms.size(); ++i) {
    const auto& f = r->forms[i];
    const bool first = i == 0 || r->forms[i - 1].term != f.term;
    std::printf("%s%s %d", first ? (i ? "\n  " : "  ") : ", ",
                first ? (f.term + ": " + f.form).c_str() : f.form.c_str(), f.count);
  }
  if (!r->forms.empty()) std::printf("\n");
  for (const auto& h : r->hits) print_hit(h);
  return 0;
}

}  // namespace rasid::daemon
