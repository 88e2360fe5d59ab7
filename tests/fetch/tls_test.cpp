// HTTPS through the Fetcher: real libcurl against a real TLS server on 127.0.0.1 whose
// certificates come from a CA the test makes (tests/support/test_ca.h). A valid chain fetches;
// each way a certificate can be wrong ends as its own, readable tls error, before any request
// reaches the server — verification is never skipped.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <set>
#include <stdexcept>
#include <thread>

#include "fetch/fetcher.h"
#include "tests/support/http_server.h"
#include "tests/support/process.h"
#include "tests/support/test_ca.h"

namespace rasid::fetch {
namespace {

using rasid::testing::HttpRequest;
using rasid::testing::HttpResponse;
using rasid::testing::HttpServer;
using rasid::testing::LeafSpec;
using rasid::testing::TestCa;
using rasid::testing::TlsFiles;
using namespace std::chrono_literals;

class FetchTls : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(rasid::testing::make_temp_dir());
    ca_ = new TestCa(*dir_);
    good_ = new TlsFiles(ca_->issue("good", LeafSpec::loopback()));
    LeafSpec expired = LeafSpec::loopback();
    expired.not_before = -std::chrono::hours(24 * 60);
    expired.not_after = -std::chrono::hours(24);
    expired_ = new TlsFiles(ca_->issue("expired", expired));
    LeafSpec future = LeafSpec::loopback();
    future.not_before = std::chrono::hours(24);
    future.not_after = std::chrono::hours(24 * 60);
    future_ = new TlsFiles(ca_->issue("future", future));
    wrong_host_ = new TlsFiles(ca_->issue("wrong-host", LeafSpec{{"news.example.org"}, {}}));
    self_signed_ = new TlsFiles(TestCa::self_signed(*dir_, "self-signed", LeafSpec::loopback()));
  }
  static void TearDownTestSuite() {
    delete good_;
    delete expired_;
    delete future_;
    delete wrong_host_;
    delete self_signed_;
    delete ca_;
    std::filesystem::remove_all(*dir_);
    delete dir_;
  }

  static std::unique_ptr<HttpServer> serve(const TlsFiles& cert) {
    return std::make_unique<HttpServer>(
        [](const HttpRequest& r) {
          return HttpResponse(200, {{"Content-Type", "text/plain"}}, "secret over " + r.path);
        },
        cert);
  }
  static Options options(bool trust_test_ca = true) {
    Options o;
    o.allow_private = {"127.0.0.0/8", "::1/128"};
    o.connect_timeout = 3000ms;
    o.total_timeout = 8000ms;
    if (trust_test_ca) o.ca_file = ca_->ca_file();
    return o;
  }
  static Response get(const std::string& url, const Options& o) {
    Request r;
    r.url = url;
    return fetch_all({r}, o).at(0);
  }

  static std::string* dir_;
  static TestCa* ca_;
  static TlsFiles *good_, *expired_, *future_, *wrong_host_, *self_signed_;
};
std::string* FetchTls::dir_;
TestCa* FetchTls::ca_;
TlsFiles *FetchTls::good_, *FetchTls::expired_, *FetchTls::future_, *FetchTls::wrong_host_,
    *FetchTls::self_signed_;

TEST_F(FetchTls, ValidChainFromTheConfiguredCaFetches) {
  auto server = serve(*good_);
  auto r = get(server->url("/feed"), options());
  EXPECT_TRUE(r.ok()) << to_string(r.error) << ": " << r.error_message;
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "secret over /feed");
  EXPECT_EQ(r.final_url.rfind("https://127.0.0.1:", 0), 0u) << r.final_url;
  // By DNS name too (the certificate names both).
  auto by_name = get("https://localhost:" + std::to_string(server->port()) + "/by-name", options());
  EXPECT_TRUE(by_name.ok()) << to_string(by_name.error) << ": " << by_name.error_message;
  EXPECT_EQ(by_name.body, "secret over /by-name");
}

TEST_F(FetchTls, KeptAliveTlsConnectionServesTheNextRequest) {
  auto server = serve(*good_);
  boost::asio::io_context io;
  Fetcher f(io, options());
  std::vector<Response> got;
  Request a;
  a.url = server->url("/one");
  f.fetch(a, [&](Response r) {
    got.push_back(std::move(r));
    Request b;
    b.url = server->url("/two");
    f.fetch(b, [&](Response r2) { got.push_back(std::move(r2)); });
  });
  io.run();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_TRUE(got[0].ok()) << got[0].error_message;
  EXPECT_TRUE(got[1].ok()) << got[1].error_message;
  EXPECT_EQ(got[0].connects, 1);
  EXPECT_EQ(got[1].connects, 0) << "the TLS session is reused, no second handshake";
}

TEST_F(FetchTls, WithoutTheCaFileTheTestCaIsNotTrusted) {
  auto server = serve(*good_);
  auto r = get(server->url("/feed"), options(false));
  EXPECT_EQ(r.error, Error::tls);
  EXPECT_EQ(r.error_message.rfind("certificate not trusted (self-signed or unknown CA)", 0), 0u)
      << r.error_message;
  EXPECT_TRUE(r.body.empty());
  EXPECT_EQ(server->requests(), 0) << "no request is sent over an unverified connection";
}

TEST_F(FetchTls, ExpiredCertificateIsRefusedAsExpired) {
  auto server = serve(*expired_);
  auto r = get(server->url("/feed"), options());
  EXPECT_EQ(r.error, Error::tls);
  EXPECT_EQ(r.error_message.rfind("certificate has expired", 0), 0u) << r.error_message;
  EXPECT_EQ(server->requests(), 0);
}

TEST_F(FetchTls, NotYetValidCertificateIsRefusedAsNotYetValid) {
  auto server = serve(*future_);
  auto r = get(server->url("/feed"), options());
  EXPECT_EQ(r.error, Error::tls);
  EXPECT_EQ(r.error_message.rfind("certificate is not yet valid", 0), 0u) << r.error_message;
  EXPECT_EQ(server->requests(), 0);
}

TEST_F(FetchTls, CertificateForAnotherHostIsRefusedAsWrongHost) {
  auto server = serve(*wrong_host_);
  auto r = get(server->url("/feed"), options());
  EXPECT_EQ(r.error, Error::tls);
  EXPECT_EQ(r.error_message.rfind("certificate is for another host name", 0), 0u)
      << r.error_message;
  EXPECT_NE(r.error_message.find("127.0.0.1"), std::string::npos)
      << "curl's detail names the host asked for: " << r.error_message;
  EXPECT_EQ(server->requests(), 0);
}

TEST_F(FetchTls, SelfSignedCertificateIsRefusedAsUntrusted) {
  auto server = serve(*self_signed_);
  auto r = get(server->url("/feed"), options());
  EXPECT_EQ(r.error, Error::tls);
  EXPECT_EQ(r.error_message.rfind("certificate not trusted (self-signed or unknown CA)", 0), 0u)
      << r.error_message;
  EXPECT_EQ(server->requests(), 0);
}

TEST_F(FetchTls, EachCertificateProblemReadsDifferently) {
  std::set<std::string> heads;
  for (const TlsFiles* c : {expired_, wrong_host_, self_signed_, future_}) {
    auto server = serve(*c);
    auto r = get(server->url("/"), options());
    ASSERT_EQ(r.error, Error::tls) << c->cert_file;
    heads.insert(r.error_message.substr(0, r.error_message.find(" (")));
  }
  EXPECT_EQ(heads.size(), 4u);
}

TEST_F(FetchTls, UnreadableCaFileFailsTheTransferNotVerification) {
  auto server = serve(*good_);
  Options o = options();
  o.ca_file = *dir_ + "/no-such-ca.pem";
  auto r = get(server->url("/"), o);
  EXPECT_EQ(r.error, Error::tls);
  EXPECT_EQ(r.error_message.rfind("cannot read the CA file", 0), 0u) << r.error_message;
  EXPECT_EQ(server->requests(), 0);
}

// A plain-HTTP port that answers whatever arrives with a 400, as web servers do when a TLS
// ClientHello reaches their plain port.
class PlainPort {
 public:
  PlainPort() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&a), len) != 0 ||
        ::listen(fd_, 4) != 0 || ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) != 0)
      throw std::runtime_error("PlainPort: socket");
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] {
      int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0) return;
      char buf[4096];
      (void)::recv(c, buf, sizeof buf, 0);
      const char reply[] =
          "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
      (void)::send(c, reply, sizeof reply - 1, MSG_NOSIGNAL);
      ::close(c);
    });
  }
  ~PlainPort() {
    ::shutdown(fd_, SHUT_RDWR);
    thread_.join();
    ::close(fd_);
  }
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
  std::thread thread_;
};

TEST_F(FetchTls, PlainHttpOnAnHttpsUrlIsAHandshakeFailure) {
  PlainPort plain;
  auto r = get("https://127.0.0.1:" + std::to_string(plain.port()) + "/", options());
  EXPECT_EQ(r.error, Error::tls);
  EXPECT_EQ(r.error_message.rfind("handshake failed", 0), 0u) << r.error_message;
}

}  // namespace
}  // namespace rasid::fetch
