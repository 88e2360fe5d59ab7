// Near-duplicate fingerprints: shingles, exact Jaccard, MinHash estimate, LSH band collisions.
#include <gtest/gtest.h>

#include <random>

#include "text/text.h"

using namespace rasid::text;

namespace {

const std::string kStory =
    "أعلنت وزارة الخارجية العراقية اليوم الأحد أن وفدا رسميا سيتوجه إلى طهران الأسبوع المقبل "
    "لبحث ملفات المياه والحدود والتبادل التجاري بين البلدين، وأوضح المتحدث باسم الوزارة أن "
    "الزيارة تأتي بدعوة من الجانب الإيراني وتستمر ثلاثة أيام يلتقي خلالها الوفد عددا من "
    "المسؤولين في الحكومة الإيرانية";

// An agency rewrite: same facts, some words changed, a sentence added and one dropped.
const std::string kRewrite =
    "قالت وزارة الخارجية العراقية اليوم الأحد إن وفدا رسميا سيتوجه إلى طهران الأسبوع المقبل "
    "لبحث ملفات المياه والحدود والتبادل التجاري بين البلدين، وأوضح المتحدث باسم الوزارة أن "
    "الزيارة تأتي بدعوة من الجانب الإيراني. وكانت العلاقات بين البلدين قد شهدت تحسنا ملحوظا "
    "خلال العام الماضي";

const std::string kOther =
    "فاز المنتخب التونسي على نظيره المغربي بهدفين مقابل هدف في المباراة التي جرت مساء السبت "
    "على ملعب رادس ضمن التصفيات المؤهلة لكأس الأمم الأفريقية وسط حضور جماهيري كبير";

}  // namespace

TEST(Fingerprint, ShinglesAreStableSortedUnique) {
  auto a = shingles(words(kStory));
  auto b = shingles(words(kStory));
  EXPECT_EQ(a, b);
  EXPECT_TRUE(std::is_sorted(a.begin(), a.end()));
  EXPECT_EQ(std::adjacent_find(a.begin(), a.end()), a.end());
  EXPECT_TRUE(shingles({}).empty());
  EXPECT_EQ(shingles({"a", "b"}, 3).size(), 1u);
  EXPECT_EQ(shingles({"a", "b", "c", "d"}, 3).size(), 2u);
  // Word boundaries count: "ab c" and "a bc" differ.
  EXPECT_NE(shingles({"ab", "c"}, 2), shingles({"a", "bc"}, 2));
  // Normalization makes spelling variants identical.
  EXPECT_EQ(shingles(words("إلى الأمم المتحدة")), shingles(words("الى الامم المتحده")));
}

TEST(Fingerprint, JaccardExact) {
  EXPECT_DOUBLE_EQ(jaccard({1, 2, 3}, {2, 3, 4}), 0.5);
  EXPECT_DOUBLE_EQ(jaccard({1, 2}, {1, 2}), 1.0);
  EXPECT_DOUBLE_EQ(jaccard({1}, {2}), 0.0);
  EXPECT_DOUBLE_EQ(jaccard({}, {}), 0.0);
  const double rewrite = jaccard(shingles(words(kStory)), shingles(words(kRewrite)));
  EXPECT_GT(rewrite, 0.4);
  EXPECT_LT(rewrite, 0.8);
  EXPECT_LT(jaccard(shingles(words(kStory)), shingles(words(kOther))), 0.05);
}

TEST(Fingerprint, MinHashEstimatesJaccard) {
  std::mt19937_64 rng(7);
  // Sets with a known Jaccard of 1/3: 1000 shared, 1000 + 1000 own.
  std::vector<std::uint64_t> a, b;
  for (int i = 0; i < 1000; ++i) {
    std::uint64_t x = rng();
    a.push_back(x);
    b.push_back(x);
  }
  for (int i = 0; i < 1000; ++i) a.push_back(rng());
  for (int i = 0; i < 1000; ++i) b.push_back(rng());
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  const double est = minhash_similarity(minhash(a, 512), minhash(b, 512));
  EXPECT_NEAR(est, 1.0 / 3.0, 0.07);
  EXPECT_DOUBLE_EQ(minhash_similarity(minhash(a), minhash(a)), 1.0);
  EXPECT_EQ(minhash(a).size(), kMinHashSize);
}

TEST(Fingerprint, LshBandsCollideForRewritesNotForOtherStories) {
  auto story = lsh_bands(minhash(shingles(words(kStory))));
  auto rewrite = lsh_bands(minhash(shingles(words(kRewrite))));
  auto other = lsh_bands(minhash(shingles(words(kOther))));
  ASSERT_EQ(story.size(), kLshBands);
  auto shared = [](const auto& x, const auto& y) {
    int n = 0;
    for (std::size_t i = 0; i < x.size(); ++i) n += x[i] == y[i];
    return n;
  };
  EXPECT_GT(shared(story, rewrite), 0);
  EXPECT_EQ(shared(story, other), 0);
  EXPECT_EQ(shared(story, story), static_cast<int>(kLshBands));
  EXPECT_TRUE(lsh_bands({}).empty());
}

TEST(StoryIndex, FindsTheRewriteNotTheOtherStory) {
  StoryIndex idx(100, 0.4);
  idx.add(1, shingles(words(kStory)));
  idx.add(2, shingles(words(kOther)));
  EXPECT_EQ(idx.size(), 2u);
  auto f = idx.find(shingles(words(kRewrite)));
  EXPECT_EQ(f.id, 1);
  EXPECT_GT(f.jaccard, 0.4);
  EXPECT_EQ(idx.find(shingles(words(kOther))).id, 2);
  EXPECT_DOUBLE_EQ(idx.find(shingles(words(kOther))).jaccard, 1.0);
  EXPECT_EQ(idx.find(shingles(words("خبر قصير جدا عن موضوع آخر تماما لا علاقة له"))).id, 0);
  EXPECT_EQ(idx.find({}).id, 0);
}

TEST(StoryIndex, CapacityDropsTheOldest) {
  StoryIndex idx(2, 0.5);
  idx.add(1, shingles(words(kStory)));
  idx.add(2, shingles(words(kOther)));
  idx.add(3, shingles(words("نص ثالث مختلف عن النصين السابقين في كل كلماته تقريبا وبشكل واضح")));
  EXPECT_EQ(idx.size(), 2u);
  EXPECT_EQ(idx.find(shingles(words(kStory))).id, 0);  // evicted
  EXPECT_EQ(idx.find(shingles(words(kOther))).id, 2);
  idx.add(4, {});  // ignored
  EXPECT_EQ(idx.size(), 2u);
}
