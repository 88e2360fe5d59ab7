// tests/support/test_ca.h — a certificate authority of the tests' own, made at test time with
// OpenSSL's C API (no openssl CLI, no certificates checked into the tree that could expire).
//
// A TestCa writes its root certificate (PEM) to DIR/ca.pem; the leaves it issues are P-256 keys
// with SHA-256 signatures, a subjectAltName with the given DNS names and IP addresses and
// extendedKeyUsage serverAuth — what a public CA issues to a web server, so libcurl verifies
// them exactly as it verifies a real site's. Validity is relative to now, so an expired or a
// not-yet-valid certificate is one LeafSpec away. self_signed() makes a leaf that no CA
// vouches for. Every file goes into the directory given; the caller removes it if it wants.
//
// Threads: a TestCa is used from one thread (tests make certificates before they start servers).
// Failures throw std::runtime_error with OpenSSL's reason.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/http_server.h"

namespace rasid::testing {

struct LeafSpec {
  std::vector<std::string> dns;  // subjectAltName DNS names
  std::vector<std::string> ips;  // subjectAltName IP addresses
  // Validity, relative to now (negative = in the past).
  std::chrono::seconds not_before{-std::chrono::hours(1)};
  std::chrono::seconds not_after{std::chrono::hours(24 * 30)};

  // The names a loopback test server answers to: localhost and 127.0.0.1.
  static LeafSpec loopback() { return LeafSpec{{"localhost"}, {"127.0.0.1"}}; }
};

class TestCa {
 public:
  // Creates the CA ("rasid test CA <random>") and writes DIR/ca.pem.
  explicit TestCa(std::string dir);
  ~TestCa();
  TestCa(const TestCa&) = delete;
  TestCa& operator=(const TestCa&) = delete;

  const std::string& ca_file() const { return ca_file_; }  // PEM, for CURLOPT_CAINFO / ca_file
  // A leaf signed by this CA: DIR/NAME.pem (certificate) and DIR/NAME.key (private key).
  TlsFiles issue(const std::string& name, const LeafSpec& spec);
  // A leaf signed by its own key (no CA behind it): DIR/NAME.pem and DIR/NAME.key.
  static TlsFiles self_signed(const std::string& dir, const std::string& name,
                              const LeafSpec& spec);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string dir_;
  std::string ca_file_;
};

}  // namespace rasid::testing
