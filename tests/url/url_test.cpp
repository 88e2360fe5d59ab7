// tests/url/url_test.cpp — the url module: resolution, canonical form, host keys, the http(s)
// check, IDN. The first four tests moved here unchanged from tests/parse/date_url_test.cpp.
#include "url/url.h"

#include <curl/curl.h>
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "tests/support/http_server.h"
#include "text/text.h"

using namespace rasid::url;

TEST(Url, Resolve) {
  const std::string b = "http://a/b/c/d;p?q";
  EXPECT_EQ(resolve_http(b, "g"), "http://a/b/c/g");
  EXPECT_EQ(resolve_http(b, "./g"), "http://a/b/c/g");
  EXPECT_EQ(resolve_http(b, "g/"), "http://a/b/c/g/");
  EXPECT_EQ(resolve_http(b, "/g"), "http://a/g");
  EXPECT_EQ(resolve_http(b, "//g"), "http://g/");
  EXPECT_EQ(resolve_http(b, "?y"), "http://a/b/c/d;p?y");
  EXPECT_EQ(resolve_http(b, "g?y#s"), "http://a/b/c/g?y#s");
  EXPECT_EQ(resolve_http(b, ""), "http://a/b/c/d;p?q");
  EXPECT_EQ(resolve_http(b, ".."), "http://a/b/");
  EXPECT_EQ(resolve_http(b, "../../../g"), "http://a/g");
  EXPECT_EQ(resolve_http(b, "  https://x.org/a  "), "https://x.org/a");
  EXPECT_EQ(resolve_http(b, "javascript:alert(1)"), "");
  EXPECT_EQ(resolve_http(b, "mailto:a@b.c"), "");
  EXPECT_EQ(resolve_http("", "relative"), "");
}

TEST(Url, CanonicalStripsTrackingAndFragment) {
  EXPECT_EQ(canonical("HTTPS://WWW.Example.COM:443/a/b?utm_source=x&id=5&fbclid=abc#top"),
            "https://www.example.com/a/b?id=5");
  EXPECT_EQ(canonical("http://example.com:80"), "http://example.com/");
  EXPECT_EQ(canonical("http://example.com:8080/x"), "http://example.com:8080/x");
  EXPECT_EQ(canonical("http://example.com/a?gclid=1&mc_cid=2&mc_eid=3&igshid=4&ref_src=5"),
            "http://example.com/a");
  EXPECT_EQ(canonical("http://example.com/%7euser/./x/../y"), "http://example.com/~user/y");
  EXPECT_EQ(canonical("http://example.com/a%2fb"), "http://example.com/a%2Fb");
}

TEST(Url, CanonicalArabicPathIsPercentEncodedUtf8) {
  const std::string raw = "https://example.com/أخبار/سياسة?q=مصر";
  const std::string enc =
      "https://example.com/%D8%A3%D8%AE%D8%A8%D8%A7%D8%B1/%D8%B3%D9%8A%D8%A7%D8%B3%D8%A9"
      "?q=%D9%85%D8%B5%D8%B1";
  EXPECT_EQ(canonical(raw), enc);
  EXPECT_EQ(canonical(enc), enc);
  // lower-case escapes are the same URL
  EXPECT_EQ(canonical("https://example.com/%d8%a3"), "https://example.com/%D8%A3");
  EXPECT_EQ(canonical(canonical(raw)), canonical(raw));
}

TEST(Url, Host) {
  EXPECT_EQ(host("https://User@WWW.Example.com:8443/x"), "www.example.com");
  EXPECT_EQ(host("http://[::1]:80/"), "[::1]");
  EXPECT_EQ(host("/relative"), "");
}

// parse/url.cpp and clean/meta.cpp each resolved on their own; meta's copy kept "dir/../x".
TEST(Url, ResolveRemovesDotSegmentsOfTheReference) {
  EXPECT_EQ(resolve_http("https://site.example/news/today.html", "dir/../x"),
            "https://site.example/news/x");
  EXPECT_EQ(resolve_http("https://site.example/a/b/", "../../../x?y=1"),
            "https://site.example/x?y=1");
  // RFC 3986 5.2.2: a fragment-only reference keeps the base's path and query (libcurl 7.88's
  // own resolver drops them; url:: corrects it).
  EXPECT_EQ(resolve_http("http://a/b/c/d;p?q", "#s"), "http://a/b/c/d;p?q#s");
  // Other schemes are kept as written, whatever the base.
  EXPECT_EQ(resolve("http://a/b/", "tag:example.com,2005:x/../y"), "tag:example.com,2005:x/../y");
  EXPECT_EQ(resolve("tag:example.com,2005:", "x"), "x");
}

TEST(Url, RawArabicReferenceIsEscapedAsUtf8) {
  EXPECT_EQ(resolve_http("https://site.example/news/", "أخبار?q=a b"),
            "https://site.example/news/%D8%A3%D8%AE%D8%A8%D8%A7%D8%B1?q=a%20b");
}

// IDN: the host was kept as written, so the politeness key of "مثال.إختبار" and of its
// punycode spelling differed, and libcurl's own conversion depends on the locale.
TEST(Url, InternationalizedHostIsKeyedAndCanonicalizedInPunycode) {
  const std::string idn =
      "https://\u0645\u062B\u0627\u0644.\u0625\u062E\u062A\u0628\u0627\u0631/feed";
  EXPECT_EQ(host(idn), "xn--mgbh0fb.xn--kgbechtv");
  EXPECT_EQ(host("https://XN--MGBH0FB.xn--kgbechtv./feed"), "xn--mgbh0fb.xn--kgbechtv");
  EXPECT_EQ(canonical(idn), "https://xn--mgbh0fb.xn--kgbechtv/feed");
  EXPECT_EQ(host("https://B\u00FCcher.example/"), "xn--bcher-kva.example");
  std::string why;
  EXPECT_EQ(request_form(idn, &why), "https://xn--mgbh0fb.xn--kgbechtv/feed") << why;
}

TEST(Url, RequestFormRefusesWhatCannotBeFetched) {
  std::string why;
  EXPECT_EQ(request_form("ftp://x.org/feed", &why), "");
  EXPECT_EQ(why, "must be an http:// or https:// URL");
  EXPECT_EQ(request_form("https://", &why), "");
  EXPECT_EQ(why, "has no host");
  EXPECT_EQ(request_form("http://x.org:99999/", &why), "");
  EXPECT_EQ(why, "malformed port");
  EXPECT_EQ(request_form("https://\u0301x.example/", &why), "");  // leading combining mark
  EXPECT_EQ(request_form("https://X.org/\u0623?q=1", &why), "https://x.org/%D8%A3?q=1");
  EXPECT_TRUE(has_credentials("https://user:pw@h.org/"));
  EXPECT_TRUE(has_credentials("https://user@h.org/"));
  EXPECT_FALSE(has_credentials("https://h.org/@x"));
}

TEST(Url, DecodeQueryText) {
  EXPECT_EQ(decode("a+b%20c%D8%A3", true), "a b c\u0623");
  EXPECT_EQ(decode("a+b", false), "a+b");
  EXPECT_EQ(decode("%zz%4", true), "%zz%4");
}

// The fetcher keys its per-host queue by host(request_form(u)), the service keys Retry-After by
// host(u): the two must agree for every spelling (case, trailing dot, IDN, numeric hosts that
// libcurl rewrites as addresses).
TEST(Url, HostKeyIsTheHostOfTheRequest) {
  for (const char* u : {"http://80./x", "http://LOCALHOST.:8080/", "https://مثال.إختبار/",
                        "http://[::1]:80/", "http://0x7f.1/", "https://B\u00FCcher.example./a"}) {
    std::string why;
    std::string r = request_form(u, &why);
    ASSERT_FALSE(r.empty()) << u << ": " << why;
    EXPECT_EQ(host(r), host(u)) << u;
  }
  EXPECT_EQ(host("http://LOCALHOST.:8080/"), "localhost");
  EXPECT_EQ(host("http://0x7f.1/"), "127.0.0.1");
}

// resolve() returns an absolute reference libcurl would write back unchanged without parsing it
// (a speed shortcut): on these spellings it must give what libcurl gives.
TEST(Url, AbsoluteShortcutAgreesWithLibcurl) {
  for (const char* ref :
       {"https://www.example.com/news/2024/05/01/a.html?id=5&x=y#frag", "http://a.b/./x",
        "http://A.B/x/../y", "http://a.b/%2e%2E/x?q=%aa", "https://h-1.ex/a/b/.hidden/..x/c.?d",
        "http://h.io/x..y/.z/", "https://h.io/a/b/..", "http://h.io/a?b/../c#d/./e", "http://9/x",
        "http://0x7f.1/x", "http://h.io./x", "http://h.io/x?", "http://h.io/x#", "http://h.io:80/x",
        "http://u@h.io/x", "http://h.io/a<b>\"c"}) {
    CURLU* u = curl_url();
    char* out = nullptr;
    ASSERT_EQ(curl_url_set(u, CURLUPART_URL, ref, CURLU_NON_SUPPORT_SCHEME | CURLU_URLENCODE),
              CURLUE_OK)
        << ref;
    ASSERT_EQ(curl_url_get(u, CURLUPART_URL, &out, 0), CURLUE_OK);
    std::string want = out;
    curl_free(out);
    curl_url_cleanup(u);
    for (std::size_t i = 0; i + 2 < want.size(); ++i)
      if (want[i] == '%')
        for (std::size_t k = i + 1; k <= i + 2; ++k)
          if (want[k] >= 'a' && want[k] <= 'f') want[k] = static_cast<char>(want[k] - 32);
    EXPECT_EQ(resolve("https://base.example/dir/page", ref), want) << ref;
  }
}

namespace {

// What resolve() is defined to give for a reference libcurl resolves (no control bytes, no
// "http:foo", not empty, not a fragment): libcurl's URL for the reference set on the parsed
// base (an absolute reference parsed alone), escapes upper-cased; "" when libcurl refuses.
std::string libcurl_resolution(const std::string& base, const std::string& ref) {
  const unsigned flags = CURLU_NON_SUPPORT_SCHEME | CURLU_URLENCODE;
  CURLU* u = curl_url();
  std::string want;
  char* out = nullptr;
  const bool absolute = ref.starts_with("http://") || ref.starts_with("https://");
  if ((absolute || curl_url_set(u, CURLUPART_URL, base.c_str(), flags) == CURLUE_OK) &&
      curl_url_set(u, CURLUPART_URL, ref.c_str(), flags) == CURLUE_OK &&
      curl_url_get(u, CURLUPART_URL, &out, 0) == CURLUE_OK) {
    want = out;
    curl_free(out);
  }
  curl_url_cleanup(u);
  for (std::size_t i = 0; i + 2 < want.size(); ++i)
    if (want[i] == '%' && std::isxdigit(static_cast<unsigned char>(want[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(want[i + 2]))) {
      for (std::size_t k = i + 1; k <= i + 2; ++k)
        if (want[k] >= 'a' && want[k] <= 'f') want[k] = static_cast<char>(want[k] - 32);
      i += 2;
    }
  return want;
}

}  // namespace

// resolve() returns plain relative references ("a.html", "dir/x", "/dir/x") without asking
// libcurl per link (the base's directory and origin are read off libcurl's first answer), and
// absolute http(s) URLs libcurl would write back unchanged as given: both shortcuts must give
// libcurl's own answer.
// Checked over edge cases and over every link-like value of the feed corpora (tier1 + feeds-ar),
// against bases of many shapes, each reference resolved twice (the base cached and not).
TEST(Url, ShortcutsAgreeWithLibcurlOverTheCorpora) {
  std::vector<std::string> bases = {"https://base.example/dir/page",
                                    "http://example.com/test/",
                                    "https://example.com/feed",
                                    "http://h.io",
                                    "http://h.io/",
                                    "http://h.io/a/b?q=1#f",
                                    "https://H.Example:8443/a/./b/../c/d",
                                    "http://h.io/a/..",
                                    "http://h.io/a/.",
                                    "http://u:p@h.io/x/y",
                                    "http://[::1]:8080/a/b",
                                    "http://h.io:80/a/b",
                                    "https://\xD9\x85\xD8\xAB\xD8\xA7\xD9\x84.example/\xD8\xA3/b",
                                    "http://h.io/%7euser/a%2fb/c",
                                    "http://h.io/a%c3%a9/b c/d",
                                    "http://9/x/y",
                                    "HTTP://h.io/A/B",
                                    "http://h.io/a;p/b;q?x#y"};
  std::vector<std::string> refs = {"a",
                                   "a.html",
                                   "dir/a.html",
                                   "/dir/a.html",
                                   "/",
                                   "dir/",
                                   "a/b/c/",
                                   ".a",
                                   "a.",
                                   "..a",
                                   "a..",
                                   "...",
                                   "~x",
                                   "-_.~",
                                   "A-Z",
                                   "/.a/b..",
                                   "x",
                                   "/x",
                                   ".",
                                   "..",
                                   "./a",
                                   "../a",
                                   "a/./b",
                                   "a/../b",
                                   "a//b",
                                   "//h2/x",
                                   "a?b",
                                   "a#b",
                                   "%41",
                                   "%2e%2e/a",
                                   "a b",
                                   "a:b",
                                   "/a:b",
                                   "a/b;c",
                                   "/a@b",
                                   "a!b",
                                   "/..",
                                   "/.",
                                   "/a/..",
                                   "a/.",
                                   "//",
                                   "///a",
                                   "\\a",
                                   "a\\b",
                                   "?",
                                   "https://x.org/a",
                                   "http://x.org/a/../b",
                                   "https://x.org"};
  if (rasid::testing::shared_available()) {
    std::vector<std::string> files = {
        rasid::testing::shared_path("corpus/feeds-ar/arabic_rss_50items.xml")};
    std::ifstream list(rasid::testing::shared_path("corpus/feedparser/subset_tier1_core.txt"));
    for (std::string line; std::getline(list, line);)
      if (!line.empty())
        files.push_back(rasid::testing::shared_path("corpus/feedparser/tests/" + line));
    const std::regex attr(R"((?:href|src|url|xml:base)\s*=\s*["']([^"'<>]*)["'])");
    const std::regex elem(
        R"(<(?:\w+:)?(?:link|guid|id|url|uri|comments|docs)(?:\s[^>]*)?>([^<]*)<)");
    std::set<std::string> seen(refs.begin(), refs.end());
    std::size_t found = 0;
    for (const auto& f : files) {
      const std::string body = rasid::testing::read_file(f);
      for (const std::regex* re : {&attr, &elem})
        for (std::sregex_iterator it(body.begin(), body.end(), *re), end; it != end; ++it) {
          ++found;
          if (seen.insert((*it)[1].str()).second) refs.push_back((*it)[1].str());
        }
    }
    EXPECT_GT(found, 250u);
  }
  std::size_t compared = 0;
  for (int round = 0; round < 3; ++round)
    for (const auto& base : bases)
      for (const auto& ref : refs) {
        // Only references resolve() hands to libcurl as they are (its other rules have their
        // own tests): trimmed, no control bytes or spaces, not empty or a fragment, no
        // "http:foo", a result that is UTF-8.
        if (ref.empty() || ref[0] == '#' || ref.find_first_of(" \t\r\n") != std::string::npos)
          continue;
        if (!scheme(ref).empty() && !ref.starts_with("http://") && !ref.starts_with("https://"))
          continue;
        const std::string want = libcurl_resolution(base, ref);
        if (want.empty() || !rasid::text::is_valid_utf8(want)) continue;
        ++compared;
        // round 0: a newly parsed base (libcurl answers); round 1: the base cached over the
        // list (earlier plain references give the prefixes); round 2: a newly parsed base whose
        // prefixes come from "x" and "/x"
        if (round != 1) resolve("http://other.example/", "z");
        if (round == 2) resolve(base, "x"), resolve(base, "/x");
        EXPECT_EQ(resolve(base, ref), want) << "base " << base << " ref " << ref;
      }
  EXPECT_GT(compared, 500u);
}
