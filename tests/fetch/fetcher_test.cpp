// The Fetcher against a real HTTP server on 127.0.0.1 (tests/support/http_server.h).
#include "fetch/fetcher.h"

#include <gtest/gtest.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>

#include "tests/support/http_server.h"
#include "tests/support/ports.h"
#include "url/url.h"

namespace rasid::fetch {
namespace {

using rasid::testing::free_port;
using rasid::testing::HttpRequest;
using rasid::testing::HttpResponse;
using rasid::testing::HttpServer;
using namespace std::chrono_literals;

Options loopback_options() {
  Options o;
  o.allow_private = {"127.0.0.0/8", "::1/128"};
  o.connect_timeout = 2000ms;
  o.total_timeout = 5000ms;
  return o;
}

Request req(const std::string& url) {
  Request r;
  r.url = url;
  return r;
}

HttpResponse ok_resp(const std::string& body) {
  HttpResponse r;
  r.body = body;
  return r;
}

Response fetch_one(const Request& r, const Options& o = loopback_options()) {
  auto out = fetch_all({r}, o);
  return out.at(0);
}

Response get(const std::string& url, const Options& o = loopback_options()) {
  Request r;
  r.url = url;
  return fetch_one(r, o);
}

TEST(Fetcher, GetReturnsStatusBodyHeadersAndUrl) {
  HttpServer server([](const HttpRequest& req) {
    HttpResponse r;
    r.headers = {{"Content-Type", "application/rss+xml; charset=utf-8"},
                 {"X-Echo-UA", req.header("user-agent")},
                 {"ETag", "\"v1\""},
                 {"Last-Modified", "Wed, 21 Oct 2015 07:28:00 GMT"}};
    r.body = "<rss>خبر</rss>";
    return r;
  });
  Options o = loopback_options();
  o.user_agent = "rasid-test/1 (+https://example.org/bot)";
  Response r = get(server.url("/feed.xml"), o);
  EXPECT_TRUE(r.ok()) << r.error_message;
  EXPECT_EQ(r.error, Error::none);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "<rss>خبر</rss>");
  EXPECT_EQ(r.bytes, r.body.size());
  EXPECT_EQ(r.content_type, "application/rss+xml; charset=utf-8");
  EXPECT_EQ(r.final_url, server.url("/feed.xml"));
  EXPECT_EQ(r.headers.at("x-echo-ua"), o.user_agent);
  EXPECT_EQ(r.etag, "\"v1\"");
  EXPECT_EQ(r.last_modified, "Wed, 21 Oct 2015 07:28:00 GMT");
  EXPECT_EQ(r.headers.count("X-Echo-UA"), 0u) << "header names must be lower-case";
}

TEST(Fetcher, ConditionalGetGives304AsNotModified) {
  std::atomic<int> conditional{0};
  HttpServer server([&](const HttpRequest& req) {
    HttpResponse r;
    r.headers = {{"ETag", "\"abc\""}, {"Last-Modified", "Wed, 21 Oct 2015 07:28:00 GMT"}};
    if (req.header("if-none-match") == "\"abc\"" ||
        req.header("if-modified-since") == "Wed, 21 Oct 2015 07:28:00 GMT") {
      ++conditional;
      r.status = 304;
      return r;
    }
    r.body = "full body";
    return r;
  });
  Response first = get(server.url("/f"));
  ASSERT_TRUE(first.ok()) << first.error_message;
  EXPECT_EQ(first.etag, "\"abc\"");

  Request again;
  again.url = server.url("/f");
  again.etag = first.etag;
  Response second = fetch_one(again);
  EXPECT_EQ(second.status, 304);
  EXPECT_EQ(second.error, Error::not_modified);
  EXPECT_FALSE(second.ok());
  EXPECT_TRUE(second.body.empty());

  Request by_date;
  by_date.url = server.url("/f");
  by_date.last_modified = first.last_modified;
  Response third = fetch_one(by_date);
  EXPECT_EQ(third.error, Error::not_modified);
  EXPECT_EQ(conditional.load(), 2);
}

TEST(Fetcher, FollowsRedirectsAndKeepsOnlyTheLastHeaders) {
  HttpServer server([](const HttpRequest& req) {
    HttpResponse r;
    if (req.path == "/a") {
      r.status = 301;
      r.headers = {{"Location", "/b"}, {"X-First-Hop", "1"}};
    } else if (req.path == "/b") {
      r.status = 302;
      r.headers = {{"Location", "/c?x=1"}};
    } else {
      r.headers = {{"X-Last", "yes"}};
      r.body = "arrived";
    }
    return r;
  });
  Response r = get(server.url("/a"));
  ASSERT_TRUE(r.ok()) << r.error_message;
  EXPECT_EQ(r.body, "arrived");
  EXPECT_EQ(r.final_url, server.url("/c?x=1"));
  EXPECT_EQ(r.headers.count("x-first-hop"), 0u);
  EXPECT_EQ(r.headers.at("x-last"), "yes");
}

TEST(Fetcher, RedirectLoopEndsAsTooManyRedirects) {
  HttpServer server([](const HttpRequest& req) {
    HttpResponse r;
    r.status = 302;
    r.headers = {{"Location", req.path == "/x" ? "/y" : "/x"}};
    return r;
  });
  Response r = get(server.url("/x"));
  EXPECT_EQ(r.error, Error::too_many_redirects) << r.error_message;
  EXPECT_EQ(server.requests(), 6);  // the first request + 5 redirects
}

TEST(Fetcher, RedirectToAnotherSchemeIsRefused) {
  HttpServer server([](const HttpRequest&) {
    HttpResponse r;
    r.status = 302;
    r.headers = {{"Location", "file:///etc/passwd"}};
    return r;
  });
  Response r = get(server.url("/"));
  EXPECT_NE(r.error, Error::none);
  EXPECT_TRUE(r.body.empty());
  EXPECT_EQ(r.error, Error::bad_url) << r.error_message;
}

TEST(Fetcher, PostSendsBodyAndHeaders) {
  std::mutex mu;
  HttpRequest seen;
  HttpServer server([&](const HttpRequest& req) {
    std::lock_guard<std::mutex> lock(mu);
    seen = req;
    HttpResponse r;
    r.status = 202;
    r.body = "accepted";
    return r;
  });
  Request req;
  req.url = server.url("/hook");
  req.method = "POST";
  req.body = std::string(5000, 'x');  // > 1 KiB: would trigger Expect: 100-continue
  req.headers = {{"Content-Type", "application/json"},
                 {"X-Signature", "sha256=ab"},
                 {"X-Bad", "a\r\nInjected: 1"}};
  auto t0 = std::chrono::steady_clock::now();
  Response r = fetch_one(req);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 900ms) << "no 100-continue stall";
  EXPECT_TRUE(r.ok()) << r.error_message;
  EXPECT_EQ(r.status, 202);
  std::lock_guard<std::mutex> lock(mu);
  EXPECT_EQ(seen.method, "POST");
  EXPECT_EQ(seen.body, req.body);
  EXPECT_EQ(seen.header("content-type"), "application/json");
  EXPECT_EQ(seen.header("x-signature"), "sha256=ab");
  EXPECT_EQ(seen.header("injected"), "");
  EXPECT_EQ(seen.header("x-bad"), "");
}

TEST(Fetcher, HttpErrorsAreClassifiedWithStatus) {
  HttpServer server([](const HttpRequest& req) {
    HttpResponse r;
    r.status = req.path == "/gone" ? 410 : 503;
    r.body = "nope";
    return r;
  });
  Response gone = get(server.url("/gone"));
  EXPECT_EQ(gone.status, 410);
  EXPECT_EQ(gone.error, Error::http_status);
  Response busy = get(server.url("/busy"));
  EXPECT_EQ(busy.status, 503);
  EXPECT_EQ(busy.error, Error::http_status);
}

TEST(Fetcher, BodyCapAppliesToTheBody) {
  HttpServer server([](const HttpRequest& req) {
    HttpResponse r;
    r.body = std::string(req.path == "/big" ? 300000 : 100000, 'a');
    return r;
  });
  Options o = loopback_options();
  o.max_body_bytes = 100000;
  Response fits = get(server.url("/fits"), o);
  EXPECT_TRUE(fits.ok()) << fits.error_message;
  EXPECT_EQ(fits.body.size(), 100000u);
  Response big = get(server.url("/big"), o);
  EXPECT_EQ(big.error, Error::too_large) << big.error_message;
  EXPECT_TRUE(big.body.empty());
}

TEST(Fetcher, ChunkedBodyWithoutLengthIsCappedInTheWriteCallback) {
  HttpServer server([](const HttpRequest&) {
    HttpResponse r;
    r.raw = [](int fd) {
      std::string head =
          "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n";
      if (::send(fd, head.data(), head.size(), MSG_NOSIGNAL) < 0) return;
      std::string chunk = "4000\r\n" + std::string(0x4000, 'z') + "\r\n";
      for (int i = 0; i < 100000; ++i)  // 1.6 GB if nobody stops it
        if (::send(fd, chunk.data(), chunk.size(), MSG_NOSIGNAL) < 0) return;
    };
    return r;
  });
  Options o = loopback_options();
  o.max_body_bytes = 1 << 20;
  auto t0 = std::chrono::steady_clock::now();
  Response r = get(server.url("/"), o);
  EXPECT_EQ(r.error, Error::too_large) << r.error_message;
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 3s);
}

TEST(Fetcher, ServerThatNeverAnswersTimesOut) {
  HttpServer server([](const HttpRequest&) {
    HttpResponse r;
    r.raw = [](int fd) {
      char buf[256];
      while (::recv(fd, buf, sizeof buf, 0) > 0) {
      }
    };
    return r;
  });
  Options o = loopback_options();
  o.total_timeout = 400ms;
  auto t0 = std::chrono::steady_clock::now();
  Response r = get(server.url("/"), o);
  auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_EQ(r.error, Error::timeout) << r.error_message;
  EXPECT_GE(took, 350ms);
  EXPECT_LT(took, 1500ms);
  EXPECT_EQ(r.status, 0);
}

TEST(Fetcher, PerRequestTimeoutOverridesTheDefault) {
  HttpServer server([](const HttpRequest&) {
    std::this_thread::sleep_for(600ms);
    HttpResponse r;
    r.body = "late";
    return r;
  });
  Request q;
  q.url = server.url("/");
  q.timeout = 200ms;
  Response r = fetch_one(q);
  EXPECT_EQ(r.error, Error::timeout);
  EXPECT_LT(r.elapsed, 550ms);
}

TEST(Fetcher, ConnectionRefusedIsConnectError) {
  Response r = get("http://127.0.0.1:" + std::to_string(free_port()) + "/");
  EXPECT_EQ(r.error, Error::connect) << r.error_message;
}

TEST(Fetcher, BadUrlsAreRefusedWithoutNetwork) {
  for (std::string url :
       {"ftp://example.org/x", "file:///etc/passwd", "not a url", "", "gopher://h/", "http://"}) {
    Response r = get(url);
    EXPECT_EQ(r.error, Error::bad_url) << url << ": " << r.error_message;
  }
}

TEST(Fetcher, GuardRefusesLoopbackInEveryDisguise) {
  HttpServer server([](const HttpRequest&) { return ok_resp("secret"); });
  std::string port = std::to_string(server.port());
  Options guarded;  // allow_private empty: guard fully on
  guarded.connect_timeout = 2000ms;
  for (std::string host : {"127.0.0.1", "127.1", "2130706433", "0x7f.0.0.1", "localhost",
                           "[::ffff:127.0.0.1]", "[::1]", "0.0.0.0"}) {
    Response r = get("http://" + host + ":" + port + "/", guarded);
    EXPECT_EQ(r.error, Error::blocked_address) << host << ": " << r.error_message;
    EXPECT_TRUE(r.body.empty()) << host;
  }
  EXPECT_EQ(server.requests(), 0);
}

TEST(Fetcher, GuardAllowListOpensOnlyWhatItNames) {
  HttpServer server([](const HttpRequest&) { return ok_resp("ok"); });
  Options o;
  o.allow_private = {"127.0.0.1/32"};
  Response r = get(server.url("/"), o);
  EXPECT_TRUE(r.ok()) << r.error_message;
  o.allow_private = {"10.0.0.0/8"};
  r = get(server.url("/"), o);
  EXPECT_EQ(r.error, Error::blocked_address);
}

TEST(Fetcher, InvalidAllowListIsRefusedAtConstruction) {
  boost::asio::io_context io;
  Options o;
  o.allow_private = {"127.0.0.0/99"};
  EXPECT_THROW(Fetcher(io, o), std::invalid_argument);
}

TEST(Fetcher, GuardAppliesToRedirectTargets) {
  // The first hop is allowed (127.0.0.1), the redirect to 127.0.0.2 is not.
  HttpServer server([](const HttpRequest&) {
    HttpResponse r;
    r.status = 302;
    r.headers = {{"Location", "http://127.0.0.2:9/"}};
    return r;
  });
  Options o;
  o.allow_private = {"127.0.0.1/32"};
  Response r = get(server.url("/"), o);
  EXPECT_EQ(r.error, Error::blocked_address) << r.error_message;
  EXPECT_NE(r.error_message.find("127.0.0.2"), std::string::npos) << r.error_message;
}

// Counts concurrent requests per Host header at the server.
struct ConcurrencyProbe {
  std::mutex mu;
  std::map<std::string, int> now, peak;
  int total_now = 0, total_peak = 0;
  HttpResponse operator()(const HttpRequest& req) {
    std::string host = req.header("host");
    host = host.substr(0, host.find(':'));
    {
      std::lock_guard<std::mutex> lock(mu);
      peak[host] = std::max(peak[host], ++now[host]);
      total_peak = std::max(total_peak, ++total_now);
    }
    std::this_thread::sleep_for(120ms);
    {
      std::lock_guard<std::mutex> lock(mu);
      --now[host];
      --total_now;
    }
    return ok_resp("ok " + req.path);
  }
};

TEST(Fetcher, PerHostAndGlobalLimitsQueueTheRest) {
  ConcurrencyProbe probe;
  HttpServer server([&](const HttpRequest& req) { return probe(req); });
  Options o = loopback_options();
  o.max_per_host = 2;
  o.max_total = 3;
  std::vector<Request> reqs;
  for (int i = 0; i < 6; ++i) {
    Request a;
    a.url = server.url("/a" + std::to_string(i));
    reqs.push_back(a);
    Request b;
    b.url = "http://localhost:" + std::to_string(server.port()) + "/b" + std::to_string(i);
    reqs.push_back(b);
  }
  auto out = fetch_all(reqs, o);
  for (size_t i = 0; i < out.size(); ++i) {
    EXPECT_TRUE(out[i].ok()) << reqs[i].url << ": " << out[i].error_message;
    EXPECT_EQ(out[i].body, "ok " + reqs[i].url.substr(reqs[i].url.rfind('/')));
  }
  EXPECT_EQ(probe.peak["127.0.0.1"], 2);
  EXPECT_EQ(probe.peak["localhost"], 2);
  EXPECT_EQ(probe.total_peak, 3);
}

TEST(Fetcher, InFlightCountsRunningAndQueued) {
  HttpServer server([](const HttpRequest&) {
    std::this_thread::sleep_for(50ms);
    return ok_resp("ok");
  });
  boost::asio::io_context io;
  Options o = loopback_options();
  o.max_per_host = 1;
  Fetcher f(io, o);
  int done = 0;
  for (int i = 0; i < 4; ++i)
    f.fetch(req(server.url("/")), [&](Response r) {
      EXPECT_TRUE(r.ok());
      ++done;
    });
  EXPECT_EQ(f.in_flight(), 4u);
  io.run();
  EXPECT_EQ(done, 4);
  EXPECT_EQ(f.in_flight(), 0u);
}

TEST(Fetcher, CallbacksRunLaterNeverInsideFetch) {
  boost::asio::io_context io;
  Fetcher f(io, loopback_options());
  bool called = false;
  f.fetch(req("ftp://nope/"), [&](Response r) {
    called = true;
    EXPECT_EQ(r.error, Error::bad_url);
  });
  EXPECT_FALSE(called);
  io.run();
  EXPECT_TRUE(called);
}

TEST(Fetcher, DestroyingTheFetcherCancelsWhatIsPending) {
  HttpServer server([](const HttpRequest&) {
    HttpResponse r;
    r.raw = [](int fd) {
      char buf[256];
      while (::recv(fd, buf, sizeof buf, 0) > 0) {
      }
    };
    return r;
  });
  boost::asio::io_context io;
  std::vector<Error> got;
  {
    Options o = loopback_options();
    o.max_per_host = 1;  // one running, one queued
    auto f = std::make_unique<Fetcher>(io, o);
    for (int i = 0; i < 2; ++i)
      f->fetch(req(server.url("/")), [&](Response r) { got.push_back(r.error); });
    boost::asio::steady_timer t(io, 200ms);
    t.async_wait([&](auto) { f.reset(); });
    io.run();
  }
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0], Error::cancelled);
  EXPECT_EQ(got[1], Error::cancelled);
}

TEST(Fetcher, CallbackMayDestroyTheFetcher) {
  HttpServer server([](const HttpRequest&) { return ok_resp("ok"); });
  boost::asio::io_context io;
  auto f = std::make_unique<Fetcher>(io, loopback_options());
  int calls = 0;
  f->fetch(req(server.url("/")), [&](Response r) {
    ++calls;
    EXPECT_TRUE(r.ok());
    f.reset();
  });
  io.run();
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(f, nullptr);
}

TEST(Fetcher, ConnectionsAreReused) {
  HttpServer server([&](const HttpRequest&) { return ok_resp("x"); });
  boost::asio::io_context io;
  Fetcher f(io, loopback_options());
  std::vector<long> connects;
  std::function<void(int)> next = [&](int left) {
    if (left == 0) return;
    f.fetch(req(server.url("/")), [&, left](Response r) {
      EXPECT_TRUE(r.ok());
      connects.push_back(r.connects);
      next(left - 1);
    });
  };
  next(5);
  io.run();
  EXPECT_EQ(connects, (std::vector<long>{1, 0, 0, 0, 0}));
}

TEST(Fetcher, ManyConcurrentRequestsAllComplete) {
  HttpServer server([](const HttpRequest& req) { return ok_resp(req.path); });
  Options o = loopback_options();
  o.max_per_host = 8;
  o.max_total = 8;
  std::vector<Request> reqs;
  for (int i = 0; i < 200; ++i) reqs.push_back(req(server.url("/" + std::to_string(i))));
  auto out = fetch_all(reqs, o);
  for (int i = 0; i < 200; ++i) {
    ASSERT_TRUE(out[i].ok()) << i << ": " << out[i].error_message;
    EXPECT_EQ(out[i].body, "/" + std::to_string(i));
  }
}

TEST(Fetcher, MinHostIntervalSpacesStartsPerHost) {
  std::mutex mu;
  std::map<std::string, std::vector<std::chrono::steady_clock::time_point>> seen;
  HttpServer server([&](const HttpRequest& r) {
    std::string host = r.header("host");
    host = host.substr(0, host.find(':'));
    std::lock_guard<std::mutex> lock(mu);
    seen[host].push_back(std::chrono::steady_clock::now());
    return ok_resp("ok");
  });
  Options o = loopback_options();
  o.max_per_host = 4;
  o.min_host_interval = 150ms;
  std::vector<Request> reqs;
  for (int i = 0; i < 4; ++i) {
    reqs.push_back(req(server.url("/" + std::to_string(i))));
    reqs.push_back(req("http://localhost:" + std::to_string(server.port()) + "/"));
  }
  auto t0 = std::chrono::steady_clock::now();
  auto out = fetch_all(reqs, o);
  auto took = std::chrono::steady_clock::now() - t0;
  for (const auto& r : out) EXPECT_TRUE(r.ok()) << r.error_message;
  std::lock_guard<std::mutex> lock(mu);
  ASSERT_EQ(seen["127.0.0.1"].size(), 4u);
  ASSERT_EQ(seen["localhost"].size(), 4u);
  for (auto& [host, times] : seen)
    for (size_t i = 1; i < times.size(); ++i)
      // Spacing is start to start at the client; arrival at the server jitters (the first
      // "localhost" connection tries ::1 first), hence the margin.
      EXPECT_GE(times[i] - times[i - 1], 100ms) << host << " request " << i;
  // The two hosts are spaced independently: 3 gaps of 150 ms, not 7.
  EXPECT_GE(took, 440ms);
  EXPECT_LT(took, 900ms);
}

// A webhook POST to a host that is also being crawled (or that hosts other endpoints) does not
// wait behind that host's politeness spacing or its busy connections: it has its own queue.
TEST(Fetcher, OwnQueueDoesNotWaitBehindTheHostsCrawl) {
  HttpServer server([](const HttpRequest& r) {
    if (r.path == "/slow") std::this_thread::sleep_for(600ms);
    return ok_resp("ok");
  });
  Options o = loopback_options();
  o.max_per_host = 2;
  o.min_host_interval = 300ms;
  std::vector<Request> reqs;
  for (int i = 0; i < 4; ++i) reqs.push_back(req(server.url("/slow")));  // a crawl, spaced
  Request hook = req(server.url("/hook"));
  hook.queue = "webhook:desk";
  reqs.push_back(hook);
  auto out = fetch_all(reqs, o);
  for (const auto& r : out) EXPECT_TRUE(r.ok()) << r.error_message;
  EXPECT_LT(out.back().elapsed, 250ms) << "the webhook waited behind the crawl";
  EXPECT_GE(out[3].elapsed, 900ms) << "the crawl itself stays spaced and bounded per host";
}

TEST(Fetcher, NamesResolvedByTheThreadedResolverWork) {
  // The machine's own name usually resolves through /etc/hosts: that goes through curl's
  // resolver thread and its wake-up fd (handled by the socket callback), unlike IP literals and
  // "localhost", which curl answers itself.
  char name[256] = {};
  ::gethostname(name, sizeof name - 1);
  addrinfo hints{};
  hints.ai_family = AF_INET;
  addrinfo* res = nullptr;
  if (::getaddrinfo(name, nullptr, &hints, &res) != 0 || res == nullptr)
    GTEST_SKIP() << "host name does not resolve";
  auto* in = reinterpret_cast<sockaddr_in*>(res->ai_addr);
  bool is_127_0_0_1 = in->sin_addr.s_addr == htonl(INADDR_LOOPBACK);
  ::freeaddrinfo(res);
  if (!is_127_0_0_1) GTEST_SKIP() << "host name does not resolve to 127.0.0.1";
  HttpServer server([](const HttpRequest&) { return ok_resp("by name"); });
  std::string url = "http://" + std::string(name) + ":" + std::to_string(server.port()) + "/";
  Response r = get(url);
  EXPECT_TRUE(r.ok()) << r.error_message;
  EXPECT_EQ(r.body, "by name");
  EXPECT_LT(r.elapsed, 1000ms);
  Options guarded;
  Response blocked = get(url, guarded);
  EXPECT_EQ(blocked.error, Error::blocked_address) << blocked.error_message;
}

TEST(Fetcher, ProxyOptionSendsRequestsThroughTheProxy) {
  std::mutex mu;
  std::string target;
  HttpServer proxy([&](const HttpRequest& r) {
    std::lock_guard<std::mutex> lock(mu);
    target = r.target;
    return ok_resp("via proxy");
  });
  Options o = loopback_options();
  o.proxy = proxy.url("/");
  // The name need not resolve here: the proxy resolves it.
  Response r = get("http://feeds.example.invalid/rss.xml", o);
  EXPECT_TRUE(r.ok()) << r.error_message;
  EXPECT_EQ(r.body, "via proxy");
  std::lock_guard<std::mutex> lock(mu);
  EXPECT_EQ(target, "http://feeds.example.invalid/rss.xml");
}

// An IDN host goes out in punycode (url::request_form), whatever the process locale: libcurl's
// own conversion (libidn2) fails under LANG=C, and before the url module the host went as
// written. The proxy sees the request line, so no name needs to resolve here.
TEST(Fetcher, InternationalizedHostIsRequestedInPunycode) {
  std::mutex mu;
  std::string target;
  std::string host;
  HttpServer proxy([&](const HttpRequest& r) {
    std::lock_guard<std::mutex> lock(mu);
    target = r.target;
    host = r.header("host");
    return ok_resp("via proxy");
  });
  Options o = loopback_options();
  o.proxy = proxy.url("/");
  Response r = get("http://مثال.إختبار/أخبار?q=1", o);
  EXPECT_TRUE(r.ok()) << r.error_message;
  std::lock_guard<std::mutex> lock(mu);
  EXPECT_EQ(target, "http://xn--mgbh0fb.xn--kgbechtv/%D8%A3%D8%AE%D8%A8%D8%A7%D8%B1?q=1");
  EXPECT_EQ(host, "xn--mgbh0fb.xn--kgbechtv");
}

// The per-host queue is keyed by url::host, the function the service keys Retry-After with: the
// Unicode and punycode spellings of one IDN host, and a name with a trailing dot, are one host
// and are spaced as one. Before, the queue used libcurl's host as written (three hosts here)
// while Retry-After used parse::url_host (which dropped the dot): the two keys disagreed.
TEST(Fetcher, HostSpellingsShareOneQueueKeyedLikeRetryAfter) {
  std::mutex mu;
  std::vector<std::chrono::steady_clock::time_point> seen;
  HttpServer proxy([&](const HttpRequest&) {
    std::lock_guard<std::mutex> lock(mu);
    seen.push_back(std::chrono::steady_clock::now());
    return ok_resp("ok");
  });
  Options o = loopback_options();
  o.proxy = proxy.url("/");
  o.max_per_host = 4;
  o.min_host_interval = 200ms;
  const std::vector<std::string> spellings = {"http://مثال.إختبار/a",
                                              "http://XN--MGBH0FB.xn--kgbechtv/b",
                                              "http://xn--mgbh0fb.xn--kgbechtv./c"};
  for (const auto& u : spellings) EXPECT_EQ(url::host(u), "xn--mgbh0fb.xn--kgbechtv") << u;
  std::vector<Request> reqs;
  for (const auto& u : spellings) reqs.push_back(req(u));
  auto out = fetch_all(reqs, o);
  for (const auto& r : out) EXPECT_TRUE(r.ok()) << r.error_message;
  std::lock_guard<std::mutex> lock(mu);
  ASSERT_EQ(seen.size(), 3u);
  std::sort(seen.begin(), seen.end());
  for (size_t i = 1; i < seen.size(); ++i)
    EXPECT_GE(seen[i] - seen[i - 1], 150ms) << "request " << i << " was not spaced as one host";
}

TEST(Fetcher, ProxyFromTheEnvironmentIsIgnored) {
  HttpServer server([](const HttpRequest&) { return ok_resp("direct"); });
  std::string dead = "http://127.0.0.1:" + std::to_string(free_port());
  ::setenv("http_proxy", dead.c_str(), 1);
  ::setenv("HTTP_PROXY", dead.c_str(), 1);
  ::setenv("ALL_PROXY", dead.c_str(), 1);
  Response r = get(server.url("/"));
  ::unsetenv("http_proxy");
  ::unsetenv("HTTP_PROXY");
  ::unsetenv("ALL_PROXY");
  EXPECT_TRUE(r.ok()) << r.error_message;
  EXPECT_EQ(r.body, "direct");
}

TEST(Response, RetryAfterDeltaAndHttpDate) {
  Response r;
  EXPECT_FALSE(r.retry_after().has_value());
  r.headers["retry-after"] = "120";
  EXPECT_EQ(r.retry_after(), std::chrono::seconds(120));
  r.headers["retry-after"] = " 0 ";
  EXPECT_EQ(r.retry_after(), std::chrono::seconds(0));
  r.headers["retry-after"] = "Wed, 21 Oct 2015 07:28:00 GMT";  // in the past
  EXPECT_EQ(r.retry_after(), std::chrono::seconds(0));
  // 90 s from now as an IMF-fixdate.
  std::time_t later = std::time(nullptr) + 90;
  char buf[64];
  std::tm tm{};
  gmtime_r(&later, &tm);
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  r.headers["retry-after"] = buf;
  auto s = r.retry_after();
  ASSERT_TRUE(s.has_value());
  EXPECT_GE(s->count(), 88);
  EXPECT_LE(s->count(), 90);
  r.headers["retry-after"] = "soon";
  EXPECT_FALSE(r.retry_after().has_value());
  r.headers["retry-after"] = "-5";
  EXPECT_FALSE(r.retry_after().has_value());
  r.headers["retry-after"] = "99999999999999999999";
  EXPECT_EQ(r.retry_after(), std::chrono::seconds(365L * 24 * 3600));
}

TEST(ErrorNames, EveryErrorHasAName) {
  EXPECT_STREQ(to_string(Error::none), "none");
  EXPECT_STREQ(to_string(Error::not_modified), "not_modified");
  EXPECT_STREQ(to_string(Error::blocked_address), "blocked_address");
  EXPECT_STREQ(to_string(Error::too_large), "too_large");
}

}  // namespace
}  // namespace rasid::fetch
