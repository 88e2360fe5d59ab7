// bench/fetch_bench.cpp — load benchmark of fetch/ (issue 4), side by side with newsboat.
//
// A forked child serves N RSS feeds (realistic Arabic items, ETags; 95% of feeds unchanged, so a
// repeat poll mostly gets 304) on 127.0.0.1 … 127.0.0.<hosts>, one port: many hosts, like the
// real web, so the per-host limit acts as it would. The parent process holds only the Fetcher, so
// its getrusage() is the fetcher's CPU.
//
//   fetch_bench [--feeds 1000,10000] [--hosts 50] [--steady-seconds 60] [--steady-rate 10000]
//               [--newsboat 1000] [--max-total 16] [--max-per-host 2]
//
// Prints a Markdown table (paste into BENCHMARKS.md, "## Fetching").
// clang-format off
#include <utility>  // before asio (asio issue #944 with g++ 12 + C++20)
// clang-format on
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "fetch/fetcher.h"

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

// ---- the feed server (child process) -------------------------------------------------------

const char* kWords[] = {
    "الحكومة",  "وزارة",     "الصحة",   "مستشفى",  "المدينة",  "الرئيس",  "مجلس",       "النواب",
    "الاقتصاد", "أسعار",     "النفط",   "الدولار", "البنك",    "المركزي", "الانتخابات", "البرلمان",
    "غزة",      "القدس",     "بيروت",   "دمشق",    "القاهرة",  "الرياض",  "بغداد",      "عمّان",
    "أعلن",     "قال",       "أكد",     "مصدر",    "مسؤول",    "اليوم",   "أمس",        "الأسبوع",
    "المقبل",   "الماضي",    "مشروع",   "جديد",    "خطة",      "تنمية",   "التعليم",    "الجامعة",
    "الطلاب",   "المواطنين", "الخدمات", "الطاقة",  "الكهرباء", "المياه",  "الزراعة",    "الصادرات"};

std::string sentence(std::mt19937& rng, int words) {
  std::string s;
  for (int i = 0; i < words; ++i) {
    if (i) s += (i % 9 == 0) ? "، " : " ";
    s += kWords[rng() % (sizeof kWords / sizeof *kWords)];
  }
  return s + ".";
}

std::string make_feed(int seed) {
  std::mt19937 rng(static_cast<unsigned>(seed));
  std::string x =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel>"
      "<title>" +
      sentence(rng, 3) + "</title><link>https://news.example/" + std::to_string(seed) +
      "</link><description>" + sentence(rng, 8) + "</description>\n";
  for (int i = 0; i < 20; ++i) {
    std::string id = std::to_string(seed) + "-" + std::to_string(i);
    x += "<item><title>" + sentence(rng, 8) + "</title><link>https://news.example/a/" + id +
         "</link><guid>https://news.example/a/" + id + "</guid><pubDate>Mon, 06 May 2024 " +
         std::to_string(10 + i % 10) + ":00:00 +0300</pubDate><description>" + sentence(rng, 40) +
         "</description></item>\n";
  }
  return x + "</channel></rss>\n";
}

struct FeedServer {
  std::vector<std::string> pool;
  std::vector<unsigned> version;  // per feed; "changing" feeds bump on every request
  long served_ok = 0, served_304 = 0;
  explicit FeedServer(int feeds) : version(static_cast<size_t>(feeds), 1) {
    for (int i = 0; i < 32; ++i) pool.push_back(make_feed(i));
  }
  std::string etag(size_t i) const {
    return "\"" + std::to_string(i) + "-" + std::to_string(version[i]) + "\"";
  }
  void answer(const http::request<http::string_body>& req, http::response<http::string_body>& res) {
    res.version(11);
    res.keep_alive(req.keep_alive());
    std::string_view t(req.target().data(), req.target().size());
    size_t i = 0;
    if (t == "/stats") {
      res.result(http::status::ok);
      res.body() = std::to_string(served_ok) + " " + std::to_string(served_304);
      res.prepare_payload();
      return;
    }
    if (t.rfind("/feed/", 0) != 0 ||
        (i = std::strtoul(t.data() + 6, nullptr, 10)) >= version.size()) {
      res.result(http::status::not_found);
      res.prepare_payload();
      return;
    }
    if (i % 20 == 0) ++version[i];  // 5% of feeds change between polls
    auto inm = req[http::field::if_none_match];
    auto ims = req[http::field::if_modified_since];
    // Unchanged feeds keep one date; changing ones get a fresh (fake) date per version.
    std::string lm = "Mon, 06 May 2024 " + std::to_string(10 + version[i] / 3600 % 10) + ":" +
                     std::to_string(10 + version[i] / 60 % 50) + ":" +
                     std::to_string(10 + version[i] % 50) + " GMT";
    res.set(http::field::etag, etag(i));
    res.set(http::field::last_modified, lm);
    if ((!inm.empty() && std::string_view(inm.data(), inm.size()) == etag(i)) ||
        (inm.empty() && !ims.empty() && std::string_view(ims.data(), ims.size()) == lm)) {
      res.result(http::status::not_modified);
      ++served_304;
      return;
    }
    res.result(http::status::ok);
    res.set(http::field::content_type, "application/rss+xml; charset=utf-8");
    res.body() = pool[i % pool.size()];
    res.prepare_payload();
    ++served_ok;
  }
};

struct Session : std::enable_shared_from_this<Session> {
  Session(tcp::socket s, FeedServer& f) : sock(std::move(s)), feeds(f) {}
  tcp::socket sock;
  FeedServer& feeds;
  beast::flat_buffer buf;
  http::request<http::string_body> req;
  http::response<http::string_body> res;
  void read() {
    req = {};
    http::async_read(sock, buf, req, [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec) return;
      self->res = {};
      self->feeds.answer(self->req, self->res);
      http::async_write(self->sock, self->res, [self](beast::error_code ec2, size_t) {
        if (ec2 || !self->res.keep_alive()) return;
        self->read();
      });
    });
  }
};

void accept_loop(tcp::acceptor& a, FeedServer& f) {
  a.async_accept([&a, &f](beast::error_code ec, tcp::socket s) {
    if (!ec) std::make_shared<Session>(std::move(s), f)->read();
    accept_loop(a, f);
  });
}

// Forks the server; returns its pid and the port (same port on every 127.0.0.x).
pid_t start_server(int feeds, int hosts, int* port_out) {
  int p[2];
  if (::pipe(p) != 0) std::exit(1);
  pid_t pid = ::fork();
  if (pid == 0) {
    ::close(p[0]);
    asio::io_context io;
    FeedServer f(feeds);
    std::vector<std::unique_ptr<tcp::acceptor>> acceptors;
    unsigned short port = 0;
    for (int h = 1; h <= hosts; ++h) {
      auto addr = asio::ip::make_address("127.0.0." + std::to_string(h));
      auto a = std::make_unique<tcp::acceptor>(io);
      a->open(tcp::v4());
      a->set_option(tcp::acceptor::reuse_address(true));
      a->bind(tcp::endpoint(addr, port));
      a->listen(1024);
      port = a->local_endpoint().port();
      accept_loop(*a, f);
      acceptors.push_back(std::move(a));
    }
    int port_int = port;
    if (::write(p[1], &port_int, sizeof port_int) != sizeof port_int) std::_Exit(1);
    ::close(p[1]);
    io.run();
    std::_Exit(0);
  }
  ::close(p[1]);
  if (::read(p[0], port_out, sizeof *port_out) != sizeof *port_out) std::exit(1);
  ::close(p[0]);
  return pid;
}

// ---- measuring -------------------------------------------------------------------------------

double cpu_seconds() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

double children_cpu_seconds() {
  rusage u{};
  ::getrusage(RUSAGE_CHILDREN, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

long status_kb(const char* field) {
  std::ifstream in("/proc/self/status");
  std::string line, key = std::string(field) + ":";
  while (std::getline(in, line))
    if (line.rfind(key, 0) == 0) return std::stol(line.substr(key.size()));
  return -1;
}

std::string feed_url(int port, int hosts, int i) {
  return "http://127.0.0." + std::to_string(1 + i % hosts) + ":" + std::to_string(port) + "/feed/" +
         std::to_string(i) + ".xml";
}

struct RefreshResult {
  double wall = 0, cpu = 0;
  int ok = 0, not_modified = 0, failed = 0;
  std::string first_error;
};

RefreshResult refresh(rasid::fetch::Fetcher& f, asio::io_context& io, int feeds, int port,
                      int hosts, std::vector<std::string>& etags) {
  RefreshResult r;
  double c0 = cpu_seconds();
  auto t0 = Clock::now();
  for (int i = 0; i < feeds; ++i) {
    rasid::fetch::Request q;
    q.url = feed_url(port, hosts, i);
    q.etag = etags[static_cast<size_t>(i)];
    f.fetch(std::move(q), [&r, &etags, i](rasid::fetch::Response resp) {
      if (resp.ok()) {
        ++r.ok;
        etags[static_cast<size_t>(i)] = resp.etag;
      } else if (resp.error == rasid::fetch::Error::not_modified) {
        ++r.not_modified;
      } else {
        if (r.first_error.empty()) r.first_error = resp.error_message;
        ++r.failed;
      }
    });
  }
  io.restart();
  io.run();
  r.wall = std::chrono::duration<double>(Clock::now() - t0).count();
  r.cpu = cpu_seconds() - c0;
  return r;
}

struct SteadyResult {
  double wall = 0, cpu = 0;
  int done = 0, ok = 0, not_modified = 0, failed = 0;
  double p50_ms = 0, p99_ms = 0;
  long rss_kb = 0, hwm_kb = 0;
};

SteadyResult steady(rasid::fetch::Fetcher& f, asio::io_context& io, int feeds, int port, int hosts,
                    std::vector<std::string>& etags, double seconds, double per_minute) {
  SteadyResult s;
  std::vector<double> lat;
  const auto gap =
      std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(60.0 / per_minute));
  const int total = static_cast<int>(seconds * per_minute / 60.0);
  asio::steady_timer timer(io);
  int issued = 0;
  auto t0 = Clock::now();
  double c0 = cpu_seconds();
  std::function<void()> tick = [&] {
    // Catch up on every request due by now (the timer may fire late under load).
    while (issued < total && t0 + gap * issued <= Clock::now()) {
      int i = issued % feeds;
      ++issued;
      rasid::fetch::Request q;
      q.url = feed_url(port, hosts, i);
      q.etag = etags[static_cast<size_t>(i)];
      auto sent = Clock::now();
      f.fetch(std::move(q), [&, i, sent](rasid::fetch::Response resp) {
        lat.push_back(std::chrono::duration<double, std::milli>(Clock::now() - sent).count());
        ++s.done;
        if (resp.ok()) {
          ++s.ok;
          etags[static_cast<size_t>(i)] = resp.etag;
        } else if (resp.error == rasid::fetch::Error::not_modified) {
          ++s.not_modified;
        } else {
          ++s.failed;
        }
      });
    }
    if (issued < total) {
      timer.expires_at(t0 + gap * issued);
      timer.async_wait([&](beast::error_code ec) {
        if (!ec) tick();
      });
    }
  };
  tick();
  io.restart();
  io.run();
  s.wall = std::chrono::duration<double>(Clock::now() - t0).count();
  s.cpu = cpu_seconds() - c0;
  std::sort(lat.begin(), lat.end());
  if (!lat.empty()) {
    s.p50_ms = lat[lat.size() / 2];
    s.p99_ms = lat[std::min(lat.size() - 1, lat.size() * 99 / 100)];
  }
  s.rss_kb = status_kb("VmRSS");
  s.hwm_kb = status_kb("VmHWM");
  return s;
}

// What the server has answered so far: {200s, 304s}.
std::pair<long, long> server_stats(int port, const rasid::fetch::Options& o) {
  rasid::fetch::Request q;
  q.url = "http://127.0.0.1:" + std::to_string(port) + "/stats";
  auto r = rasid::fetch::fetch_all({q}, o);
  long a = 0, b = 0;
  std::sscanf(r[0].body.c_str(), "%ld %ld", &a, &b);
  return {a, b};
}

// Runs newsboat (its 2nd reload is still unconditional: newsboat issue #2734; from the 3rd on
// it sends If-None-Match) -x reload over the same feeds; returns wall seconds (or -1) and its CPU.
double newsboat_reload(const std::filesystem::path& dir, double* cpu) {
  std::string cmd = "HOME=" + dir.string() + " newsboat -u " + (dir / "urls").string() + " -c " +
                    (dir / "cache.db").string() + " -C " + (dir / "config").string() +
                    " -x reload > " + (dir / "log").string() + " 2>&1";
  double c0 = children_cpu_seconds();
  auto t0 = Clock::now();
  int rc = std::system(cmd.c_str());
  double wall = std::chrono::duration<double>(Clock::now() - t0).count();
  *cpu = children_cpu_seconds() - c0;
  return rc == 0 ? wall : -1;
}

std::vector<int> parse_list(const char* s) {
  std::vector<int> out;
  for (const char* p = s; *p;) {
    out.push_back(std::atoi(p));
    while (*p && *p != ',') ++p;
    if (*p == ',') ++p;
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<int> sizes = {1000, 10000};
  int hosts = 50, newsboat_feeds = 1000, max_total = 16, max_per_host = 2;
  double steady_seconds = 60, steady_rate = 10000;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--feeds")
      sizes = parse_list(argv[i + 1]);
    else if (a == "--hosts")
      hosts = std::atoi(argv[i + 1]);
    else if (a == "--steady-seconds")
      steady_seconds = std::atof(argv[i + 1]);
    else if (a == "--steady-rate")
      steady_rate = std::atof(argv[i + 1]);
    else if (a == "--newsboat")
      newsboat_feeds = std::atoi(argv[i + 1]);
    else if (a == "--max-total")
      max_total = std::atoi(argv[i + 1]);
    else if (a == "--max-per-host")
      max_per_host = std::atoi(argv[i + 1]);
  }
  int max_feeds = *std::max_element(sizes.begin(), sizes.end());
  max_feeds = std::max(max_feeds, newsboat_feeds);
  int port = 0;
  pid_t server = start_server(max_feeds, hosts, &port);

  rasid::fetch::Options o;
  o.allow_private = {"127.0.0.0/8"};
  o.max_total = max_total;
  o.max_per_host = max_per_host;
  o.user_agent = "rasid-bench/0.1";

  std::printf(
      "feeds served from %d hosts (127.0.0.1-%d), %d-item Arabic RSS ~%zu KB, "
      "5%% of feeds change between polls; Fetcher max_total=%d max_per_host=%d\n\n",
      hosts, hosts, 20, make_feed(0).size() / 1024, max_total, max_per_host);
  std::printf("| run | feeds | wall s | feeds/s | CPU s | 200 | 304 | failed |\n");
  std::printf("|---|---:|---:|---:|---:|---:|---:|---:|\n");
  std::map<int, RefreshResult> cold_by_size, warm_by_size;
  std::vector<std::string> steady_etags;
  for (int n : sizes) {
    asio::io_context io;
    rasid::fetch::Fetcher f(io, o);
    std::vector<std::string> etags(static_cast<size_t>(n));
    for (const char* phase : {"rasid cold", "rasid repeat"}) {
      RefreshResult r = refresh(f, io, n, port, hosts, etags);
      std::printf("| %s | %d | %.2f | %.0f | %.2f | %d | %d | %d |\n", phase, n, r.wall, n / r.wall,
                  r.cpu, r.ok, r.not_modified, r.failed);
      if (!r.first_error.empty()) std::printf("<!-- first error: %s -->\n", r.first_error.c_str());
      (std::string(phase) == "rasid cold" ? cold_by_size : warm_by_size)[n] = r;
    }
    if (n == max_feeds || steady_etags.empty()) steady_etags = etags;
  }

  if (newsboat_feeds > 0 && std::system("command -v newsboat > /dev/null 2>&1") == 0) {
    auto dir =
        std::filesystem::temp_directory_path() / ("rasid-bench-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    {
      std::ofstream urls(dir / "urls");
      for (int i = 0; i < newsboat_feeds; ++i) urls << feed_url(port, hosts, i) << "\n";
      std::ofstream cfg(dir / "config");
      cfg << "reload-threads 1\n";
    }
    for (const char* phase : {"newsboat cold", "newsboat repeat 1", "newsboat repeat 2"}) {
      double cpu = 0;
      auto s0 = server_stats(port, o);
      double wall = newsboat_reload(dir, &cpu);
      auto s1 = server_stats(port, o);
      std::printf("| %s (reload-threads 1) | %d | %.2f | %.0f | %.2f | %ld | %ld | %s |\n", phase,
                  newsboat_feeds, wall, newsboat_feeds / wall, cpu, s1.first - s0.first,
                  s1.second - s0.second, wall < 0 ? "error" : "");
    }
    {
      std::filesystem::remove(dir / "cache.db");
      std::ofstream cfg(dir / "config");
      cfg << "reload-threads " << max_total << "\n";
    }
    for (const char* phase : {"newsboat cold", "newsboat repeat 1", "newsboat repeat 2"}) {
      double cpu = 0;
      auto s0 = server_stats(port, o);
      double wall = newsboat_reload(dir, &cpu);
      auto s1 = server_stats(port, o);
      std::printf("| %s (reload-threads %d) | %d | %.2f | %.0f | %.2f | %ld | %ld | %s |\n", phase,
                  max_total, newsboat_feeds, wall, newsboat_feeds / wall, cpu, s1.first - s0.first,
                  s1.second - s0.second, wall < 0 ? "error" : "");
    }
    std::filesystem::remove_all(dir);
  }

  if (steady_seconds > 0) {
    int n = static_cast<int>(steady_etags.size());
    asio::io_context io;
    rasid::fetch::Fetcher f(io, o);
    std::ofstream("/proc/self/clear_refs") << "5";  // peak RSS of the steady phase only
    SteadyResult s = steady(f, io, n, port, hosts, steady_etags, steady_seconds, steady_rate);
    std::printf("\nsteady schedule: %.0f feeds/minute over %d feeds for %.0f s\n\n", steady_rate, n,
                s.wall);
    std::printf(
        "| requests | 200 | 304 | failed | CPU %% of one core | RSS MB | peak RSS MB | "
        "latency p50 ms | p99 ms |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    std::printf("| %d | %d | %d | %d | %.1f | %.1f | %.1f | %.2f | %.2f |\n", s.done, s.ok,
                s.not_modified, s.failed, 100.0 * s.cpu / s.wall, s.rss_kb / 1024.0,
                s.hwm_kb / 1024.0, s.p50_ms, s.p99_ms);
  }
  ::kill(server, SIGTERM);
  ::waitpid(server, nullptr, 0);
  return 0;
}
