// The hostile-server suite: each case runs in one Fetcher beside a healthy source that is polled
// every 100 ms. Every case must end with a classified error within its time bound, the process's
// peak RSS must stay within a bound, and the healthy source must keep answering on time.
//
// Each case prints one line "HOSTILE | case | outcome | ms | peak RSS growth KiB" for the table.
#include <arpa/inet.h>
#include <curl/curl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unicode/ucnv.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <thread>

#include "fetch/fetcher.h"
#include "tests/support/http_server.h"
#include "text/text.h"

#ifdef RASID_TEST_HAVE_ZLIB
#include <zlib.h>

#include "tests/support/compress.h"
#endif
#ifdef RASID_TEST_HAVE_BROTLI
#include <brotli/encode.h>
#endif

namespace rasid::fetch {
namespace {

using rasid::testing::HttpRequest;
using rasid::testing::HttpResponse;
using rasid::testing::HttpServer;
using namespace std::chrono_literals;
using ms = std::chrono::milliseconds;

constexpr std::size_t kBombDecoded = 256u << 20;  // what each bomb expands to
constexpr std::size_t kBodyCap = 4u << 20;
constexpr long kRssBoundKb = 48 * 1024;  // peak RSS growth allowed during one case

// ---- memory --------------------------------------------------------------------------------

long status_kb(const char* field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  std::string key = std::string(field) + ":";
  while (std::getline(in, line))
    if (line.rfind(key, 0) == 0) return std::stol(line.substr(key.size()));
  return -1;
}

// Resets the kernel's peak-RSS mark (VmHWM) so a case measures its own peak.
void reset_peak_rss() {
  std::ofstream out("/proc/self/clear_refs");
  out << "5";
}

// ---- bombs ---------------------------------------------------------------------------------

#ifdef RASID_TEST_HAVE_ZLIB
const std::string& gzip_bomb() {
  static const std::string bomb = [] {
    z_stream z{};
    deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY);
    std::string zeros(1 << 20, '\0'), out;
    char buf[1 << 16];
    for (std::size_t done = 0; done < kBombDecoded; done += zeros.size()) {
      bool last = done + zeros.size() >= kBombDecoded;
      z.next_in = reinterpret_cast<Bytef*>(zeros.data());
      z.avail_in = static_cast<uInt>(zeros.size());
      do {
        z.next_out = reinterpret_cast<Bytef*>(buf);
        z.avail_out = sizeof buf;
        deflate(&z, last ? Z_FINISH : Z_NO_FLUSH);
        out.append(buf, sizeof buf - z.avail_out);
      } while (z.avail_out == 0);
    }
    deflateEnd(&z);
    return out;
  }();
  return bomb;
}

#endif

#ifdef RASID_TEST_HAVE_BROTLI
const std::string& brotli_bomb() {
  static const std::string bomb = [] {
    BrotliEncoderState* s = BrotliEncoderCreateInstance(nullptr, nullptr, nullptr);
    BrotliEncoderSetParameter(s, BROTLI_PARAM_QUALITY, 5);
    BrotliEncoderSetParameter(s, BROTLI_PARAM_LGWIN, 24);
    std::string zeros(1 << 20, '\0'), out;
    for (std::size_t done = 0; done < kBombDecoded; done += zeros.size()) {
      bool last = done + zeros.size() >= kBombDecoded;
      size_t avail_in = zeros.size();
      const uint8_t* next_in = reinterpret_cast<const uint8_t*>(zeros.data());
      do {
        size_t avail_out = 0;
        BrotliEncoderCompressStream(s, last ? BROTLI_OPERATION_FINISH : BROTLI_OPERATION_PROCESS,
                                    &avail_in, &next_in, &avail_out, nullptr, nullptr);
        size_t n = 0;
        const uint8_t* p = BrotliEncoderTakeOutput(s, &n);
        out.append(reinterpret_cast<const char*>(p), n);
      } while (avail_in > 0 || BrotliEncoderHasMoreOutput(s) ||
               (last && !BrotliEncoderIsFinished(s)));
    }
    BrotliEncoderDestroyInstance(s);
    return out;
  }();
  return bomb;
}
#endif

// A zstd frame written by hand: 1 MiB window, no checksum, RLE blocks of 128 KiB zeros (4 bytes
// each on the wire, so 256 MiB decoded is 8 KiB sent).
std::string zstd_bomb() {
  std::string f = "\x28\xB5\x2F\xFD";  // magic, little-endian 0xFD2FB528
  f += '\x00';                         // frame header descriptor: no size, no checksum, no dict
  f += static_cast<char>(10 << 3);     // window descriptor: 2^(10+10) = 1 MiB
  const std::uint32_t block = 128 * 1024;
  std::size_t blocks = kBombDecoded / block;
  for (std::size_t i = 0; i < blocks; ++i) {
    std::uint32_t h = (block << 3) | (1u << 1) | (i + 1 == blocks ? 1u : 0u);  // RLE block
    f += static_cast<char>(h & 0xff);
    f += static_cast<char>((h >> 8) & 0xff);
    f += static_cast<char>((h >> 16) & 0xff);
    f += '\0';  // the byte repeated
  }
  return f;
}

bool curl_has(int feature) { return (curl_version_info(CURLVERSION_NOW)->features & feature) != 0; }

// ---- servers ---------------------------------------------------------------------------------

bool send_all(int fd, const std::string& s) {
  size_t off = 0;
  while (off < s.size()) {
    ssize_t n = ::send(fd, s.data() + off, s.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return false;
    off += static_cast<size_t>(n);
  }
  return true;
}

// Waits up to `t` for the peer to close; true when it did.
bool peer_closed_within(int fd, ms t) {
  pollfd p{fd, POLLIN | POLLRDHUP, 0};
  if (::poll(&p, 1, static_cast<int>(t.count())) <= 0) return false;
  char c;
  return (p.revents & (POLLRDHUP | POLLHUP | POLLERR)) || ::recv(fd, &c, 1, MSG_PEEK) <= 0;
}

// A listener that answers any bytes with a plain-HTTP reply, for speaking TLS to plain HTTP.
class PlainListener {
 public:
  PlainListener() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    ::listen(fd_, 8);
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] {
      while (!stop_) {
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, 50) <= 0) continue;
        int c = ::accept(fd_, nullptr, nullptr);
        if (c < 0) continue;
        char buf[4096];
        if (::recv(c, buf, sizeof buf, 0) > 0)
          send_all(c, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
        ::close(c);
      }
    });
  }
  ~PlainListener() {
    stop_ = true;
    thread_.join();
    ::close(fd_);
  }
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// ---- the harness -----------------------------------------------------------------------------

struct Outcome {
  Response r;
  ms took{0};
  long rss_growth_kb = 0;
  int healthy_done = 0;
  ms healthy_worst{0};
  bool healthy_all_ok = true;
};

Options hostile_options() {
  Options o;
  o.allow_private = {"127.0.0.1/32", "::1/128"};  // the test servers; 127.0.0.2+ stay blocked
  o.connect_timeout = 1000ms;
  o.total_timeout = 3000ms;
  o.low_speed_bytes = 100;
  o.low_speed_time = 1s;
  o.max_body_bytes = kBodyCap;
  return o;
}

Outcome run_beside_healthy(const Request& hostile, const Options& o, const std::string& name) {
  HttpServer healthy([](const HttpRequest&) {
    HttpResponse r;
    r.headers = {{"Content-Type", "application/rss+xml"}};
    r.body = "<rss><channel><title>سليم</title></channel></rss>";
    return r;
  });
  // "localhost" is another host for the per-host limit than the hostile 127.0.0.1.
  std::string healthy_url = "http://localhost:" + std::to_string(healthy.port()) + "/feed";

  boost::asio::io_context io;
  Fetcher f(io, o);
  Outcome out;
  bool hostile_done = false;
  const long rss0 = status_kb("VmRSS");
  reset_peak_rss();
  auto t0 = std::chrono::steady_clock::now();
  f.fetch(hostile, [&](Response r) {
    out.took = std::chrono::duration_cast<ms>(std::chrono::steady_clock::now() - t0);
    out.r = std::move(r);
    hostile_done = true;
  });
  boost::asio::steady_timer tick(io);
  std::function<void()> poll_healthy = [&] {
    if (hostile_done) return;
    Request h;
    h.url = healthy_url;
    auto sent = std::chrono::steady_clock::now();
    f.fetch(h, [&, sent](Response r) {
      auto lat = std::chrono::duration_cast<ms>(std::chrono::steady_clock::now() - sent);
      out.healthy_worst = std::max(out.healthy_worst, lat);
      out.healthy_all_ok = out.healthy_all_ok && r.ok() && r.body.find("سليم") != std::string::npos;
      ++out.healthy_done;
    });
    tick.expires_after(100ms);
    tick.async_wait([&](boost::system::error_code ec) {
      if (!ec) poll_healthy();
    });
  };
  poll_healthy();
  io.run();
  out.rss_growth_kb = status_kb("VmHWM") - rss0;
  std::printf("HOSTILE | %-34s | %-18s | %5lld ms | %6ld KiB | healthy %d, worst %lld ms\n",
              name.c_str(), to_string(out.r.error), static_cast<long long>(out.took.count()),
              out.rss_growth_kb, out.healthy_done,
              static_cast<long long>(out.healthy_worst.count()));
  std::fflush(stdout);
  return out;
}

void expect_contained(const Outcome& o, Error expected, ms bound) {
  EXPECT_EQ(o.r.error, expected) << to_string(o.r.error) << ": " << o.r.error_message;
  EXPECT_LE(o.took, bound);
  EXPECT_LT(o.rss_growth_kb, kRssBoundKb);
  EXPECT_TRUE(o.healthy_all_ok);
  EXPECT_LE(o.healthy_worst, 500ms) << "the healthy source was held up";
}

Request get(const std::string& url) {
  Request r;
  r.url = url;
  return r;
}

HttpResponse encoded(const std::string& encoding, const std::string& body) {
  HttpResponse r;
  r.headers = {{"Content-Type", "text/html; charset=utf-8"}, {"Content-Encoding", encoding}};
  r.body = body;
  return r;
}

// ---- the cases -------------------------------------------------------------------------------

TEST(Hostile, GzipBomb) {
#ifndef RASID_TEST_HAVE_ZLIB
  GTEST_SKIP() << "zlib headers not available";
#else
  const std::string& bomb = gzip_bomb();
  ASSERT_LT(bomb.size(), kBombDecoded / 500);
  HttpServer server([&](const HttpRequest&) { return encoded("gzip", bomb); });
  auto o = run_beside_healthy(get(server.url("/")), hostile_options(),
                              "gzip bomb " + std::to_string(bomb.size()) + " B -> 256 MiB");
  expect_contained(o, Error::too_large, 2000ms);
#endif
}

TEST(Hostile, NestedGzipBomb) {
#ifndef RASID_TEST_HAVE_ZLIB
  GTEST_SKIP() << "zlib headers not available";
#else
  // gzip inside gzip ("Content-Encoding: gzip, gzip"): a few KiB on the wire.
  std::string bomb = rasid::testing::gzip(gzip_bomb());
  ASSERT_LT(bomb.size(), 16384u);
  HttpServer server([&](const HttpRequest&) { return encoded("gzip, gzip", bomb); });
  auto o = run_beside_healthy(get(server.url("/")), hostile_options(),
                              "gzip, gzip bomb " + std::to_string(bomb.size()) + " B -> 256 MiB");
  expect_contained(o, Error::too_large, 2000ms);
#endif
}

TEST(Hostile, UndeclaredGzipAndZstdBombs) {
  // No Content-Encoding: curl hands the bytes on as they are and the Fetcher's sniff decodes
  // them (fetch/content_coding.h), under the same cap and the same bounds.
#ifndef RASID_TEST_HAVE_ZLIB
  GTEST_SKIP() << "zlib headers not available";
#else
  for (const std::string& bomb : {gzip_bomb(), zstd_bomb()}) {
    HttpServer server([&](const HttpRequest&) {
      return HttpResponse{200, {{"Content-Type", "application/rss+xml"}}, bomb};
    });
    auto o = run_beside_healthy(get(server.url("/")), hostile_options(),
                                "undeclared bomb " + std::to_string(bomb.size()) + " B -> 256 MiB");
    expect_contained(o, Error::too_large, 2000ms);
  }
#endif
}

TEST(Hostile, BrotliBomb) {
#ifndef RASID_TEST_HAVE_BROTLI
  GTEST_SKIP() << "libbrotlienc not available";
#else
  if (!curl_has(CURL_VERSION_BROTLI)) GTEST_SKIP() << "libcurl without brotli";
  const std::string& bomb = brotli_bomb();
  ASSERT_LT(bomb.size(), kBombDecoded / 500);
  HttpServer server([&](const HttpRequest&) { return encoded("br", bomb); });
  auto o = run_beside_healthy(get(server.url("/")), hostile_options(),
                              "brotli bomb " + std::to_string(bomb.size()) + " B -> 256 MiB");
  expect_contained(o, Error::too_large, 2000ms);
#endif
}

TEST(Hostile, ZstdBomb) {
  if (!curl_has(CURL_VERSION_ZSTD)) GTEST_SKIP() << "libcurl without zstd";
  std::string bomb = zstd_bomb();
  ASSERT_LT(bomb.size(), 10000u);
  HttpServer server([&](const HttpRequest&) { return encoded("zstd", bomb); });
  auto o = run_beside_healthy(get(server.url("/")), hostile_options(),
                              "zstd bomb " + std::to_string(bomb.size()) + " B -> 256 MiB");
  expect_contained(o, Error::too_large, 2000ms);
}

TEST(Hostile, ZstdFrameDecodesWhenSmall) {
  // The hand-made frame format is right: with a cap above its size it decodes to zeros.
  if (!curl_has(CURL_VERSION_ZSTD)) GTEST_SKIP() << "libcurl without zstd";
  std::string bomb = zstd_bomb();
  HttpServer server([&](const HttpRequest&) { return encoded("zstd", bomb); });
  Options o = hostile_options();
  o.max_body_bytes = kBombDecoded;
  auto out = fetch_all({get(server.url("/"))}, o);
  ASSERT_TRUE(out[0].ok()) << out[0].error_message;
  EXPECT_EQ(out[0].body.size(), kBombDecoded);
}

TEST(Hostile, EndlessChunkedBody) {
  HttpServer server([](const HttpRequest&) {
    HttpResponse r;
    r.raw = [](int fd) {
      if (!send_all(fd, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")) return;
      std::string chunk = "8000\r\n" + std::string(0x8000, 'x') + "\r\n";
      while (send_all(fd, chunk)) {
      }
    };
    return r;
  });
  auto o = run_beside_healthy(get(server.url("/")), hostile_options(), "endless chunked body");
  expect_contained(o, Error::too_large, 2000ms);
}

TEST(Hostile, OneBytePerSecondDrip) {
  HttpServer server([](const HttpRequest&) {
    HttpResponse r;
    r.raw = [](int fd) {
      if (!send_all(fd, "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n")) return;
      while (send_all(fd, "x") && !peer_closed_within(fd, 1000ms)) {
      }
    };
    return r;
  });
  Options opts = hostile_options();
  opts.total_timeout = 10000ms;  // the low-speed limit must be what ends it
  auto o = run_beside_healthy(get(server.url("/")), opts, "1 byte/s drip (body)");
  expect_contained(o, Error::timeout, 3000ms);
}

TEST(Hostile, DripInTheHeaders) {
  HttpServer server([](const HttpRequest&) {
    HttpResponse r;
    r.raw = [](int fd) {
      if (!send_all(fd, "HTTP/1.1 200 OK\r\n")) return;
      while (send_all(fd, "X") && !peer_closed_within(fd, 1000ms)) {
      }
    };
    return r;
  });
  Options opts = hostile_options();
  opts.total_timeout = 10000ms;
  auto o = run_beside_healthy(get(server.url("/")), opts, "1 byte/s drip (headers)");
  expect_contained(o, Error::timeout, 3000ms);
}

TEST(Hostile, AcceptsAndNeverAnswers) {
  HttpServer server([](const HttpRequest&) {
    HttpResponse r;
    r.raw = [](int fd) { peer_closed_within(fd, 30000ms); };
    return r;
  });
  Options opts = hostile_options();
  opts.total_timeout = 1500ms;
  opts.low_speed_time = 10s;
  auto o = run_beside_healthy(get(server.url("/")), opts, "accepts, never answers");
  expect_contained(o, Error::timeout, 2500ms);
  EXPECT_GE(o.took, 1400ms);
}

TEST(Hostile, EndlessHeaders) {
  HttpServer server([](const HttpRequest&) {
    HttpResponse r;
    r.raw = [](int fd) {
      if (!send_all(fd, "HTTP/1.1 200 OK\r\n")) return;
      std::string line = "X-Filler: " + std::string(1000, 'h') + "\r\n";
      while (send_all(fd, line)) {
      }
    };
    return r;
  });
  auto o = run_beside_healthy(get(server.url("/")), hostile_options(), "endless headers");
  EXPECT_TRUE(o.r.error == Error::too_large || o.r.error == Error::protocol)
      << to_string(o.r.error);
  expect_contained(o, o.r.error, 2000ms);
}

TEST(Hostile, RedirectLoop) {
  HttpServer server([](const HttpRequest& req) {
    HttpResponse r;
    r.status = 302;
    r.headers = {{"Location", req.path + "x"}};
    return r;
  });
  auto o = run_beside_healthy(get(server.url("/r")), hostile_options(), "redirect loop");
  expect_contained(o, Error::too_many_redirects, 2000ms);
}

TEST(Hostile, RedirectToOtherLoopbackAddress) {
  HttpServer server([](const HttpRequest&) {
    HttpResponse r;
    r.status = 302;
    r.headers = {{"Location", "http://127.0.0.5:8080/admin"}};
    return r;
  });
  auto o = run_beside_healthy(get(server.url("/")), hostile_options(), "redirect to 127.0.0.5");
  expect_contained(o, Error::blocked_address, 1000ms);
  EXPECT_NE(o.r.error_message.find("127.0.0.5"), std::string::npos);
}

TEST(Hostile, RedirectToCloudMetadata) {
  HttpServer server([](const HttpRequest&) {
    HttpResponse r;
    r.status = 301;
    r.headers = {{"Location", "http://169.254.169.254/latest/meta-data/"}};
    return r;
  });
  auto o =
      run_beside_healthy(get(server.url("/")), hostile_options(), "redirect to 169.254.169.254");
  expect_contained(o, Error::blocked_address, 1000ms);
  EXPECT_NE(o.r.error_message.find("169.254.169.254"), std::string::npos);
}

TEST(Hostile, TooManyRequestsWithRetryAfter) {
  HttpServer server([](const HttpRequest&) {
    HttpResponse r;
    r.status = 429;
    r.headers = {{"Retry-After", "7"}};
    r.body = "slow down";
    return r;
  });
  auto o = run_beside_healthy(get(server.url("/")), hostile_options(), "429 + Retry-After: 7");
  expect_contained(o, Error::http_status, 1000ms);
  EXPECT_EQ(o.r.status, 429);
  EXPECT_EQ(o.r.retry_after(), std::chrono::seconds(7));
}

TEST(Hostile, ServiceUnavailableWithRetryAfterDate) {
  HttpServer server([](const HttpRequest&) {
    std::time_t later = std::time(nullptr) + 120;
    char buf[64];
    std::tm tm{};
    gmtime_r(&later, &tm);
    std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    HttpResponse r;
    r.status = 503;
    r.headers = {{"Retry-After", buf}};
    return r;
  });
  auto o = run_beside_healthy(get(server.url("/")), hostile_options(), "503 + Retry-After: date");
  expect_contained(o, Error::http_status, 1000ms);
  ASSERT_TRUE(o.r.retry_after().has_value());
  EXPECT_NEAR(static_cast<double>(o.r.retry_after()->count()), 120.0, 2.0);
}

TEST(Hostile, NotModified) {
  HttpServer server([](const HttpRequest& req) {
    HttpResponse r;
    r.status = req.header("if-none-match") == "\"e1\"" ? 304 : 200;
    r.headers = {{"ETag", "\"e1\""}};
    return r;
  });
  Request q = get(server.url("/"));
  q.etag = "\"e1\"";
  auto o = run_beside_healthy(q, hostile_options(), "304 Not Modified");
  expect_contained(o, Error::not_modified, 1000ms);
}

TEST(Hostile, Gone) {
  HttpServer server([](const HttpRequest&) {
    HttpResponse r;
    r.status = 410;
    return r;
  });
  auto o = run_beside_healthy(get(server.url("/")), hostile_options(), "410 Gone");
  expect_contained(o, Error::http_status, 1000ms);
  EXPECT_EQ(o.r.status, 410);
}

TEST(Hostile, TlsToAPlainHttpPort) {
  PlainListener plain;
  auto o = run_beside_healthy(get("https://127.0.0.1:" + std::to_string(plain.port()) + "/"),
                              hostile_options(), "https to a plain-HTTP port");
  expect_contained(o, Error::tls, 2000ms);
}

TEST(Hostile, GarbageInsteadOfHttp) {
  HttpServer server([](const HttpRequest&) {
    HttpResponse r;
    r.raw = [](int fd) { send_all(fd, std::string(4096, '\x01') + "\r\n\r\n"); };
    return r;
  });
  auto o = run_beside_healthy(get(server.url("/")), hostile_options(), "garbage, not HTTP");
  expect_contained(o, Error::protocol, 1000ms);
}

TEST(Hostile, ConnectionCutMidBody) {
  HttpServer server([](const HttpRequest&) {
    HttpResponse r;
    r.raw = [](int fd) { send_all(fd, "HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\nshort"); };
    return r;
  });
  auto o = run_beside_healthy(get(server.url("/")), hostile_options(), "connection cut mid-body");
  expect_contained(o, Error::protocol, 1000ms);
}

TEST(Hostile, DeclaredLengthAboveTheCap) {
  std::atomic<bool> sent_all{false};
  HttpServer server([&](const HttpRequest&) {
    HttpResponse r;
    r.raw = [&](int fd) {
      std::string head =
          "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(1u << 30) + "\r\n\r\n";
      if (!send_all(fd, head)) return;
      std::string block(1 << 16, 'y');
      for (int i = 0; i < (1 << 14); ++i)
        if (!send_all(fd, block)) return;
      sent_all = true;
    };
    return r;
  });
  auto o = run_beside_healthy(get(server.url("/")), hostile_options(), "Content-Length 1 GiB");
  expect_contained(o, Error::too_large, 1000ms);
  EXPECT_FALSE(sent_all.load());
}

// ---- charsets (decoding is text::decode; here: that a fetched body reaches it right) ---------

std::string from_utf8(const std::string& utf8, const char* charset) {
  UErrorCode err = U_ZERO_ERROR;
  std::string out(utf8.size() * 2 + 16, '\0');
  int32_t n = ucnv_convert(charset, "UTF-8", out.data(), static_cast<int32_t>(out.size()),
                           utf8.data(), static_cast<int32_t>(utf8.size()), &err);
  EXPECT_TRUE(U_SUCCESS(err)) << u_errorName(err);
  out.resize(static_cast<size_t>(n));
  return out;
}

const std::string kArabic =
    "أعلنت وزارة الصحة اليوم عن افتتاح مستشفى جديد في المدينة، وقال الوزير إن المشروع سيخدم "
    "آلاف المواطنين في المنطقة الشمالية، مضيفاً أن الحكومة تعمل على تحسين الخدمات الطبية "
    "وتوفير الأدوية اللازمة لجميع المرضى خلال الأشهر المقبلة.";

TEST(HostileCharset, Windows1256WithoutDeclaration) {
  std::string page = "<html><body><p>" + kArabic + "</p><p>" + kArabic + "</p></body></html>";
  std::string bytes = from_utf8(page, "windows-1256");
  HttpServer server([&](const HttpRequest&) {
    HttpResponse r;
    r.headers = {{"Content-Type", "text/html"}};
    r.body = bytes;
    return r;
  });
  auto o = run_beside_healthy(get(server.url("/")), hostile_options(), "windows-1256, undeclared");
  expect_contained(o, Error::none, 1000ms);
  EXPECT_EQ(o.r.body, bytes) << "the raw body is handed on unchanged";
  std::string u = o.r.utf8();
  EXPECT_TRUE(text::is_valid_utf8(u));
  EXPECT_NE(u.find("وزارة الصحة"), std::string::npos) << u;
}

TEST(HostileCharset, WrongDeclarationIsOverridden) {
  // Declared latin1, really windows-1256 Arabic: a common misconfiguration of Arabic sites.
  std::string page = "<html><body><p>" + kArabic + "</p></body></html>";
  std::string bytes = from_utf8(page, "windows-1256");
  HttpServer server([&](const HttpRequest&) {
    HttpResponse r;
    r.headers = {{"Content-Type", "text/html; charset=iso-8859-1"}};
    r.body = bytes;
    return r;
  });
  auto o =
      run_beside_healthy(get(server.url("/")), hostile_options(), "latin1 declared, cp1256 sent");
  expect_contained(o, Error::none, 1000ms);
  EXPECT_NE(o.r.utf8().find("وزارة الصحة"), std::string::npos);
}

TEST(HostileCharset, InvalidUtf8NeverLeaksDownstream) {
  std::string bytes = "<p>" + kArabic + "\xC3\x28 \xED\xA0\x80 \xF8\x88\x80\x80\x80 \xFF</p>";
  HttpServer server([&](const HttpRequest&) {
    HttpResponse r;
    r.headers = {{"Content-Type", "text/html; charset=utf-8"}};
    r.body = bytes;
    return r;
  });
  auto o = run_beside_healthy(get(server.url("/")), hostile_options(), "invalid UTF-8");
  expect_contained(o, Error::none, 1000ms);
  std::string u = o.r.utf8();
  EXPECT_TRUE(text::is_valid_utf8(u));
  EXPECT_NE(u.find("\xEF\xBF\xBD"), std::string::npos) << "bad bytes become U+FFFD";
  EXPECT_NE(u.find("وزارة الصحة"), std::string::npos);
}

}  // namespace
}  // namespace rasid::fetch
