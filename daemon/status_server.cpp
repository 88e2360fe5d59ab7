// The status endpoint: socket, HTTP parsing, routing and auth (daemon/status.h).
#include <openssl/crypto.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <map>
#include <optional>
#include <utility>

#include "daemon/status.h"
#include "daemon/status_page.h"
#include "url/url.h"

namespace rasid::daemon {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

namespace {

constexpr int kMaxSessions = 64;

std::map<std::string, std::string> parse_query(std::string_view q) {
  std::map<std::string, std::string> out;
  while (!q.empty()) {
    auto amp = q.find('&');
    std::string_view part = q.substr(0, amp);
    auto eq = part.find('=');
    std::string key = url::decode(part.substr(0, eq), true);
    std::string value = eq == std::string_view::npos ? "" : url::decode(part.substr(eq + 1), true);
    if (!key.empty() && !out.count(key)) out.emplace(std::move(key), std::move(value));
    if (amp == std::string_view::npos) break;
    q.remove_prefix(amp + 1);
  }
  return out;
}

// Bearer token comparison in constant time for a given length (OpenSSL CRYPTO_memcmp).
bool constant_time_equal(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

StatusReply json_reply(int status, const nlohmann::json& j) {
  return {status, "application/json; charset=utf-8", json_text(j, 2) + "\n", ""};
}

StatusReply error_reply(int status, const std::string& message) {
  return json_reply(status, {{"error", message}});
}

}  // namespace

StatusReply handle_status_request(const StatusContext& ctx, std::string_view method,
                                  std::string_view target, std::string_view authorization) {
  if (method != "GET" && method != "HEAD") {
    auto r = error_reply(405, "only GET and HEAD");
    return r;
  }
  auto qpos = target.find('?');
  std::string path = url::decode(target.substr(0, qpos), false);
  auto q =
      parse_query(qpos == std::string_view::npos ? std::string_view() : target.substr(qpos + 1));

  if (path == "/healthz") {
    Health hl = ctx.health ? ctx.health() : Health{};
    nlohmann::json j{{"status", hl.ok() ? "ok" : "unhealthy"},
                     {"loop", hl.loop},
                     {"database", hl.database},
                     {"scheduler", hl.scheduler}};
    if (!hl.detail.empty()) j["detail"] = hl.detail;
    return json_reply(hl.ok() ? 200 : 503, j);
  }

  auto rt = ctx.runtime();
  const std::string& token = rt->config.daemon.status_token;
  if (!token.empty()) {
    constexpr std::string_view kBearer = "Bearer ";
    bool ok = authorization.size() > kBearer.size() &&
              std::equal(kBearer.begin(), kBearer.end(), authorization.begin(),
                         [](char a, char b) { return std::tolower(a) == std::tolower(b); }) &&
              constant_time_equal(authorization.substr(kBearer.size()), token);
    if (!ok) {
      auto r = error_reply(401, "a bearer token is required");
      r.www_authenticate = "Bearer realm=\"rasid\"";
      return r;
    }
  }

  storage::Store& store = *ctx.store;
  const storage::Millis now = storage::now_ms();
  if (path == "/metrics") {
    return {200, "text/plain; version=0.0.4; charset=utf-8", ctx.metrics->render(store, *rt), ""};
  }
  if (path == "/api/health") {
    auto overall = assess_health(store, *rt, ctx.health ? ctx.health() : Health{}, now);
    return json_reply(overall.status == HealthLevel::failing ? 503 : 200, health_json(overall));
  }
  if (path == "/api/sources") return json_reply(200, sources_json(store, *rt));
  if (path == "/api/topics") return json_reply(200, topics_json(store, *rt, now));
  if (path == "/api/instances") {
    auto j = instances_json(store, *rt, ctx.instance_id, now);
    if (!j) return error_reply(503, "database: " + j.error());
    return json_reply(200, j.value());
  }
  if (path == "/api/articles") {
    storage::ArticleQuery aq;
    aq.topic = q.count("topic") ? q["topic"] : "";
    auto since = parse_since(q.count("since") ? q["since"] : "", now, 7 * kDayMs);
    if (!since) return error_reply(400, "since: use 24h, 7d, 2024-05-01 or 2024-05-01T10:00:00Z");
    aq.since = *since;
    if (q.count("q")) {
      if (q["q"].size() > 256) return error_reply(400, "q: at most 256 bytes");
      aq.fts = fts_query_from_words(q["q"]);
    }
    aq.matched_only = q.count("matched") && q["matched"] != "0";
    aq.limit = 50;
    if (q.count("limit")) {
      char* end = nullptr;
      long v = std::strtol(q["limit"].c_str(), &end, 10);
      if (!end || *end || v < 1 || v > 500) return error_reply(400, "limit: 1-500");
      aq.limit = static_cast<int>(v);
    }
    auto arr = articles_json(store, aq);
    if (!arr) return error_reply(500, arr.error());
    return json_reply(200, {{"since", iso_ms(aq.since)},
                            {"topic", aq.topic},
                            {"q", q.count("q") ? q["q"] : ""},
                            {"articles", arr.value()}});
  }
  if (path == "/" || path == "/index.html") {
    return {200, "text/html; charset=utf-8", render_status_page(ctx, q), ""};
  }
  return error_reply(404, "not found");
}

// ---- the server
// -----------------------------------------------------------------------------------

struct StatusServer::Impl : std::enable_shared_from_this<StatusServer::Impl> {
  Impl(asio::io_context& io_, StatusContext c)
      : io(io_), ctx(std::move(c)), acceptor(io_), beat(io_) {
    // The loop is judged here (a heartbeat timer); the database and scheduler by the Service.
    auto inner = ctx.health;
    ctx.health = [this, inner] {
      Health h = inner ? inner() : Health{};
      auto age = std::chrono::steady_clock::now() - last_beat;
      if (age > 5s || lag > 5.0) {
        h.loop = false;
        if (!h.detail.empty()) h.detail += "; ";
        h.detail += "event loop lagging (" +
                    std::to_string(static_cast<int>(
                        std::max(lag, std::chrono::duration<double>(age).count()))) +
                    " s)";
      }
      return h;
    };
  }

  void arm_beat() {
    expected = std::chrono::steady_clock::now() + 1s;
    beat.expires_at(expected);
    beat.async_wait([this](const boost::system::error_code& ec) {
      if (ec || stopped) return;
      last_beat = std::chrono::steady_clock::now();
      lag = std::chrono::duration<double>(last_beat - expected).count();
      if (ctx.metrics) ctx.metrics->loop_lag(lag);
      arm_beat();
    });
  }

  void accept();

  asio::io_context& io;
  StatusContext ctx;
  tcp::acceptor acceptor;
  asio::steady_timer beat;
  std::chrono::steady_clock::time_point expected, last_beat = std::chrono::steady_clock::now();
  double lag = 0;
  int sessions = 0;
  bool stopped = false;
};

namespace {

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, std::shared_ptr<StatusServer::Impl> server)
      : stream_(std::move(socket)), server_(std::move(server)) {
    server_->sessions++;
  }
  ~Session() { server_->sessions--; }

  void read() {
    parser_.emplace();
    parser_->header_limit(8192);
    parser_->body_limit(0);
    stream_.expires_after(10s);
    http::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
  }

 private:
  void on_read(beast::error_code ec) {
    if (ec) {
      if (ec == http::error::header_limit || ec == http::error::body_limit ||
          ec == http::error::unexpected_body || ec == http::error::bad_target ||
          ec == http::error::bad_method || ec == http::error::bad_version) {
        StatusReply r{ec == http::error::header_limit ? 431 : 400, "text/plain; charset=utf-8",
                      "bad request\n", ""};
        return send(r, 11, false, true);
      }
      return close();
    }
    auto& req = parser_->get();
    auto m = req.method_string();
    auto t = req.target();
    auto a = req[http::field::authorization];
    StatusReply r = handle_status_request(server_->ctx, std::string_view(m.data(), m.size()),
                                          std::string_view(t.data(), t.size()),
                                          std::string_view(a.data(), a.size()));
    send(r, req.version(), req.method() == http::verb::head, !req.keep_alive() || server_->stopped);
  }

  void send(const StatusReply& r, unsigned version, bool head, bool last) {
    res_ = {};
    res_.version(version);
    res_.result(static_cast<http::status>(r.status));
    res_.set(http::field::server, "rasid");
    res_.set(http::field::content_type, r.content_type);
    res_.set(http::field::cache_control, "no-store");
    res_.set("X-Content-Type-Options", "nosniff");
    res_.set("X-Frame-Options", "DENY");
    res_.set("Referrer-Policy", "no-referrer");
    res_.set("Content-Security-Policy",
             "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; "
             "form-action 'none'; frame-ancestors 'none'");
    if (r.status == 405) res_.set(http::field::allow, "GET, HEAD");
    if (!r.www_authenticate.empty()) res_.set(http::field::www_authenticate, r.www_authenticate);
    res_.keep_alive(!last);
    if (head) {
      res_.content_length(r.body.size());
    } else {
      res_.body() = r.body;
      res_.prepare_payload();
    }
    stream_.expires_after(10s);
    http::async_write(stream_, res_,
                      [self = shared_from_this(), last](beast::error_code ec, std::size_t) {
                        if (ec || last) return self->close();
                        self->read();
                      });
  }

  void close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.socket().close(ec);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_{16384};
  std::optional<http::request_parser<http::empty_body>> parser_;
  http::response<http::string_body> res_;
  std::shared_ptr<StatusServer::Impl> server_;
};

}  // namespace

void StatusServer::Impl::accept() {
  acceptor.async_accept([self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
    if (self->stopped || ec == asio::error::operation_aborted) return;
    if (!ec) {
      if (self->sessions >= kMaxSessions) {
        beast::error_code ignored;
        socket.close(ignored);
      } else {
        std::make_shared<Session>(std::move(socket), self)->read();
      }
    }
    self->accept();
  });
}

StatusServer::StatusServer(asio::io_context& io, StatusContext context)
    : impl_(std::make_shared<Impl>(io, std::move(context))) {}

StatusServer::~StatusServer() { stop(); }

Result<std::string> StatusServer::start(const std::string& listen) {
  std::string host, port;
  if (!listen.empty() && listen[0] == '[') {
    auto close = listen.find("]:");
    if (close == std::string::npos) return Error{"status_listen: expected [IPv6]:port"};
    host = listen.substr(1, close - 1);
    port = listen.substr(close + 2);
  } else {
    auto colon = listen.rfind(':');
    if (colon == std::string::npos) return Error{"status_listen: expected host:port"};
    host = listen.substr(0, colon);
    port = listen.substr(colon + 1);
  }
  beast::error_code ec;
  tcp::resolver resolver(impl_->io);
  auto results = resolver.resolve(host, port, tcp::resolver::numeric_service, ec);
  if (ec || results.empty()) return Error{"status_listen " + listen + ": " + ec.message()};
  tcp::endpoint ep = results.begin()->endpoint();
  auto& acc = impl_->acceptor;
  acc.open(ep.protocol(), ec);
  if (!ec) acc.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acc.bind(ep, ec);
  if (!ec) acc.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    beast::error_code ignored;
    acc.close(ignored);
    return Error{"status_listen " + listen + ": " + ec.message()};
  }
  auto bound = acc.local_endpoint(ec);
  std::string addr = bound.address().is_v6() ? "[" + bound.address().to_string() + "]"
                                             : bound.address().to_string();
  addr += ":" + std::to_string(bound.port());
  impl_->last_beat = std::chrono::steady_clock::now();
  impl_->arm_beat();
  impl_->accept();
  return addr;
}

void StatusServer::stop() {
  if (!impl_ || impl_->stopped) return;
  impl_->stopped = true;
  beast::error_code ec;
  impl_->acceptor.close(ec);
  impl_->beat.cancel();
}

}  // namespace rasid::daemon
