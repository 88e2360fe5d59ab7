// daemon.status_token_file / status_token_credential and status_listen port 0.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "config/config.h"

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

namespace rasid::config {
namespace {

std::string temp_dir() {
  std::string tmpl = (fs::temp_directory_path() / "rasid-token-XXXXXX").string();
  EXPECT_NE(mkdtemp(tmpl.data()), nullptr);
  return tmpl;
}

void write(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

std::string errors_of(const std::string& toml, const std::string& path) {
  auto r = parse(toml, path);
  return r ? std::string() : r.error();
}

TEST(StatusToken, FromFileRelativeToTheConfig) {
  std::string dir = temp_dir();
  write(dir + "/status.token", "0123456789abcdef-token\n");
  auto r = parse("[daemon]\nstatus_token_file = \"status.token\"\n", dir + "/rasid.toml");
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->daemon.status_token, "0123456789abcdef-token");
  EXPECT_EQ(r->daemon.status_token_origin, "file:" + dir + "/status.token");
  auto none = parse("[daemon]\n", dir + "/rasid.toml");
  ASSERT_TRUE(none);
  EXPECT_EQ(none->daemon.status_token, "");
  fs::remove_all(dir);
}

TEST(StatusToken, BadTokensAreRefusedWithoutPrintingThem) {
  std::string dir = temp_dir();
  write(dir + "/short", "tooshort\n");
  write(dir + "/spaces", "has spaces in the middle of it\n");
  std::string e = errors_of("[daemon]\nstatus_token_file = \"short\"\n", dir + "/r.toml");
  EXPECT_THAT(e, HasSubstr("r.toml:2: daemon.status_token_file:"));
  EXPECT_THAT(e, HasSubstr("at least 16 visible ASCII characters"));
  EXPECT_THAT(e, Not(HasSubstr("tooshort")));
  e = errors_of("[daemon]\nstatus_token_file = \"spaces\"\n", dir + "/r.toml");
  EXPECT_THAT(e, HasSubstr("daemon.status_token_file"));
  EXPECT_THAT(e, Not(HasSubstr("middle")));
  e = errors_of("[daemon]\nstatus_token_file = \"missing\"\n", dir + "/r.toml");
  EXPECT_THAT(e, HasSubstr("cannot read file:"));
  e = errors_of("[daemon]\nstatus_token_file = \"\"\n", dir + "/r.toml");
  EXPECT_THAT(e, HasSubstr("must not be empty"));
  fs::remove_all(dir);
}

TEST(StatusToken, FromSystemdCredential) {
  std::string dir = temp_dir();
  write(dir + "/status-token", "cred-token-0123456789\n");
  ::setenv("CREDENTIALS_DIRECTORY", dir.c_str(), 1);
  auto r = parse("[daemon]\nstatus_token_credential = \"status-token\"\n", "r.toml");
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->daemon.status_token, "cred-token-0123456789");
  EXPECT_EQ(r->daemon.status_token_origin, "credential:status-token");
  std::string e = errors_of("[daemon]\nstatus_token_credential = \"../x\"\n", "r.toml");
  EXPECT_THAT(e, HasSubstr("plain credential name"));
  e = errors_of("[daemon]\nstatus_token_credential = \"status-token\"\nstatus_token_file = \"x\"\n",
                "r.toml");
  EXPECT_THAT(e, HasSubstr("not both"));
  ::unsetenv("CREDENTIALS_DIRECTORY");
  e = errors_of("[daemon]\nstatus_token_credential = \"status-token\"\n", "r.toml");
  EXPECT_THAT(e, HasSubstr("$CREDENTIALS_DIRECTORY is not set"));
  fs::remove_all(dir);
}

TEST(StatusListen, PortZeroMeansAnyFreePort) {
  auto r = parse("[daemon]\nstatus_listen = \"127.0.0.1:0\"\n", "r.toml");
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->daemon.status_listen, "127.0.0.1:0");
  EXPECT_THAT(errors_of("[daemon]\nstatus_listen = \"127.0.0.1:65536\"\n", "r.toml"),
              HasSubstr("port must be 1-65535"));
}

}  // namespace
}  // namespace rasid::config
