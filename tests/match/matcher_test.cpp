// Many topics: the presearcher must give exactly what evaluating every topic gives.
#include "match/matcher.h"

#include <gtest/gtest.h>

#include <atomic>
#include <random>
#include <thread>

using rasid::match::Document;
using rasid::match::Matcher;
using rasid::match::Query;
using rasid::match::TopicMatch;

namespace {

const char* kVocab[] = {"إيران",    "العراق", "بغداد",    "طهران",   "الحكومة",  "وزير",
                        "الخارجية", "النفط",  "مصر",      "القاهرة", "انتخابات", "الأمن",
                        "باريس",    "لندن",   "الاقتصاد", "covid",   "Reuters",  "2024",
                        "سوريا",    "فلسطين", "غزة"};
const char* kWordsInText[] = {"وإيران",     "الإيرانية", "بغداد",   "لطهران",  "والحكومة",
                              "الوزير",     "الخارجية",  "النفطية", "بمصر",    "القاهرة",
                              "الانتخابات", "الأمنية",   "باريس",   "لندن",    "الاقتصادية",
                              "COVID",      "Reuters",   "٢٠٢٤",    "السورية", "فلسطين",
                              "غزة",        "قال",       "في",      "من",      "على"};

std::string random_query(std::mt19937& rng) {
  auto w = [&] { return std::string(kVocab[rng() % std::size(kVocab)]); };
  switch (rng() % 8) {
    case 0:
      return w();
    case 1:
      return w() + " " + w();
    case 2:
      return w() + " OR " + w();
    case 3:
      return "(" + w() + " OR " + w() + ") " + w() + " -" + w();
    case 4:
      return "\"" + w() + " " + w() + "\"";
    case 5:
      return w() + " NEAR/3 " + w();
    case 6:
      return "title:" + w() + " OR " + w();
    default:
      return std::string(w()).substr(0, 6) + "*";
  }
}

Document random_doc(std::mt19937& rng) {
  Document d;
  for (int i = 0; i < 6; ++i)
    d.title += std::string(kWordsInText[rng() % std::size(kWordsInText)]) + " ";
  for (int i = 0; i < 60; ++i)
    d.body += std::string(kWordsInText[rng() % std::size(kWordsInText)]) + " ";
  d.lang = "ar";
  return d;
}

std::vector<int> ids(const std::vector<TopicMatch>& v) {
  std::vector<int> out;
  for (const auto& m : v) out.push_back(m.topic);
  return out;
}

}  // namespace

TEST(Matcher, PresearchEqualsBruteForce) {
  std::mt19937 rng(42);
  Matcher m;
  int added = 0;
  for (int i = 0; i < 2000; ++i) {
    auto q = Query::parse(random_query(rng));
    if (!q.ok()) continue;
    m.add(i, q.value());
    ++added;
  }
  ASSERT_GT(added, 1900);
  EXPECT_EQ(m.size(), static_cast<std::size_t>(added));
  std::size_t total = 0;
  for (int k = 0; k < 50; ++k) {
    Document d = random_doc(rng);
    auto fast = m.match(d);
    auto slow = m.match_brute_force(d);
    ASSERT_EQ(ids(fast), ids(slow)) << "doc " << k;
    for (std::size_t i = 0; i < fast.size(); ++i) {
      ASSERT_EQ(fast[i].hits.size(), slow[i].hits.size());
      EXPECT_FALSE(fast[i].hits.empty());
    }
    total += fast.size();
  }
  EXPECT_GT(total, 0u);
}

TEST(Matcher, HitsPointAtTheOriginalText) {
  Matcher m;
  m.add(7, Query::parse("إيران NOT لندن").value());
  m.add(8, Query::parse("title:بغداد").value());
  m.add(9, Query::parse("source:bbc").value());
  Document d{"أخبار بغداد", "قالت الحكومة الإيرانية إن وإيران", "Reuters", "ar"};
  auto r = m.match(d);
  ASSERT_EQ(ids(r), (std::vector<int>{7, 8}));
  ASSERT_EQ(r[0].hits.size(), 2u);
  EXPECT_FALSE(r[0].hits[0].in_title);
  EXPECT_EQ(d.body.substr(r[0].hits[0].begin, r[0].hits[0].end - r[0].hits[0].begin), "الإيرانية");
  EXPECT_EQ(d.body.substr(r[0].hits[1].begin, r[0].hits[1].end - r[0].hits[1].begin), "وإيران");
  ASSERT_EQ(r[1].hits.size(), 1u);
  EXPECT_TRUE(r[1].hits[0].in_title);
  EXPECT_EQ(d.title.substr(r[1].hits[0].begin, r[1].hits[0].end - r[1].hits[0].begin), "بغداد");
  EXPECT_EQ(rasid::match::snippet(d.body, r[0].hits, 200), "قالت الحكومة «الإيرانية» إن «وإيران»");
}

TEST(Matcher, TopicsWithoutRequiredTermsAreAlwaysCandidates) {
  Matcher m;
  m.add(1, Query::parse("source:\"Al Jazeera\"").value());
  m.add(2, Query::parse("lang:en").value());
  auto r = m.match(Document{"", "", "al  jazeera", "ar"});
  EXPECT_EQ(ids(r), (std::vector<int>{1}));
}

TEST(Matcher, EmptyMatcherAndEmptyDocument) {
  Matcher m;
  EXPECT_TRUE(m.match(Document{}).empty());
  m.add(1, Query::parse("إيران").value());
  EXPECT_TRUE(m.match(Document{}).empty());
  Matcher moved = std::move(m);
  EXPECT_EQ(moved.size(), 1u);
  EXPECT_EQ(moved.match(Document{"", "إيران", "", ""}).size(), 1u);
}

TEST(Matcher, ConcurrentMatchGivesTheSameResults) {
  std::mt19937 rng(5);
  Matcher m;
  for (int i = 0; i < 500; ++i) {
    auto q = Query::parse(random_query(rng));
    if (q.ok()) m.add(i, q.value());
  }
  std::vector<Document> docs;
  std::vector<std::vector<int>> expected;
  for (int k = 0; k < 20; ++k) {
    docs.push_back(random_doc(rng));
    expected.push_back(ids(m.match(docs.back())));
  }
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int round = 0; round < 5; ++round) {
        for (std::size_t k = 0; k < docs.size(); ++k) {
          if (ids(m.match(docs[k])) != expected[k]) ++wrong;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
}
