#include "tests/support/test_ca.h"

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <stdexcept>

namespace rasid::testing {
namespace {

[[noreturn]] void fail(const std::string& what) {
  char buf[256] = {};
  ERR_error_string_n(ERR_get_error(), buf, sizeof buf);
  throw std::runtime_error("test CA: " + what + ": " + buf);
}

struct KeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct CertFree {
  void operator()(X509* x) const { X509_free(x); }
};
using Key = std::unique_ptr<EVP_PKEY, KeyFree>;
using Cert = std::unique_ptr<X509, CertFree>;

Key new_key() {
  Key k(EVP_EC_gen("P-256"));
  if (!k) fail("EC key generation");
  return k;
}

void add_ext(X509* x, X509V3_CTX* ctx, int nid, const std::string& value) {
  X509_EXTENSION* e = X509V3_EXT_conf_nid(nullptr, ctx, nid, value.c_str());
  if (!e) fail("extension " + value);
  bool ok = X509_add_ext(x, e, -1) == 1;
  X509_EXTENSION_free(e);
  if (!ok) fail("adding extension " + value);
}

// A certificate for `key` named `cn`, signed by (issuer, issuer_key) or by itself when issuer is
// null. A CA gets basicConstraints CA:TRUE and keyCertSign; a leaf gets the names of `spec`.
Cert make_cert(EVP_PKEY* key, const std::string& cn, X509* issuer, EVP_PKEY* issuer_key, bool ca,
               const LeafSpec& spec) {
  Cert x(X509_new());
  if (!x) fail("X509_new");
  X509_set_version(x.get(), X509_VERSION_3);
  BIGNUM* serial = BN_new();
  if (!serial || !BN_rand(serial, 120, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) ||
      !BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(x.get()))) {
    BN_free(serial);
    fail("serial number");
  }
  BN_free(serial);
  X509_gmtime_adj(X509_getm_notBefore(x.get()), static_cast<long>(spec.not_before.count()));
  X509_gmtime_adj(X509_getm_notAfter(x.get()), static_cast<long>(spec.not_after.count()));
  X509_set_pubkey(x.get(), key);
  X509_NAME* name = X509_get_subject_name(x.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>("rasid tests"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509_set_issuer_name(x.get(), issuer ? X509_get_subject_name(issuer) : name);

  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer ? issuer : x.get(), x.get(), nullptr, nullptr, 0);
  add_ext(x.get(), &ctx, NID_subject_key_identifier, "hash");
  add_ext(x.get(), &ctx, NID_authority_key_identifier, "keyid:always");
  if (ca) {
    add_ext(x.get(), &ctx, NID_basic_constraints, "critical,CA:TRUE");
    add_ext(x.get(), &ctx, NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    add_ext(x.get(), &ctx, NID_basic_constraints, "critical,CA:FALSE");
    // A self-signed leaf carries no keyUsage, as `openssl req -x509` makes them: OpenSSL then
    // recognises it as self-signed (with digitalSignature only it would be "issuer unknown").
    if (issuer) add_ext(x.get(), &ctx, NID_key_usage, "critical,digitalSignature");
    add_ext(x.get(), &ctx, NID_ext_key_usage, "serverAuth");
    std::string san;
    for (const auto& d : spec.dns) san += (san.empty() ? "DNS:" : ",DNS:") + d;
    for (const auto& i : spec.ips) san += (san.empty() ? "IP:" : ",IP:") + i;
    if (!san.empty()) add_ext(x.get(), &ctx, NID_subject_alt_name, san);
  }
  if (X509_sign(x.get(), issuer_key ? issuer_key : key, EVP_sha256()) == 0) fail("signing");
  return x;
}

void write_cert(const std::string& path, X509* x) {
  FILE* f = std::fopen(path.c_str(), "w");
  if (!f) throw std::runtime_error("test CA: cannot write " + path);
  bool ok = PEM_write_X509(f, x) == 1;
  std::fclose(f);
  if (!ok) fail("writing " + path);
}

void write_key(const std::string& path, EVP_PKEY* k) {
  FILE* f = std::fopen(path.c_str(), "w");
  if (!f) throw std::runtime_error("test CA: cannot write " + path);
  bool ok = PEM_write_PrivateKey(f, k, nullptr, nullptr, 0, nullptr, nullptr) == 1;
  std::fclose(f);
  if (!ok) fail("writing " + path);
}

std::string first_name(const LeafSpec& spec) {
  if (!spec.dns.empty()) return spec.dns.front();
  if (!spec.ips.empty()) return spec.ips.front();
  return "rasid test server";
}

}  // namespace

struct TestCa::Impl {
  Key key;
  Cert cert;
};

TestCa::TestCa(std::string dir) : impl_(std::make_unique<Impl>()), dir_(std::move(dir)) {
  unsigned char rnd[4];
  RAND_bytes(rnd, sizeof rnd);
  char tag[16];
  std::snprintf(tag, sizeof tag, "%02x%02x%02x%02x", rnd[0], rnd[1], rnd[2], rnd[3]);
  impl_->key = new_key();
  LeafSpec validity;
  validity.not_before = -std::chrono::hours(24);
  validity.not_after = std::chrono::hours(24 * 365);
  impl_->cert = make_cert(impl_->key.get(), std::string("rasid test CA ") + tag, nullptr, nullptr,
                          true, validity);
  ca_file_ = dir_ + "/ca.pem";
  write_cert(ca_file_, impl_->cert.get());
}

TestCa::~TestCa() = default;

TlsFiles TestCa::issue(const std::string& name, const LeafSpec& spec) {
  Key k = new_key();
  Cert c = make_cert(k.get(), first_name(spec), impl_->cert.get(), impl_->key.get(), false, spec);
  TlsFiles out{dir_ + "/" + name + ".pem", dir_ + "/" + name + ".key"};
  write_cert(out.cert_file, c.get());
  write_key(out.key_file, k.get());
  return out;
}

TlsFiles TestCa::self_signed(const std::string& dir, const std::string& name,
                             const LeafSpec& spec) {
  Key k = new_key();
  Cert c = make_cert(k.get(), first_name(spec), nullptr, nullptr, false, spec);
  TlsFiles out{dir + "/" + name + ".pem", dir + "/" + name + ".key"};
  write_cert(out.cert_file, c.get());
  write_key(out.key_file, k.get());
  return out;
}

}  // namespace rasid::testing
