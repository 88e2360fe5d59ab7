// [daemon] ca_file: a private CA to trust for HTTPS. The file is checked when the configuration
// is read — a typo or a key file in its place is a FILE:LINE: KEY error, not every HTTPS source
// failing later.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "config/config.h"
#include "tests/support/process.h"
#include "tests/support/test_ca.h"

namespace fs = std::filesystem;
using ::testing::HasSubstr;

namespace rasid::config {
namespace {

class CaFile : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = rasid::testing::make_temp_dir();
    fs::create_directories(dir_ + "/tls");
    ca_ = std::make_unique<rasid::testing::TestCa>(dir_ + "/tls");
  }
  void TearDown() override {
    ca_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  std::string config(const std::string& daemon_lines) {
    std::string path = dir_ + "/rasid.toml";
    rasid::testing::write_file(path, "[daemon]\ndatabase = \"x.db\"\n" + daemon_lines);
    return path;
  }
  std::string dir_;
  std::unique_ptr<rasid::testing::TestCa> ca_;
};

TEST_F(CaFile, UnsetMeansTheSystemStoreOnly) {
  auto r = load(config(""));
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r->daemon.ca_file, "");
}

TEST_F(CaFile, RelativePathIsResolvedAgainstTheConfigDirectory) {
  auto r = load(config("ca_file = \"tls/ca.pem\"\n"));
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r->daemon.ca_file, (fs::path(dir_) / "tls/ca.pem").string());
  auto abs = load(config("ca_file = \"" + ca_->ca_file() + "\"\n"));
  ASSERT_TRUE(abs.ok()) << abs.error();
  EXPECT_EQ(abs->daemon.ca_file, ca_->ca_file());
}

TEST_F(CaFile, MissingFileNamesFileLineAndKey) {
  std::string cfg = config("\nca_file = \"tls/typo.pem\"\n");
  auto r = load(cfg);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error(), HasSubstr(cfg + ":4: daemon.ca_file: cannot read " + dir_ +
                                   "/tls/typo.pem: No such file or directory"));
}

TEST_F(CaFile, DirectoryIsRefused) {
  auto r = load(config("ca_file = \"tls\"\n"));
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error(), HasSubstr(":3: daemon.ca_file: " + dir_ + "/tls is a directory"));
}

TEST_F(CaFile, FileWithoutACertificateIsRefused) {
  auto leaf = ca_->issue("server", rasid::testing::LeafSpec::loopback());
  // The private key where the CA certificate should be: an easy slip.
  auto r = load(config("ca_file = \"" + leaf.key_file + "\"\n"));
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error(),
              HasSubstr(":3: daemon.ca_file: " + leaf.key_file + " holds no PEM certificate"));
  rasid::testing::write_file(dir_ + "/empty.pem", "");
  auto e = load(config("ca_file = \"empty.pem\"\n"));
  ASSERT_FALSE(e.ok());
  EXPECT_THAT(e.error(), HasSubstr("holds no PEM certificate"));
}

TEST_F(CaFile, UnreadableFileIsRefused) {
  if (::geteuid() == 0) GTEST_SKIP() << "root reads any file";
  ::chmod(ca_->ca_file().c_str(), 0);
  auto r = load(config("ca_file = \"tls/ca.pem\"\n"));
  ::chmod(ca_->ca_file().c_str(), 0644);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error(), HasSubstr(":3: daemon.ca_file: cannot read "));
  EXPECT_THAT(r.error(), HasSubstr("Permission denied"));
}

TEST_F(CaFile, EmptyOrWrongTypeIsRefused) {
  auto r = load(config("ca_file = \"\"\n"));
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error(), HasSubstr(":3: daemon.ca_file: must not be empty"));
  auto t = load(config("ca_file = 1\n"));
  ASSERT_FALSE(t.ok());
  EXPECT_THAT(t.error(), HasSubstr(":3: daemon.ca_file:"));
}

}  // namespace
}  // namespace rasid::config
