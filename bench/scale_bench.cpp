// bench/scale_bench.cpp — rasid end to end over loopback, on SQLite or on PostgreSQL with
// several instances (issue 15). Real parts only: the real `rasid run` binary, a real HTTP server
// serving feeds and article pages, a real webhook receiver, a real SQLite file or a throwaway
// PostgreSQL cluster (tests/support/pg_cluster.h; RASID_PG_DURABLE=1 for fsync and synchronous
// commit as PostgreSQL ships them, RASID_PG_OPTIONS for pg_stat_statements).
//
//   throughput: S sources × A articles, every article new, alerted (alert_on_first_poll) and
//               delivered; reports articles/s from the first poll to the last delivery, CPU per
//               article (all instances), and the database's statements/s per instance.
//   sources:    S sources whose feeds never change, polled for --seconds; reports polls per
//               source per interval (must be 1 with any number of instances), memory per instance.
//
//   cmake --build build --target scale_bench
//   build/scale_bench throughput --engine sqlite --sources 20 --articles 50
//   RASID_PG_OPTIONS="shared_preload_libraries=pg_stat_statements" build/scale_bench throughput
//       --engine postgresql --instances 3 --sources 20 --articles 50
//   build/scale_bench sources --engine postgresql --instances 3 --sources 10000 --interval 60
//       --seconds 300
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/e2e/fixtures.h"
#include "tests/support/http_server.h"
#include "tests/support/pg_cluster.h"
#include "tests/support/process.h"

using namespace rasid::testing;
using namespace std::chrono;

namespace {

struct Args {
  std::string mode = "throughput";
  std::string engine = "sqlite";
  int instances = 1, sources = 20, articles = 50, interval = 2, seconds = 120, lease = 30;
};

const char* const kWords[] = {
    "الحكومة",   "المدينة", "الاقتصاد", "المياه",   "الكهرباء",  "المدارس",   "الطلاب",  "المستشفى",
    "الأطباء",   "الطريق",  "الجسر",    "السوق",    "الأسعار",   "القمح",     "الخبز",   "الوقود",
    "المزارعين", "الموسم",  "الأمطار",  "الشتاء",   "الصيف",     "المجلس",    "البلدية", "المشروع",
    "التمويل",   "المنظمة", "التقرير",  "المراسل",  "الشهود",    "السكان",    "الأحياء", "الشوارع",
    "المحافظة",  "الوزارة", "اللجنة",   "الاجتماع", "القرار",    "الميزانية", "العمال",  "المصانع",
    "الميناء",   "الشحنات", "الحدود",   "المعبر",   "المسافرين", "الحافلات",  "القطار",  "المطار"};

// Article j of source i: 90 words drawn from the list (distinct texts, so no two articles are
// near-duplicates and each is its own story), always mentioning سوريا (the topic matches all).
FixtureArticle make_article(int i, int j) {
  std::mt19937 rng(static_cast<unsigned>(i * 100003 + j));
  std::uniform_int_distribution<size_t> pick(0, std::size(kWords) - 1);
  FixtureArticle a;
  a.slug = "s" + std::to_string(i) + "-a" + std::to_string(j);
  a.title = std::string("تقرير رقم ") + std::to_string(j) + " من سوريا عن " + kWords[pick(rng)];
  for (int p = 0; p < 3; ++p) {
    std::string para = p == 0 ? "قالت مصادر في سوريا إن" : "وأضافت";
    for (int w = 0; w < 30; ++w) para += std::string(" ") + kWords[pick(rng)];
    a.paragraphs.push_back(para + ".");
  }
  a.published = "Mon, 30 Nov 2026 08:00:00 +0000";
  return a;
}

std::string feed_of(int i, int articles, const std::string& base) {
  std::string x =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel>"
      "<title>موقع " +
      std::to_string(i) + "</title><link>" + base + "/</link>\n";
  for (int j = articles - 1; j >= 0; --j) {
    auto a = make_article(i, j);
    x += "<item><title>" + escape_xml(a.title) + "</title><link>" + base + "/news/" + a.slug +
         "</link><guid isPermaLink=\"false\">urn:" + a.slug + "</guid><pubDate>" + a.published +
         "</pubDate></item>\n";
  }
  return x + "</channel></rss>\n";
}

double cpu_seconds(int pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
  std::string s((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  auto r = s.rfind(')');
  if (r == std::string::npos) return 0;
  std::istringstream in(s.substr(r + 2));
  std::string tok;
  double ut = 0, st = 0;
  for (int field = 3; in >> tok; ++field) {
    if (field == 14) ut = std::atof(tok.c_str());
    if (field == 15) {
      st = std::atof(tok.c_str());
      break;
    }
  }
  return (ut + st) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

long rss_kb(int pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  if (argc > 1) a.mode = argv[1];
  for (int i = 2; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--engine")
      a.engine = v;
    else if (k == "--instances")
      a.instances = std::atoi(v.c_str());
    else if (k == "--sources")
      a.sources = std::atoi(v.c_str());
    else if (k == "--articles")
      a.articles = std::atoi(v.c_str());
    else if (k == "--interval")
      a.interval = std::atoi(v.c_str());
    else if (k == "--seconds")
      a.seconds = std::atoi(v.c_str());
    else if (k == "--lease")
      a.lease = std::atoi(v.c_str());
    else {
      std::fprintf(stderr, "unknown option %s\n", k.c_str());
      return 2;
    }
  }
  const bool throughput = a.mode == "throughput";
  if (!throughput) a.articles = 1;
  if (a.engine == "sqlite" && a.instances != 1) {
    std::fprintf(stderr, "SQLite runs one instance\n");
    return 2;
  }

  std::mutex mu;
  std::map<int, int> feed_requests;  // source → requests
  std::set<std::string> ids;
  int deliveries = 0;
  std::atomic<long> pages{0};
  auto last_delivery = steady_clock::now() + hours(1);  // set by the first delivery
  std::string base;
  std::vector<std::string> feeds(static_cast<size_t>(a.sources));
  HttpServer server([&](const HttpRequest& r) -> HttpResponse {
    if (r.path.rfind("/feed/", 0) == 0) {
      int i = std::atoi(r.path.c_str() + 6);
      if (i < 0 || i >= a.sources) return {404, {}, ""};
      std::lock_guard<std::mutex> l(mu);
      feed_requests[i]++;
      if (r.header("if-none-match") == "\"v1\"") return {304, {{"ETag", "\"v1\""}}, ""};
      return {200,
              {{"Content-Type", "application/rss+xml"}, {"ETag", "\"v1\""}},
              feeds[static_cast<size_t>(i)]};
    }
    if (r.path.rfind("/news/s", 0) == 0) {
      int i = 0, j = 0;
      if (std::sscanf(r.path.c_str(), "/news/s%d-a%d", &i, &j) != 2) return {404, {}, ""};
      pages++;
      return {200,
              {{"Content-Type", "text/html; charset=utf-8"}},
              article_page(make_article(i, j), base)};
    }
    if (r.path == "/hook") {
      std::lock_guard<std::mutex> l(mu);
      deliveries++;
      ids.insert(r.header("webhook-id"));
      last_delivery = steady_clock::now();
      return {200, {}, "ok"};
    }
    return {404, {}, ""};
  });
  base = server.url("");
  for (int i = 0; i < a.sources; ++i) feeds[static_cast<size_t>(i)] = feed_of(i, a.articles, base);

  const std::string dir = make_temp_dir();
  std::unique_ptr<PgCluster> pg;
  std::string database = dir + "/rasid.db", dbname;
  if (a.engine == "postgresql") {
    std::string why;
    pg = PgCluster::start_new(&why);
    if (!pg) {
      std::fprintf(stderr, "SKIP: %s\n", why.c_str());
      return 77;
    }
    database = pg->create_database();
    dbname = PgCluster::database_name(database);
    try {
      pg->query(dbname, "CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
    } catch (const std::exception&) {
    }
  }
  std::vector<std::unique_ptr<DaemonProcess>> daemons;
  for (int k = 0; k < a.instances; ++k) {
    std::string cfg =
        "[daemon]\ndatabase = \"" + database +
        "\"\nallow_private = [\"127.0.0.0/8\"]\nlog_level = \"info\"\n" +
        (pg && a.lease > 0 ? "lease = \"" + std::to_string(a.lease) + "s\"\n" : std::string()) +
        "status_listen = \"127.0.0.1:0\"\nfast_polling = true\nper_host_delay_ms = 0\n"
        "concurrency = 16\nper_host_concurrency = 8\n\n";
    for (int i = 0; i < a.sources; ++i)
      cfg += "[[source]]\nname = \"s" + std::to_string(i) + "\"\nfeed = \"" + base + "/feed/" +
             std::to_string(i) + "\"\ninterval = \"" + std::to_string(a.interval) +
             "s\"\nmin_interval = \"" + std::to_string(a.interval) + "s\"\nmax_interval = \"" +
             std::to_string(a.interval) + "s\"\nalert_on_first_poll = true\n\n";
    cfg +=
        "[[topic]]\nname = \"syria\"\nquery = 'سوريا'\nwebhooks = [\"recv\"]\n\n"
        "[[webhook]]\nname = \"recv\"\nurl = \"" +
        base + "/hook\"\n";
    write_file(dir + "/rasid" + std::to_string(k) + ".toml", cfg);
    daemons.push_back(std::make_unique<DaemonProcess>(dir + "/rasid" + std::to_string(k) + ".toml",
                                                      dir + "/log" + std::to_string(k)));
  }
  auto stat_calls = [&]() -> double {
    if (!pg) return 0;
    try {
      return std::atof(
          pg->query(dbname, "SELECT coalesce(sum(calls),0) FROM pg_stat_statements").c_str());
    } catch (const std::exception&) {
      return -1;
    }
  };
  // Lease churn: the scheduler's claim statements and the sources they leased (pg_stat_statements
  // keeps the calls and rows of each statement; Store::claim_due).
  auto claim_stats = [&]() -> std::pair<double, double> {
    if (!pg) return {0, 0};
    try {
      const std::string r = pg->query(
          dbname,
          "SELECT coalesce(sum(calls),0) || ' ' || coalesce(sum(rows),0) FROM pg_stat_statements "
          "WHERE query LIKE 'UPDATE sources s SET lease_owner%'");
      double c = 0, n = 0;
      std::sscanf(r.c_str(), "%lf %lf", &c, &n);
      return {c, n};
    } catch (const std::exception&) {
      return {-1, -1};
    }
  };
  const double calls0 = stat_calls();
  const auto claims0 = claim_stats();
  const auto t0 = steady_clock::now();
  for (auto& d : daemons) d->start();
  const long expected = static_cast<long>(a.sources) * a.articles;
  const auto deadline = t0 + seconds(a.seconds);
  while (steady_clock::now() < deadline) {
    std::this_thread::sleep_for(200ms);
    std::lock_guard<std::mutex> l(mu);
    if (throughput && static_cast<long>(ids.size()) >= expected) break;
  }
  const auto t1 = steady_clock::now();
  double cpu = 0;
  long rss_max = 0;
  for (auto& d : daemons) {
    cpu += cpu_seconds(d->pid());
    rss_max = std::max(rss_max, rss_kb(d->pid()));
  }
  const double calls = stat_calls() - calls0;
  const auto claims1 = claim_stats();
  std::lock_guard<std::mutex> l(mu);
  const double wall = duration<double>((throughput ? last_delivery : t1) - t0).count();
  std::printf("scale_bench %s engine=%s instances=%d sources=%d articles/source=%d interval=%ds\n",
              a.mode.c_str(), a.engine.c_str(), a.instances, a.sources, a.articles, a.interval);
  if (throughput) {
    std::printf(
        "delivered %zu distinct of %ld expected (%d POSTs, %d repeats), pages fetched %ld\n",
        ids.size(), expected, deliveries, deliveries - static_cast<int>(ids.size()), pages.load());
    std::printf(
        "%.1f s from start to last delivery: %.1f articles/s; CPU %.2f ms/article "
        "(all instances)\n",
        wall, static_cast<double>(ids.size()) / wall,
        1000.0 * cpu / std::max<double>(1, static_cast<double>(ids.size())));
  } else {
    long total = 0;
    int min_req = 1 << 30, max_req = 0;
    for (int i = 0; i < a.sources; ++i) {
      int n = feed_requests.count(i) ? feed_requests[i] : 0;
      total += n;
      min_req = std::min(min_req, n);
      max_req = std::max(max_req, n);
    }
    const double intervals = wall / a.interval;
    std::printf(
        "%ld feed requests in %.0f s: %.3f polls per source per interval (min %d max %d "
        "requests per source over %.1f intervals)\n",
        total, wall, static_cast<double>(total) / a.sources / intervals, min_req, max_req,
        intervals);
  }
  std::printf("max RSS per instance %ld MB\n", rss_max / 1024);
  if (pg && calls >= 0)
    std::printf("database: %.0f statements, %.1f statements/s per instance\n", calls,
                calls / wall / a.instances);
  if (pg && calls >= 0) {
    // Where the statements go (cumulative since the cluster started, migrations included).
    try {
      std::printf("top statements by calls:\n%s\n",
                  pg->query(dbname,
                            "SELECT string_agg(calls || '  ' || left(regexp_replace(query, "
                            "'\\s+', ' ', 'g'), 90), E'\\n' ORDER BY calls DESC) FROM (SELECT "
                            "calls, query FROM pg_stat_statements ORDER BY calls DESC LIMIT 10) t")
                      .c_str());
    } catch (const std::exception&) {
    }
  }
  if (pg && claims1.first >= 0 && claims0.first >= 0)
    std::printf("leases: %.0f claim statements (%.1f/s per instance) leased %.0f sources\n",
                claims1.first - claims0.first, (claims1.first - claims0.first) / wall / a.instances,
                claims1.second - claims0.second);
  for (auto& d : daemons) d->stop(SIGTERM);
  return 0;
}
