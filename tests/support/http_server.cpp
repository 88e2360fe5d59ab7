#include "tests/support/http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace rasid::testing {
namespace {

bool write_all(int fd, const std::string& s) {
  size_t off = 0;
  while (off < s.size()) {
    ssize_t n = ::send(fd, s.data() + off, s.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return false;
    off += static_cast<size_t>(n);
  }
  return true;
}

const char* reason(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 204:
      return "No Content";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 304:
      return "Not Modified";
    case 400:
      return "Bad Request";
    case 404:
      return "Not Found";
    case 410:
      return "Gone";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    default:
      return "Status";
  }
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// One connection's byte stream: the socket itself, or TLS over it.
struct Conn {
  int fd;
  SSL* ssl = nullptr;
  ssize_t recv(char* buf, size_t n) {
    if (!ssl) return ::recv(fd, buf, n, 0);
    int r = SSL_read(ssl, buf, static_cast<int>(n));
    return r > 0 ? r : -1;
  }
  bool send_all(const std::string& s) {
    if (!ssl) return write_all(fd, s);
    // SSL_write writes everything or fails (no SSL_MODE_ENABLE_PARTIAL_WRITE).
    return s.empty() || SSL_write(ssl, s.data(), static_cast<int>(s.size())) > 0;
  }
};

std::string openssl_error() {
  char buf[256] = {};
  ERR_error_string_n(ERR_get_error(), buf, sizeof buf);
  return buf;
}

}  // namespace

HttpServer::HttpServer(Handler handler, const std::string& ip)
    : handler_(std::move(handler)), ip_(ip) {
  start();
}

HttpServer::HttpServer(Handler handler, const TlsFiles& tls)
    : handler_(std::move(handler)), ip_("127.0.0.1") {
  tls_ = SSL_CTX_new(TLS_server_method());
  if (!tls_) throw std::runtime_error("SSL_CTX_new: " + openssl_error());
  SSL_CTX_set_min_proto_version(tls_, TLS1_2_VERSION);
  if (SSL_CTX_use_certificate_chain_file(tls_, tls.cert_file.c_str()) != 1 ||
      SSL_CTX_use_PrivateKey_file(tls_, tls.key_file.c_str(), SSL_FILETYPE_PEM) != 1 ||
      SSL_CTX_check_private_key(tls_) != 1) {
    std::string why = openssl_error();
    SSL_CTX_free(tls_);
    tls_ = nullptr;
    throw std::runtime_error("TLS server: cannot load " + tls.cert_file + ": " + why);
  }
  start();
}

void HttpServer::start() {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) throw std::runtime_error("socket");
  int one = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  if (::inet_pton(AF_INET, ip_.c_str(), &addr.sin_addr) != 1)
    throw std::runtime_error("bad address " + ip_);
  addr.sin_port = 0;
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
    throw std::runtime_error("bind");
  if (::listen(listen_fd_, 128) != 0) throw std::runtime_error("listen");
  socklen_t len = sizeof addr;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  acceptor_ = std::thread([this] { accept_loop(); });
}

HttpServer::~HttpServer() {
  stop();
  if (tls_) SSL_CTX_free(tls_);
}

std::string HttpServer::url(const std::string& path) const {
  return (tls_ ? "https://" : "http://") + ip_ + ":" + std::to_string(port_) + path;
}

void HttpServer::stop() {
  if (stopping_.exchange(true)) return;
  ::shutdown(listen_fd_, SHUT_RDWR);
  ::close(listen_fd_);
  if (acceptor_.joinable()) acceptor_.join();
  std::vector<std::thread> workers;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (int fd : open_fds_) ::shutdown(fd, SHUT_RDWR);
    workers.swap(workers_);
  }
  for (auto& t : workers) t.join();
}

void HttpServer::accept_loop() {
  while (!stopping_) {
    pollfd p{listen_fd_, POLLIN, 0};
    int r = ::poll(&p, 1, 100);
    if (r <= 0) continue;
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) {
      ::close(fd);
      break;
    }
    open_fds_.push_back(fd);
    workers_.emplace_back([this, fd] { serve(fd); });
  }
}

void HttpServer::serve(int fd) {
  std::string buf;
  char chunk[16384];
  bool keep_alive = true;
  Conn conn{fd};
  if (tls_) {
    // OpenSSL writes with write(2): a client that hangs up must cost an EPIPE on this thread,
    // not a SIGPIPE that kills the test process.
    sigset_t pipe;
    sigemptyset(&pipe);
    sigaddset(&pipe, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe, nullptr);
    conn.ssl = SSL_new(tls_);
    // A failed handshake (the client refused the certificate) ends the connection here.
    if (!conn.ssl || SSL_set_fd(conn.ssl, fd) != 1 || SSL_accept(conn.ssl) != 1) {
      ERR_clear_error();
      goto done;
    }
  }
  while (keep_alive && !stopping_) {
    // Read the head.
    size_t head_end;
    while ((head_end = buf.find("\r\n\r\n")) == std::string::npos) {
      ssize_t n = conn.recv(chunk, sizeof chunk);
      if (n <= 0) goto done;
      buf.append(chunk, static_cast<size_t>(n));
      if (buf.size() > (1u << 20)) goto done;
    }
    {
      HttpRequest req;
      std::istringstream head(buf.substr(0, head_end));
      std::string line;
      std::getline(head, line);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      {
        std::istringstream first(line);
        std::string version;
        first >> req.method >> req.target >> version;
        if (version == "HTTP/1.0") keep_alive = false;
      }
      while (std::getline(head, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        auto colon = line.find(':');
        if (colon == std::string::npos) continue;
        std::string name = lower(line.substr(0, colon));
        std::string value = line.substr(colon + 1);
        value.erase(0, value.find_first_not_of(" \t"));
        req.headers[name] = value;
      }
      auto q = req.target.find('?');
      req.path = req.target.substr(0, q);
      if (q != std::string::npos) req.query = req.target.substr(q + 1);
      buf.erase(0, head_end + 4);
      size_t want = 0;
      if (auto it = req.headers.find("content-length"); it != req.headers.end())
        want = std::stoul(it->second);
      while (buf.size() < want) {
        ssize_t n = conn.recv(chunk, sizeof chunk);
        if (n <= 0) goto done;
        buf.append(chunk, static_cast<size_t>(n));
      }
      req.body = buf.substr(0, want);
      buf.erase(0, want);
      if (lower(req.header("connection")) == "close") keep_alive = false;

      requests_++;
      HttpResponse resp = handler_(req);
      if (resp.raw) {
        resp.raw(fd);
        break;
      }
      std::string out =
          "HTTP/1.1 " + std::to_string(resp.status) + " " + reason(resp.status) + "\r\n";
      bool has_type = false;
      for (auto& [k, v] : resp.headers) {
        out += k + ": " + v + "\r\n";
        if (lower(k) == "content-type") has_type = true;
      }
      if (!has_type && resp.status != 304) out += "Content-Type: text/html; charset=utf-8\r\n";
      if (resp.status != 304 && resp.status != 204)
        out += "Content-Length: " + std::to_string(resp.body.size()) + "\r\n";
      out += keep_alive ? "Connection: keep-alive\r\n" : "Connection: close\r\n";
      out += "\r\n";
      if (req.method != "HEAD" && resp.status != 304 && resp.status != 204) out += resp.body;
      if (!conn.send_all(out)) break;
    }
  }
done:
  if (conn.ssl) {
    SSL_shutdown(conn.ssl);  // close_notify; the peer may be gone already
    SSL_free(conn.ssl);
    ERR_clear_error();
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    open_fds_.erase(std::remove(open_fds_.begin(), open_fds_.end(), fd), open_fds_.end());
  }
  ::close(fd);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool shared_available() {
  struct stat st {};
  return ::stat(RASID_SHARED_DIR "/corpus", &st) == 0 && S_ISDIR(st.st_mode);
}

std::string shared_path(const std::string& rel) { return std::string(RASID_SHARED_DIR "/") + rel; }
std::string source_path(const std::string& rel) { return std::string(RASID_SOURCE_DIR "/") + rel; }

}  // namespace rasid::testing
