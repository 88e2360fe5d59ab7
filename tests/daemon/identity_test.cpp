// Entry identity rules (daemon/identity.h), each on its own, with the per-source verdict kept in
// a real SQLite store.
#include "daemon/identity.h"

#include <gtest/gtest.h>

#include <set>

#include "storage/store.h"
#include "tests/support/process.h"

namespace rasid::daemon {
namespace {

parse::Entry entry(std::string id, std::string link, std::string title = "t") {
  parse::Entry e;
  e.id = std::move(id);
  e.link = std::move(link);
  e.title = std::move(title);
  return e;
}

class IdentityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = storage::Store::open(testing::make_temp_dir() + "/rasid.db");
    ASSERT_TRUE(s.ok()) << s.error();
    store_ = std::move(s).value();
  }
  SeenFn seen_in(const std::string& source) {
    return [this, source](const std::string& key) { return store_->seen(source, key); };
  }
  // What the pipeline records for a stored entry: its key and its aliases.
  void record(const std::string& source, const IdentityDecision& d) {
    for (const auto& id : d.entries) {
      std::vector<std::string> keys = id.aliases;
      keys.push_back(id.key);
      ASSERT_TRUE(store_->mark_seen(source, keys).ok());
    }
  }
  std::unique_ptr<storage::Store> store_;
};

TEST(EntryKeyRules, GuidThenCanonicalLinkThenHashOfTitleAndDate) {
  auto e = entry("urn:x:1", "https://Example.com:443/a?utm_source=rss&id=7&fbclid=x#top");
  EXPECT_EQ(entry_key(e), "id:urn:x:1");
  EXPECT_EQ(entry_key(e, false), "url:https://example.com/a?id=7");
  e.id.clear();
  EXPECT_EQ(entry_key(e), "url:https://example.com/a?id=7");

  e.link.clear();
  e.title = "عنوان";
  e.published = parse::parse_date("2026-11-22T10:00:00Z");
  std::string k = entry_key(e);
  EXPECT_EQ(k.rfind("hash:", 0), 0u);
  EXPECT_EQ(k.size(), 5u + 16u);
  EXPECT_EQ(k, entry_key(e)) << "stable";
  e.published = parse::parse_date("2026-11-22T10:00:01Z");
  EXPECT_NE(k, entry_key(e)) << "the date is part of it";
  e.published.reset();
  EXPECT_NE(k, entry_key(e));
  EXPECT_EQ(hash_key(e), entry_key(e));
}

// An item with neither GUID nor link, dated in the future: the parser clamps the date to the
// poll's time, but its key must not follow the clock, or every poll announces it again.
TEST(EntryKeyRules, AFutureDateDoesNotMakeANewKeyAtEveryPoll) {
  const std::string rss =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\"><channel><title>t</title>"
      "<item><title>ب</title><pubDate>Tue, 01 Jan 2099 00:00:00 GMT</pubDate>"
      "<description>سوريا وإيران تبحثان التعاون</description></item></channel></rss>";
  auto key_at = [&](std::int64_t unix_s) {
    auto f = parse::parse_feed_bytes(rss, "application/rss+xml", "http://127.0.0.1/f.xml",
                                     parse::Time(std::chrono::seconds(unix_s)));
    EXPECT_TRUE(f.ok());
    EXPECT_EQ(f->entries.size(), 1u);
    return f->entries.empty() ? std::string() : entry_key(f->entries[0]);
  };
  const std::string first = key_at(1'800'000'000);
  EXPECT_EQ(first.rfind("hash:", 0), 0u);
  EXPECT_EQ(key_at(1'800'000'031), first);
  EXPECT_EQ(key_at(1'800'086'400), first);
}

TEST(EntryKeyRules, TrackingParametersAndFragmentsDoNotMakeANewEntry) {
  EXPECT_EQ(link_key("https://site.example/news/1?utm_medium=feed&utm_campaign=x"),
            link_key("https://SITE.example/news/1#comments"));
  EXPECT_EQ(link_key("http://site.example:80/news/1?gclid=abc"),
            link_key("http://site.example/news/1"));
  EXPECT_NE(link_key("https://site.example/news/1?id=2"), link_key("https://site.example/news/1"));
  EXPECT_EQ(link_key(""), "");
}

TEST_F(IdentityTest, TrustedGuidIsTheKeyAndTheLinkAnAlias) {
  std::vector<parse::Entry> es = {entry("g1", "https://s.example/a"),
                                  entry("g2", "https://s.example/b")};
  auto d = identify_entries(es, true, seen_in("s"));
  ASSERT_TRUE(d.ok()) << d.error();
  EXPECT_TRUE(d->trust_guid);
  EXPECT_TRUE(d->distrust_reason.empty());
  ASSERT_EQ(d->entries.size(), 2u);
  EXPECT_EQ(d->entries[0].key, "id:g1");
  EXPECT_EQ(d->entries[0].aliases, std::vector<std::string>{"url:https://s.example/a"});
  EXPECT_FALSE(d->entries[0].seen);
  record("s", d.value());

  auto again = identify_entries(es, true, seen_in("s"));
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->entries[0].seen);
  EXPECT_TRUE(again->entries[1].seen);
  EXPECT_EQ(again->churned, 0);
  EXPECT_TRUE(again->trust_guid);

  auto other = identify_entries(es, true, seen_in("another-source"));
  ASSERT_TRUE(other.ok());
  EXPECT_FALSE(other->entries[0].seen) << "identity is per source";
}

TEST_F(IdentityTest, GuidRepeatedAcrossDifferentEntriesIsNotTrusted) {
  std::vector<parse::Entry> es = {entry("https://s.example/", "https://s.example/a"),
                                  entry("https://s.example/", "https://s.example/b"),
                                  entry("https://s.example/", "https://s.example/c")};
  auto d = identify_entries(es, true, seen_in("s"));
  ASSERT_TRUE(d.ok());
  EXPECT_FALSE(d->trust_guid);
  EXPECT_NE(d->distrust_reason.find("repeats"), std::string::npos) << d->distrust_reason;
  std::set<std::string> keys;
  for (const auto& id : d->entries) keys.insert(id.key);
  EXPECT_EQ(keys, (std::set<std::string>{"url:https://s.example/a", "url:https://s.example/b",
                                         "url:https://s.example/c"}));

  // Without links the titles tell the entries apart.
  std::vector<parse::Entry> nolink = {entry("0", "", "خبر أول"), entry("0", "", "خبر ثان")};
  auto d2 = identify_entries(nolink, true, seen_in("s2"));
  ASSERT_TRUE(d2.ok());
  EXPECT_FALSE(d2->trust_guid);
  EXPECT_NE(d2->entries[0].key, d2->entries[1].key);
  EXPECT_EQ(d2->entries[0].key.rfind("hash:", 0), 0u);
}

TEST_F(IdentityTest, TheSameItemTwiceInOneFeedIsNotARepeat) {
  std::vector<parse::Entry> es = {entry("g1", "https://s.example/a"),
                                  entry("g1", "https://s.example/a?utm_source=x")};
  auto d = identify_entries(es, true, seen_in("s"));
  ASSERT_TRUE(d.ok());
  EXPECT_TRUE(d->trust_guid);
  EXPECT_EQ(d->entries[0].key, d->entries[1].key);
}

TEST_F(IdentityTest, GuidsThatChangeOnEveryFetchAreDetectedAndNothingIsNewAgain) {
  std::vector<parse::Entry> fetch1 = {entry("uuid-1", "https://s.example/a"),
                                      entry("uuid-2", "https://s.example/b"),
                                      entry("uuid-3", "https://s.example/c")};
  auto d1 = identify_entries(fetch1, true, seen_in("s"));
  ASSERT_TRUE(d1.ok());
  EXPECT_TRUE(d1->trust_guid);
  record("s", d1.value());

  std::vector<parse::Entry> fetch2 = {
      entry("uuid-4", "https://s.example/a"), entry("uuid-5", "https://s.example/b"),
      entry("uuid-6", "https://s.example/c"), entry("uuid-7", "https://s.example/new")};
  auto d2 = identify_entries(fetch2, true, seen_in("s"));
  ASSERT_TRUE(d2.ok());
  EXPECT_EQ(d2->churned, 3);
  EXPECT_FALSE(d2->trust_guid);
  EXPECT_NE(d2->distrust_reason.find("change between fetches"), std::string::npos);
  EXPECT_TRUE(d2->entries[0].seen);
  EXPECT_TRUE(d2->entries[1].seen);
  EXPECT_TRUE(d2->entries[2].seen);
  EXPECT_FALSE(d2->entries[3].seen) << "only the new link is new";
  EXPECT_EQ(d2->entries[3].key, "url:https://s.example/new");
  EXPECT_TRUE(d2->entries[3].aliases.empty());

  // Once untrusted, the caller passes trust_guid = false: no new verdict, link keys.
  auto d3 = identify_entries(fetch2, false, seen_in("s"));
  ASSERT_TRUE(d3.ok());
  EXPECT_FALSE(d3->trust_guid);
  EXPECT_TRUE(d3->distrust_reason.empty());
  EXPECT_EQ(d3->entries[0].key, "url:https://s.example/a");
  EXPECT_TRUE(d3->entries[0].seen);
}

TEST_F(IdentityTest, OneEditedGuidInABigFeedKeepsTrustButIsNotNew) {
  std::vector<parse::Entry> es;
  for (int i = 0; i < 6; ++i)
    es.push_back(entry("g" + std::to_string(i), "https://s.example/n/" + std::to_string(i)));
  auto d1 = identify_entries(es, true, seen_in("s"));
  ASSERT_TRUE(d1.ok());
  record("s", d1.value());
  es[2].id = "g2-rev2";
  auto d2 = identify_entries(es, true, seen_in("s"));
  ASSERT_TRUE(d2.ok());
  EXPECT_EQ(d2->churned, 1);
  EXPECT_TRUE(d2->trust_guid);
  EXPECT_EQ(d2->entries[2].key, "id:g2-rev2");
  EXPECT_TRUE(d2->entries[2].seen) << "its link was seen";
}

TEST_F(IdentityTest, SharedOrRootLinksAreNotIdentity) {
  // Every item links to the home page; the GUIDs are what tell them apart.
  std::vector<parse::Entry> es = {entry("g1", "https://s.example/", "أ"),
                                  entry("g2", "https://s.example/", "ب")};
  auto d = identify_entries(es, true, seen_in("s"));
  ASSERT_TRUE(d.ok());
  EXPECT_TRUE(d->trust_guid);
  EXPECT_TRUE(d->entries[0].aliases.empty());
  record("s", d.value());
  std::vector<parse::Entry> next = {entry("g3", "https://s.example/", "ج")};
  auto dn = identify_entries(next, true, seen_in("s"));
  ASSERT_TRUE(dn.ok());
  EXPECT_TRUE(dn->trust_guid) << "a root link seen before is not churn";
  EXPECT_FALSE(dn->entries[0].seen);

  // Without trusted GUIDs, shared links fall back to title + date.
  auto du = identify_entries(es, false, seen_in("s3"));
  ASSERT_TRUE(du.ok());
  EXPECT_EQ(du->entries[0].key.rfind("hash:", 0), 0u);
  EXPECT_NE(du->entries[0].key, du->entries[1].key);
}

TEST_F(IdentityTest, VerdictIsPersistedPerSource) {
  auto r = store_->guid_distrust("s");
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r.value(), "") << "trusted by default";
  ASSERT_TRUE(store_->set_guid_distrust("s", "GUIDs change").ok());
  EXPECT_EQ(store_->guid_distrust("s").value(), "GUIDs change");
  EXPECT_EQ(store_->guid_distrust("t").value(), "");
  ASSERT_TRUE(store_->set_guid_distrust("s", "").ok());
  EXPECT_EQ(store_->guid_distrust("s").value(), "");
}

TEST_F(IdentityTest, SeenErrorsAreReturned) {
  std::vector<parse::Entry> es = {entry("g1", "https://s.example/a")};
  auto d = identify_entries(es, true, [](const std::string&) -> Result<bool> {
    return Error{"storage: disk I/O error"};
  });
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.error().find("disk I/O"), std::string::npos);
}

TEST(ArticleCanonical, AmpAndMobilePagesMapToTheDeclaredCanonical) {
  const std::string main = "https://www.site.example/news/2026/11/22/talks";
  EXPECT_EQ(article_canonical("https://amp.site.example/news/2026/11/22/talks", main), main);
  EXPECT_EQ(article_canonical("https://m.site.example/news/2026/11/22/talks", main), main);
  EXPECT_EQ(article_canonical("https://www.site.example/news/2026/11/22/talks/amp", main), main);
  EXPECT_EQ(article_canonical("https://www.site.example/news/2026/11/22/talks?amp=1", main), main);
  EXPECT_EQ(article_canonical("https://www.site.example/amp/news/2026/11/22/talks", main), main);
  EXPECT_EQ(article_canonical("https://mobile.site.example/news/talks?outputType=amp",
                              main + "?utm_source=amp#x"),
            main)
      << "the declaration is canonicalized too";
}

TEST(ArticleCanonical, ImplausibleDeclarationsAreIgnored) {
  const std::string page = "https://site.example/news/5?utm_source=rss";
  EXPECT_EQ(article_canonical(page, ""), "https://site.example/news/5");
  EXPECT_EQ(article_canonical(page, "https://site.example/"), "https://site.example/news/5")
      << "a template that declares the home page for every article";
  EXPECT_EQ(article_canonical(page, "https://site.example"), "https://site.example/news/5");
  EXPECT_EQ(article_canonical(page, "javascript:alert(1)"), "https://site.example/news/5");
  EXPECT_EQ(article_canonical("https://site.example/", "https://site.example/"),
            "https://site.example/");
  // Syndicated copies that name the original are the same article.
  EXPECT_EQ(article_canonical(page, "https://origin.example/story/9"),
            "https://origin.example/story/9");
}

}  // namespace
}  // namespace rasid::daemon
