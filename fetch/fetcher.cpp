// The event loop follows curl's docs/examples/ephiperfifo.c and multi-uv.c: curl tells us which
// fds to watch (socket callback) and when to wake it (timer callback); we tell curl what
// happened with curl_multi_socket_action and collect finished transfers with
// curl_multi_info_read. Nothing here ever calls curl from inside a curl callback.
#include "fetch/fetcher.h"

#include <curl/curl.h>
#include <openssl/x509_vfy.h>  // the X509_V_ERR_* codes CURLINFO_SSL_VERIFYRESULT reports
#include <poll.h>
#include <unistd.h>

#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cctype>
#include <deque>
#include <list>
#include <mutex>
#include <stdexcept>
#include <unordered_map>

#include "common/log.h"
#include "fetch/content_coding.h"
#include "fetch/guard.h"
#include "text/text.h"
#include "url/url.h"

namespace rasid::fetch {
namespace {

using Clock = std::chrono::steady_clock;
namespace asio = boost::asio;

// Response headers beyond this total size end the transfer as too_large (curl 7.88 caps one
// header line at 100 KiB but not their number).
constexpr std::size_t kMaxHeaderBytes = 256 * 1024;

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

std::string trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\t' || s[b] == '\r' || s[b] == '\n')) ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\r' || s[e - 1] == '\n'))
    --e;
  return std::string(s.substr(b, e - b));
}

// libcurl's OpenSSL backend reports OpenSSL's X509_V_ERR_* codes; other backends mean other
// things by the same numbers.
bool openssl_backend() {
  static const bool is = [] {
    const curl_version_info_data* v = curl_version_info(CURLVERSION_NOW);
    return v && v->ssl_version && std::string_view(v->ssl_version).starts_with("OpenSSL");
  }();
  return is;
}

// What a failed TLS connection means to whoever reads the source's last error. `verify` is
// CURLINFO_SSL_VERIFYRESULT; `detail` is curl's own message, kept in parentheses.
std::string tls_message(CURLcode code, long verify, const std::string& detail) {
  std::string what;
  if (code == CURLE_SSL_CACERT_BADFILE) {
    what = "cannot read the CA file";
  } else if (code == CURLE_PEER_FAILED_VERIFICATION && openssl_backend()) {
    switch (verify) {
      // No chain error recorded (curl 7.88 presets 1 and stores OpenSSL's result only after its
      // own host name check): the handshake verified the chain, and what curl refused after it
      // is the name (CURLOPT_ISSUERCERT and pinning have codes of their own).
      case X509_V_OK:
      case X509_V_ERR_UNSPECIFIED:
      case X509_V_ERR_HOSTNAME_MISMATCH:
      case X509_V_ERR_IP_ADDRESS_MISMATCH:
        what = "certificate is for another host name";
        break;
      case X509_V_ERR_CERT_HAS_EXPIRED:
        what = "certificate has expired";
        break;
      case X509_V_ERR_CERT_NOT_YET_VALID:
        what = "certificate is not yet valid (is the clock right?)";
        break;
      case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
      case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
      case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
      case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
      case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
      case X509_V_ERR_CERT_UNTRUSTED:
        what = "certificate not trusted (self-signed or unknown CA)";
        break;
      case X509_V_ERR_CERT_REVOKED:
        what = "certificate has been revoked";
        break;
      default:
        what = "certificate rejected";
    }
  } else if (code == CURLE_PEER_FAILED_VERIFICATION) {
    what = "certificate rejected";
  } else {
    what = "handshake failed";
  }
  return detail.empty() ? what : what + " (" + detail + ")";
}

}  // namespace

const char* to_string(Error e) {
  switch (e) {
    case Error::none:
      return "none";
    case Error::not_modified:
      return "not_modified";
    case Error::http_status:
      return "http_status";
    case Error::dns:
      return "dns";
    case Error::connect:
      return "connect";
    case Error::tls:
      return "tls";
    case Error::timeout:
      return "timeout";
    case Error::too_large:
      return "too_large";
    case Error::too_many_redirects:
      return "too_many_redirects";
    case Error::blocked_address:
      return "blocked_address";
    case Error::bad_url:
      return "bad_url";
    case Error::protocol:
      return "protocol";
    case Error::cancelled:
      return "cancelled";
    case Error::other:
      return "other";
  }
  return "?";
}

struct Fetcher::Impl {
  struct Transfer {
    Impl* impl = nullptr;
    Request req;
    Callback done;
    Response resp;
    std::string target;  // url::request_form(req.url): what libcurl is given
    std::string host;
    std::string queue;  // key of its queue in `hosts`: the host, or "\x01" + Request::queue
    Clock::time_point started;
    CURL* easy = nullptr;
    curl_slist* headers = nullptr;
    std::size_t header_bytes = 0;
    bool too_large = false;
    bool blocked = false;
    std::string blocked_why;
    std::string last_header;  // for obsolete folded continuation lines
    char errbuf[CURL_ERROR_SIZE] = {};
  };

  struct Sock {
    explicit Sock(asio::io_context& io, int fd) : sd(io, fd) {}
    asio::posix::stream_descriptor sd;
    int want = 0;  // CURL_POLL_IN / CURL_POLL_OUT bits
    bool reading = false;
    bool writing = false;
    bool removed = false;
  };

  struct Host {
    int active = 0;
    bool in_ring = false;
    Clock::time_point next_start{};  // politeness: no start before this (min_host_interval)
    bool spaced = true;              // false for a caller's own queue (Request::queue)
    std::deque<std::unique_ptr<Transfer>> waiting;
  };

  Impl(asio::io_context& io_, Options o)
      : io(io_),
        opts(std::move(o)),
        timer(io_),
        pump_timer(io_),
        token(std::make_shared<Impl*>(this)) {
    global_init();
    std::vector<Cidr> allow;
    for (const auto& s : opts.allow_private) {
      auto c = parse_cidr(s);
      if (!c) throw std::invalid_argument("fetch: allow_private: not a CIDR: " + s);
      allow.push_back(*c);
    }
    guard = AddressGuard(std::move(allow));
    if (opts.max_total < 1) opts.max_total = 1;
    if (opts.max_per_host < 1) opts.max_per_host = 1;
    multi = curl_multi_init();
    if (!multi) throw std::runtime_error("fetch: curl_multi_init failed");
    // Without its callbacks the multi handle never runs a transfer: a refused option is fatal.
    auto set = [this](CURLMcode mc, const char* what) {
      if (mc == CURLM_OK) return;
      (void)curl_multi_cleanup(multi);
      multi = nullptr;
      throw std::runtime_error(std::string("fetch: curl_multi_setopt ") + what + ": " +
                               curl_multi_strerror(mc));
    };
    set(curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, &Impl::socket_cb), "SOCKETFUNCTION");
    set(curl_multi_setopt(multi, CURLMOPT_SOCKETDATA, this), "SOCKETDATA");
    set(curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, &Impl::timer_cb), "TIMERFUNCTION");
    set(curl_multi_setopt(multi, CURLMOPT_TIMERDATA, this), "TIMERDATA");
    // HTTP/2 is allowed, multiplexing is not: multiplexed transfers stalled against a real
    // HTTP/2 server, and one connection per transfer keeps a slow stream from holding others.
    set(curl_multi_setopt(multi, CURLMOPT_PIPELINING, CURLPIPE_NOTHING), "PIPELINING");
    set(curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, static_cast<long>(opts.max_total) * 2),
        "MAXCONNECTS");
  }

  // Tears everything down and returns the callbacks still owed (run by ~Fetcher after the Impl
  // is gone, so a callback may even call fetch() on the dying Fetcher).
  std::vector<std::pair<Callback, Response>> shutdown() {
    std::vector<std::pair<Callback, Response>> owed;
    token.reset();  // queued asio handlers now do nothing
    timer.cancel();
    pump_timer.cancel();
    auto cancelled = [](std::unique_ptr<Transfer>& t) {
      Response r = std::move(t->resp);
      r.error = Error::cancelled;
      r.error_message = "fetcher destroyed";
      if (r.final_url.empty()) r.final_url = t->req.url;
      r.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t->started);
      return std::make_pair(std::move(t->done), std::move(r));
    };
    for (auto& [easy, t] : running) {
      // Teardown: whatever libcurl answers, the handle is cleaned up next and the multi handle
      // goes with it, so the CURLMcode has no one to act on it.
      (void)curl_multi_remove_handle(multi, easy);
      cleanup_easy(*t);
      owed.push_back(cancelled(t));
    }
    running.clear();
    for (auto& [name, h] : hosts)
      for (auto& t : h.waiting) owed.push_back(cancelled(t));
    hosts.clear();
    (void)curl_multi_cleanup(multi);  // teardown, as above
    multi = nullptr;
    for (auto& [fd, s] : socks) {
      s->removed = true;
      s->sd.release();  // curl owns (and has closed) the fd
    }
    socks.clear();
    return owed;
  }

  // ---- submission and queueing ---------------------------------------------------------------

  void submit(Request req, Callback done) {
    auto t = std::make_unique<Transfer>();
    t->impl = this;
    t->started = Clock::now();
    t->req = std::move(req);
    t->done = std::move(done);
    // The request goes out in url::request_form (an IDN host in punycode, raw bytes escaped),
    // and the queue key is url::host, the function that also keys Retry-After in the service.
    std::string why;
    t->target = url::request_form(t->req.url, &why);
    t->host = t->target.empty() ? std::string() : url::host(t->target);
    if (t->host.empty()) {
      t->resp.error = Error::bad_url;
      t->resp.error_message = why;
      t->resp.final_url = t->req.url;
      deliver(std::move(t));
      return;
    }
    // Crawling shares one queue per host (politeness); a caller with its own policy (a webhook
    // endpoint) has a queue of its own, unspaced (Request::queue).
    t->queue = t->req.queue.empty() ? t->host : "\x01" + t->req.queue;
    std::string name = t->queue;
    Host& h = hosts[name];
    h.spaced = t->req.queue.empty();
    h.waiting.push_back(std::move(t));
    ++queued;
    if (!h.in_ring) {
      h.in_ring = true;
      ring.push_back(std::move(name));
    }
    pump();
  }

  // Starts waiting transfers while the global limit allows, round-robin over hosts so one busy
  // host cannot starve the others.
  void pump() {
    const auto now = Clock::now();
    const bool spacing = opts.min_host_interval.count() > 0;
    std::optional<Clock::time_point> wake;
    size_t skipped = 0;
    while (active < opts.max_total && !ring.empty() && skipped < ring.size()) {
      std::string name = ring.front();
      ring.pop_front();
      auto it = hosts.find(name);
      if (it == hosts.end()) continue;
      Host& h = it->second;
      h.in_ring = false;
      if (h.waiting.empty()) continue;
      bool too_soon = spacing && h.spaced && now < h.next_start;
      if (h.active >= opts.max_per_host || too_soon) {
        if (too_soon && h.active < opts.max_per_host && (!wake || h.next_start < *wake))
          wake = h.next_start;
        h.in_ring = true;
        ring.push_back(name);
        ++skipped;
        continue;
      }
      skipped = 0;
      auto t = std::move(h.waiting.front());
      h.waiting.pop_front();
      --queued;
      if (!h.waiting.empty()) {
        h.in_ring = true;
        ring.push_back(name);
      }
      if (spacing && h.spaced) h.next_start = now + opts.min_host_interval;
      start(std::move(t));
    }
    // Hosts held back only by their spacing need a wake-up; the others wait for a completion.
    if (wake && (!pump_at || *wake < *pump_at)) {
      pump_at = wake;
      pump_timer.expires_at(*wake);
      pump_timer.async_wait([w = std::weak_ptr<Impl*>(token)](boost::system::error_code ec) {
        if (ec) return;
        auto p = w.lock();
        if (!p) return;
        (*p)->pump_at.reset();
        (*p)->pump();
      });
    }
  }

  // Forgets idle hosts, except those whose spacing still matters.
  void maybe_forget(std::unordered_map<std::string, Host>::iterator h) {
    if (h->second.active == 0 && h->second.waiting.empty() && !h->second.in_ring &&
        h->second.next_start <= Clock::now())
      hosts.erase(h);
  }

  void start(std::unique_ptr<Transfer> t) {
    CURL* e = curl_easy_init();
    if (!e) {
      t->resp.error = Error::other;
      t->resp.error_message = "curl_easy_init failed";
      deliver(std::move(t));
      return;
    }
    t->easy = e;
    configure(*t);
    Host& h = hosts[t->queue];
    ++h.active;
    ++active;
    running.emplace(e, std::move(t));
    if (CURLMcode mc = curl_multi_add_handle(multi, e); mc != CURLM_OK) {
      auto node = running.extract(e);
      --h.active;
      --active;
      node.mapped()->resp.error = Error::other;
      node.mapped()->resp.error_message = curl_multi_strerror(mc);
      cleanup_easy(*node.mapped());
      deliver(std::move(node.mapped()));
    }
  }

  void configure(Transfer& t) {
    CURL* e = t.easy;
    const Request& r = t.req;
    curl_easy_setopt(e, CURLOPT_URL, t.target.c_str());
    curl_easy_setopt(e, CURLOPT_PRIVATE, &t);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t.errbuf);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
#if LIBCURL_VERSION_NUM >= 0x075700  // 7.87.0
    // Without it a transfer stuck in a dead DNS lookup blocks cleanup (and our loop) for seconds.
    curl_easy_setopt(e, CURLOPT_QUICK_EXIT, 1L);
#endif
#if LIBCURL_VERSION_NUM >= 0x075500  // 7.85.0
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#else
    curl_easy_setopt(e, CURLOPT_PROTOCOLS, CURLPROTO_HTTP | CURLPROTO_HTTPS);
    curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS, CURLPROTO_HTTP | CURLPROTO_HTTPS);
#endif
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(e, CURLOPT_MAXREDIRS, static_cast<long>(opts.max_redirects));
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(opts.connect_timeout.count()));
    auto total = r.timeout.count() > 0 ? r.timeout : opts.total_timeout;
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(total.count()));
    if (opts.low_speed_bytes > 0 && opts.low_speed_time.count() > 0) {
      curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, opts.low_speed_bytes);
      curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, static_cast<long>(opts.low_speed_time.count()));
    }
    // Certificates are always verified, chain and host name (libcurl's defaults, stated here so
    // that nobody "fixes" a failing source by turning them off). Trust: the system store —
    // libcurl's CA path /etc/ssl/certs — plus Options::ca_file when set.
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
    if (!opts.ca_file.empty()) curl_easy_setopt(e, CURLOPT_CAINFO, opts.ca_file.c_str());
    curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");  // every encoding this libcurl decodes
    curl_easy_setopt(e, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_2TLS);
    curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(e, CURLOPT_USERAGENT, opts.user_agent.c_str());
    // An explicit "" also keeps curl from reading http_proxy & co from the environment: the
    // proxy comes from the configuration only.
    curl_easy_setopt(e, CURLOPT_PROXY, opts.proxy.c_str());
    if (opts.max_body_bytes > 0)
      curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(opts.max_body_bytes));
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &Impl::write_cb);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, &t);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, &Impl::header_cb);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, &t);
    curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, &Impl::opensocket_cb);
    curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, &t);

    std::string method = r.method.empty() ? "GET" : r.method;
    for (auto& c : method) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (method == "POST") {
      curl_easy_setopt(e, CURLOPT_POST, 1L);
      curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(r.body.size()));
      curl_easy_setopt(e, CURLOPT_COPYPOSTFIELDS, r.body.c_str());
      // No "Expect: 100-continue" round trip (a 1 s stall on servers that ignore it).
      t.headers = curl_slist_append(t.headers, "Expect:");
    } else if (method == "HEAD") {
      curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
    } else if (method != "GET") {
      curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method.c_str());
      if (!r.body.empty()) {
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(r.body.size()));
        curl_easy_setopt(e, CURLOPT_COPYPOSTFIELDS, r.body.c_str());
      }
    }
    if (!r.etag.empty())
      t.headers = curl_slist_append(t.headers, ("If-None-Match: " + r.etag).c_str());
    if (!r.last_modified.empty())
      t.headers = curl_slist_append(t.headers, ("If-Modified-Since: " + r.last_modified).c_str());
    for (const auto& [k, v] : r.headers) {
      // Header injection through a value would smuggle a second header or request.
      if (k.find_first_of("\r\n:") != std::string::npos ||
          v.find_first_of("\r\n") != std::string::npos)
        continue;
      t.headers = curl_slist_append(t.headers, (k + (v.empty() ? ";" : ": " + v)).c_str());
    }
    if (t.headers) curl_easy_setopt(e, CURLOPT_HTTPHEADER, t.headers);
  }

  static void cleanup_easy(Transfer& t) {
    if (t.easy) curl_easy_cleanup(t.easy);
    t.easy = nullptr;
    if (t.headers) curl_slist_free_all(t.headers);
    t.headers = nullptr;
  }

  // ---- curl callbacks (never call back into the multi handle from these) ------------------

  static size_t write_cb(char* data, size_t size, size_t n, void* userp) {
    auto* t = static_cast<Transfer*>(userp);
    size_t len = size * n;
    std::size_t cap = t->impl->opts.max_body_bytes;
    if (cap > 0 && t->resp.body.size() + len > cap) {
      t->too_large = true;
      return 0;  // → CURLE_WRITE_ERROR
    }
    t->resp.body.append(data, len);
    return len;
  }

  static size_t header_cb(char* data, size_t size, size_t n, void* userp) {
    auto* t = static_cast<Transfer*>(userp);
    size_t len = size * n;
    t->header_bytes += len;
    if (t->header_bytes > kMaxHeaderBytes) {
      t->too_large = true;
      return 0;
    }
    std::string_view line(data, len);
    if (line.size() >= 5 && line.substr(0, 5) == "HTTP/") {
      t->resp.headers.clear();  // a new response (redirect hop, 100-continue): keep the last
      t->last_header.clear();
      return len;
    }
    if (!line.empty() && (line[0] == ' ' || line[0] == '\t')) {  // obsolete line folding
      if (!t->last_header.empty()) t->resp.headers[t->last_header] += " " + trim(line);
      return len;
    }
    auto colon = line.find(':');
    if (colon == std::string_view::npos) return len;
    std::string name = text::ascii_lower(trim(line.substr(0, colon)));
    std::string value = trim(line.substr(colon + 1));
    if (name.empty()) return len;
    auto [it, fresh] = t->resp.headers.emplace(name, value);
    if (!fresh) it->second += ", " + value;
    t->last_header = name;
    return len;
  }

  static curl_socket_t opensocket_cb(void* userp, curlsocktype purpose, curl_sockaddr* a) {
    auto* t = static_cast<Transfer*>(userp);
    if (purpose != CURLSOCKTYPE_IPCXN) return CURL_SOCKET_BAD;
    auto bytes = to_bytes(&a->addr, a->addrlen);
    if (!bytes) {
      t->blocked = true;
      t->blocked_why = "address family not allowed";
      return CURL_SOCKET_BAD;
    }
    std::string why = t->impl->guard.check(*bytes);
    if (!why.empty()) {
      t->blocked = true;
      t->blocked_why = format_address(*bytes) + " is " + why;
      return CURL_SOCKET_BAD;
    }
    return ::socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
  }

  static int socket_cb(CURL*, curl_socket_t fd, int what, void* userp, void*) {
    auto* self = static_cast<Impl*>(userp);
    if (what == CURL_POLL_REMOVE) {
      auto it = self->socks.find(fd);
      if (it != self->socks.end()) {
        it->second->removed = true;
        it->second->sd.release();  // never close: the fd is curl's
        self->socks.erase(it);
      }
      return 0;
    }
    auto& s = self->socks[fd];
    if (!s) s = std::make_shared<Sock>(self->io, fd);
    s->want = what;
    self->arm(s);
    return 0;
  }

  static int timer_cb(CURLM*, long timeout_ms, void* userp) {
    auto* self = static_cast<Impl*>(userp);
    if (timeout_ms < 0) {
      self->timer.cancel();
      return 0;
    }
    // 0 ms too goes through the timer: it completes on the next turn of the loop, never inside
    // this callback (curl must not be re-entered).
    self->timer.expires_after(std::chrono::milliseconds(timeout_ms));
    self->timer.async_wait([w = std::weak_ptr<Impl*>(self->token)](boost::system::error_code ec) {
      if (ec) return;
      auto p = w.lock();
      if (!p) return;
      (*p)->on_action(CURL_SOCKET_TIMEOUT, 0);
    });
    return 0;
  }

  // ---- the loop ------------------------------------------------------------------------------

  // Asio's reactor is edge-triggered; curl expects level-triggered readiness (it may leave data
  // in the socket when it returns). So before waiting, ask poll() whether the fd is ready now,
  // and if so schedule the action immediately instead of waiting for an edge that never comes.
  void arm(const std::shared_ptr<Sock>& s) {
    if (s->removed) return;
    bool want_in = (s->want & CURL_POLL_IN) != 0;
    bool want_out = (s->want & CURL_POLL_OUT) != 0;
    if ((want_in && !s->reading) || (want_out && !s->writing)) {
      pollfd p{s->sd.native_handle(), 0, 0};
      if (want_in && !s->reading) p.events |= POLLIN;
      if (want_out && !s->writing) p.events |= POLLOUT;
      if (::poll(&p, 1, 0) > 0) {
        int flags = 0;
        if (p.revents & (POLLIN | POLLHUP)) flags |= CURL_CSELECT_IN;
        if (p.revents & POLLOUT) flags |= CURL_CSELECT_OUT;
        if (p.revents & POLLERR) flags |= CURL_CSELECT_ERR;
        if (flags) {
          if (flags & (CURL_CSELECT_IN | CURL_CSELECT_ERR)) s->reading = want_in;
          if (flags & (CURL_CSELECT_OUT | CURL_CSELECT_ERR)) s->writing = want_out;
          asio::post(io, [w = std::weak_ptr<Impl*>(token), s, flags] {
            if (flags & (CURL_CSELECT_IN | CURL_CSELECT_ERR)) s->reading = false;
            if (flags & (CURL_CSELECT_OUT | CURL_CSELECT_ERR)) s->writing = false;
            if (s->removed) return;
            auto p = w.lock();
            if (!p) return;
            (*p)->on_socket(s, flags);
          });
        }
      }
    }
    if (want_in && !s->reading) {
      s->reading = true;
      s->sd.async_wait(asio::posix::stream_descriptor::wait_read,
                       [w = std::weak_ptr<Impl*>(token), s](boost::system::error_code ec) {
                         s->reading = false;
                         if (s->removed || ec == asio::error::operation_aborted) return;
                         auto p = w.lock();
                         if (!p) return;
                         (*p)->on_socket(s, ec ? CURL_CSELECT_ERR : CURL_CSELECT_IN);
                       });
    }
    if (want_out && !s->writing) {
      s->writing = true;
      s->sd.async_wait(asio::posix::stream_descriptor::wait_write,
                       [w = std::weak_ptr<Impl*>(token), s](boost::system::error_code ec) {
                         s->writing = false;
                         if (s->removed || ec == asio::error::operation_aborted) return;
                         auto p = w.lock();
                         if (!p) return;
                         (*p)->on_socket(s, ec ? CURL_CSELECT_ERR : CURL_CSELECT_OUT);
                       });
    }
  }

  void on_socket(const std::shared_ptr<Sock>& s, int flags) {
    on_action(s->sd.native_handle(), flags);
    if (!s->removed) arm(s);  // re-arm what curl still wants
  }

  void on_action(curl_socket_t fd, int flags) {
    int still_running = 0;
    CURLMcode mc = curl_multi_socket_action(multi, fd, flags, &still_running);
    // CURLM_BAD_SOCKET: the event was for a socket libcurl has closed meanwhile; nothing is
    // lost. Any other failure (out of memory, internal error) means libcurl did not drive the
    // transfers and may never finish them: they end now, as Error::other with libcurl's words,
    // instead of hanging until the caller's own timeout (or forever).
    if (mc != CURLM_OK && mc != CURLM_BAD_SOCKET)
      abort_running(std::string("libcurl multi interface: ") + curl_multi_strerror(mc));
    collect();
  }

  void abort_running(const std::string& why) {
    log::error("fetch: " + why + "; ending " + std::to_string(running.size()) + " transfers");
    auto all = std::move(running);
    running.clear();
    for (auto& [e, t] : all) {
      if (CURLMcode mc = curl_multi_remove_handle(multi, e); mc != CURLM_OK)
        log::warn(std::string("fetch: curl_multi_remove_handle: ") + curl_multi_strerror(mc));
      t->resp.error = Error::other;
      t->resp.error_message = why;
      if (t->resp.final_url.empty()) t->resp.final_url = t->req.url;
      cleanup_easy(*t);
      if (auto h = hosts.find(t->queue); h != hosts.end()) {
        --h->second.active;
        maybe_forget(h);
      }
      --active;
      deliver(std::move(t));
    }
    pump();
  }

  void collect() {
    int left = 0;
    bool finished_any = false;
    while (CURLMsg* m = curl_multi_info_read(multi, &left)) {
      if (m->msg != CURLMSG_DONE) continue;
      CURL* e = m->easy_handle;
      CURLcode code = m->data.result;
      auto node = running.extract(e);
      // Fails only for a handle libcurl does not know, which a DONE message rules out.
      if (CURLMcode mc = curl_multi_remove_handle(multi, e); mc != CURLM_OK)
        log::warn(std::string("fetch: curl_multi_remove_handle: ") + curl_multi_strerror(mc));
      if (node.empty()) {
        curl_easy_cleanup(e);
        continue;
      }
      std::unique_ptr<Transfer> t = std::move(node.mapped());
      finish(*t, code);
      cleanup_easy(*t);
      auto h = hosts.find(t->queue);
      if (h != hosts.end()) {
        --h->second.active;
        maybe_forget(h);
      }
      --active;
      finished_any = true;
      deliver(std::move(t));
    }
    if (finished_any) pump();
  }

  void finish(Transfer& t, CURLcode code) {
    Response& r = t.resp;
    CURL* e = t.easy;
    long status = 0;
    curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
    r.status = status;
    char* eff = nullptr;
    if (curl_easy_getinfo(e, CURLINFO_EFFECTIVE_URL, &eff) == CURLE_OK && eff) r.final_url = eff;
    char* ct = nullptr;
    if (curl_easy_getinfo(e, CURLINFO_CONTENT_TYPE, &ct) == CURLE_OK && ct) r.content_type = ct;
    if (auto it = r.headers.find("etag"); it != r.headers.end()) r.etag = it->second;
    if (auto it = r.headers.find("last-modified"); it != r.headers.end())
      r.last_modified = it->second;
    r.bytes = r.body.size();
    curl_easy_getinfo(e, CURLINFO_NUM_CONNECTS, &r.connects);
    r.error = classify(t, code);
    if (r.error != Error::none && r.error_message.empty()) {
      if (r.error == Error::blocked_address) {
        r.error_message = "blocked by the address guard: " + t.blocked_why;
      } else if (r.error == Error::too_large) {
        r.error_message = t.header_bytes > kMaxHeaderBytes
                              ? "response headers exceed " + std::to_string(kMaxHeaderBytes)
                              : "body exceeds " + std::to_string(opts.max_body_bytes) + " bytes";
      } else if (r.error == Error::not_modified) {
        r.error_message = "304 Not Modified";
      } else if (r.error == Error::http_status) {
        r.error_message = "HTTP " + std::to_string(status);
      } else if (r.error == Error::tls) {
        long verify = 0;
        curl_easy_getinfo(e, CURLINFO_SSL_VERIFYRESULT, &verify);
        r.error_message =
            tls_message(code, verify, t.errbuf[0] ? t.errbuf : curl_easy_strerror(code));
      } else {
        r.error_message = t.errbuf[0] ? t.errbuf : curl_easy_strerror(code);
      }
    }
    if (r.error == Error::none && r.status >= 200 && r.status < 300) {
      // A compressed body without Content-Encoding (fetch/content_coding.h), same cap.
      Undeclared u = decode_undeclared(r.body, r.final_url, r.content_type, opts.max_body_bytes);
      if (u.too_large) {
        r.error = Error::too_large;
        r.error_message = "body exceeds " + std::to_string(opts.max_body_bytes) + " bytes (" +
                          u.coding + " without Content-Encoding)";
      }
    }
    if (r.error == Error::too_large) r.body.clear();  // partial bodies are never handed on
  }

  Error classify(const Transfer& t, CURLcode code) const {
    switch (code) {
      case CURLE_OK:
        if (t.resp.status == 304) return Error::not_modified;
        if (t.resp.status >= 400) return Error::http_status;
        return Error::none;
      case CURLE_WRITE_ERROR:
        return t.too_large ? Error::too_large : Error::other;
      case CURLE_FILESIZE_EXCEEDED:
        return Error::too_large;
      case CURLE_COULDNT_CONNECT:
        return t.blocked ? Error::blocked_address : Error::connect;
      case CURLE_COULDNT_RESOLVE_HOST:
      case CURLE_COULDNT_RESOLVE_PROXY:
        return Error::dns;
      case CURLE_OPERATION_TIMEDOUT:
        return Error::timeout;
      case CURLE_TOO_MANY_REDIRECTS:
        return Error::too_many_redirects;
      case CURLE_URL_MALFORMAT:
        return Error::bad_url;
      case CURLE_UNSUPPORTED_PROTOCOL: {
        // Also what curl says when a server answers without a status line (HTTP/0.9): that
        // is the server's fault, not the URL's.
        char* ip = nullptr;
        curl_easy_getinfo(t.easy, CURLINFO_PRIMARY_IP, &ip);
        bool connected = ip != nullptr && *ip != '\0';
        return connected && t.resp.status == 0 ? Error::protocol : Error::bad_url;
      }
      case CURLE_SSL_CONNECT_ERROR:
      case CURLE_PEER_FAILED_VERIFICATION:
      case CURLE_SSL_CERTPROBLEM:
      case CURLE_SSL_CIPHER:
      case CURLE_SSL_CACERT_BADFILE:
      case CURLE_SSL_ENGINE_NOTFOUND:
      case CURLE_SSL_ENGINE_SETFAILED:
      case CURLE_SSL_SHUTDOWN_FAILED:
      case CURLE_SSL_CRL_BADFILE:
      case CURLE_SSL_ISSUER_ERROR:
      case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
      case CURLE_SSL_INVALIDCERTSTATUS:
      case CURLE_SSL_CLIENTCERT:
      case CURLE_USE_SSL_FAILED:
        return Error::tls;
      case CURLE_GOT_NOTHING:
      case CURLE_RECV_ERROR:
      case CURLE_SEND_ERROR:
      case CURLE_PARTIAL_FILE:
      case CURLE_BAD_CONTENT_ENCODING:
      case CURLE_WEIRD_SERVER_REPLY:
      case CURLE_HTTP2:
      case CURLE_HTTP2_STREAM:
      case CURLE_HTTP3:
        return Error::protocol;
      case CURLE_ABORTED_BY_CALLBACK:
        return Error::cancelled;
      default:
        return Error::other;
    }
  }

  // Hands a finished transfer to its owner on a later turn of the loop: the callback may then do
  // anything, including destroying the Fetcher, without us being on the stack.
  void deliver(std::unique_ptr<Transfer> t) {
    t->resp.elapsed =
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t->started);
    ++delivering;
    asio::post(io, [w = std::weak_ptr<Impl*>(token), done = std::move(t->done),
                    resp = std::move(t->resp)]() mutable {
      if (auto p = w.lock()) --(*p)->delivering;
      done(std::move(resp));
    });
  }

  asio::io_context& io;
  Options opts;
  AddressGuard guard;
  CURLM* multi = nullptr;
  asio::steady_timer timer;
  asio::steady_timer pump_timer;  // wakes pump() when a host's spacing has passed
  std::optional<Clock::time_point> pump_at;
  std::shared_ptr<Impl*> token;  // handlers hold a weak_ptr: expired once the Impl is gone
  std::unordered_map<curl_socket_t, std::shared_ptr<Sock>> socks;
  std::unordered_map<CURL*, std::unique_ptr<Transfer>> running;
  std::unordered_map<std::string, Host> hosts;
  std::deque<std::string> ring;  // hosts with waiting transfers, in round-robin order
  int active = 0;
  std::size_t queued = 0;
  std::size_t delivering = 0;
};

Fetcher::Fetcher(asio::io_context& io, Options options)
    : impl_(std::make_unique<Impl>(io, std::move(options))) {}

Fetcher::~Fetcher() {
  if (!impl_) return;
  auto owed = impl_->shutdown();
  impl_.reset();
  for (auto& [done, resp] : owed) done(std::move(resp));
}

void Fetcher::fetch(Request request, Callback done) {
  if (!impl_) {  // only reachable from a cancelled callback while the Fetcher is destroyed
    Response r;
    r.error = Error::cancelled;
    r.error_message = "fetcher destroyed";
    r.final_url = request.url;
    done(std::move(r));
    return;
  }
  impl_->submit(std::move(request), std::move(done));
}

std::size_t Fetcher::in_flight() const {
  if (!impl_) return 0;
  return static_cast<std::size_t>(impl_->active) + impl_->queued + impl_->delivering;
}

std::vector<Response> fetch_all(const std::vector<Request>& requests, const Options& options) {
  asio::io_context io;
  std::vector<Response> out(requests.size());
  {
    Fetcher f(io, options);
    for (size_t i = 0; i < requests.size(); ++i)
      f.fetch(requests[i], [&out, i](Response r) { out[i] = std::move(r); });
    io.run();
  }
  return out;
}

}  // namespace rasid::fetch
