// tests/support/http_server.h — a real HTTP/1.1 server on 127.0.0.1 for tests (real sockets,
// one thread per connection). Handlers run on the server's threads; keep shared state locked.
// Constructed with TlsFiles it speaks HTTPS instead (OpenSSL, TLS 1.2/1.3, no ALPN so clients
// use HTTP/1.1): the handshake runs on the connection's thread, and a client that rejects the
// certificate never reaches the handler (requests() does not count it).
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

struct ssl_ctx_st;  // OpenSSL's SSL_CTX

namespace rasid::testing {

// A server's certificate and private key, PEM files (tests/support/test_ca.h makes them). The
// certificate file may hold the chain after the leaf.
struct TlsFiles {
  std::string cert_file;
  std::string key_file;
};

struct HttpRequest {
  std::string method;
  std::string target;  // path + query as sent
  std::string path;
  std::string query;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
};

struct HttpResponse {
  HttpResponse() = default;
  HttpResponse(int status_, std::vector<std::pair<std::string, std::string>> headers_ = {},
               std::string body_ = {})
      : status(status_), headers(std::move(headers_)), body(std::move(body_)) {}

  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // When set, the handler takes over the connected socket (for hostile-server tests): the
  // server writes nothing itself and closes the fd after `raw` returns. Plain HTTP only: on a
  // TLS server the bytes would bypass the TLS layer.
  std::function<void(int fd)> raw;
};

class HttpServer {
 public:
  using Handler = std::function<HttpResponse(const HttpRequest&)>;
  explicit HttpServer(Handler handler) : HttpServer(std::move(handler), "127.0.0.1") {}
  // Listens on another loopback address (127.0.0.2, …): a host of its own for rasid's per-host
  // politeness and Retry-After.
  HttpServer(Handler handler, const std::string& ip);
  // HTTPS with this certificate; throws std::runtime_error when the files do not load.
  HttpServer(Handler handler, const TlsFiles& tls);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  int port() const { return port_; }
  // "http://127.0.0.1:PORT/path", or https:// on a TLS server.
  std::string url(const std::string& path = "/") const;
  void stop();
  int requests() const { return requests_.load(); }

 private:
  void start();
  void accept_loop();
  void serve(int fd);

  Handler handler_;
  std::string ip_;
  ssl_ctx_st* tls_ = nullptr;  // null = plain HTTP
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> requests_{0};
  std::thread acceptor_;
  std::mutex mu_;
  std::vector<std::thread> workers_;
  std::vector<int> open_fds_;
};

// Reads a whole file (tests' fixtures); "" when missing.
std::string read_file(const std::string& path);
// True when ../shared (the corpora) is present beside the project.
bool shared_available();
std::string shared_path(const std::string& rel);
std::string source_path(const std::string& rel);

}  // namespace rasid::testing
