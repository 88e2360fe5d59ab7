// The address rules of the SSRF guard, without the network.
#include "fetch/guard.h"

#include <gtest/gtest.h>

namespace rasid::fetch {
namespace {

std::array<std::uint8_t, 16> addr(const std::string& text) {
  auto c = parse_cidr(text);
  EXPECT_TRUE(c.has_value()) << text;
  return c ? c->addr : std::array<std::uint8_t, 16>{};
}

TEST(Guard, RefusesNonPublicAddresses) {
  for (std::string a : {"127.0.0.1",
                        "127.255.255.254",
                        "0.0.0.0",
                        "0.1.2.3",
                        "10.1.2.3",
                        "100.64.0.1",
                        "100.127.255.255",
                        "169.254.169.254",
                        "169.254.0.1",
                        "172.16.0.1",
                        "172.31.255.255",
                        "192.168.1.1",
                        "192.0.0.8",
                        "198.18.0.1",
                        "224.0.0.1",
                        "239.255.255.250",
                        "240.0.0.1",
                        "255.255.255.255",
                        "::",
                        "::1",
                        "::ffff:127.0.0.1",
                        "::ffff:169.254.169.254",
                        "::ffff:10.0.0.1",
                        "::127.0.0.1",
                        "64:ff9b::7f00:1",
                        "2002:7f00:1::",
                        "fc00::1",
                        "fd12:3456::1",
                        "fe80::1",
                        "fec0::1",
                        "ff02::1",
                        "2001:db8::1",
                        "100::1"}) {
    EXPECT_NE(blocked_reason(addr(a)), "") << a;
  }
}

TEST(Guard, AllowsPublicAddresses) {
  for (std::string a :
       {"1.1.1.1", "8.8.8.8", "100.63.255.255", "100.128.0.0", "172.15.255.255", "172.32.0.0",
        "169.253.255.255", "192.169.0.1", "93.184.216.34", "2606:4700::1111",
        "2a00:1450:4001::200e", "::ffff:8.8.8.8", "64:ff9b::808:808"}) {
    EXPECT_EQ(blocked_reason(addr(a)), "") << a;
  }
}

TEST(Guard, ReasonsNameTheRange) {
  EXPECT_EQ(blocked_reason(addr("127.0.0.1")), "loopback");
  EXPECT_NE(blocked_reason(addr("169.254.169.254")).find("metadata"), std::string::npos);
}

TEST(Guard, AllowListOpensOnlyItsNetworks) {
  AddressGuard g({*parse_cidr("127.0.0.0/8"), *parse_cidr("fd00::/8")});
  EXPECT_EQ(g.check(addr("127.0.0.1")), "");
  EXPECT_EQ(g.check(addr("127.9.9.9")), "");
  EXPECT_EQ(g.check(addr("::ffff:127.0.0.1")), "") << "mapped form is the same address";
  EXPECT_EQ(g.check(addr("fd00::5")), "");
  EXPECT_NE(g.check(addr("fc00::5")), "");
  EXPECT_NE(g.check(addr("10.0.0.1")), "");
  EXPECT_NE(g.check(addr("::1")), "");
  EXPECT_EQ(g.check(addr("8.8.8.8")), "");
  AddressGuard none;
  EXPECT_NE(none.check(addr("127.0.0.1")), "");
}

// A newcomer fetching a local test server reads this message: it must say how to allow it.
TEST(Guard, RefusalNamesTheSettingThatAllowsIt) {
  AddressGuard none;
  EXPECT_EQ(none.check(addr("127.0.0.1")),
            "loopback; add it to [daemon] allow_private to fetch it");
  EXPECT_NE(none.check(addr("10.1.2.3")).find("allow_private"), std::string::npos);
}

TEST(Guard, ParsesCidrs) {
  auto c = parse_cidr("10.0.0.0/8");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->prefix, 104);
  EXPECT_TRUE(c->contains(addr("10.200.1.1")));
  EXPECT_FALSE(c->contains(addr("11.0.0.1")));
  EXPECT_EQ(parse_cidr("127.0.0.1")->prefix, 128);
  EXPECT_EQ(parse_cidr("[::1]")->prefix, 128);
  EXPECT_EQ(parse_cidr("fe80::/10")->prefix, 10);
  EXPECT_TRUE(parse_cidr("0.0.0.0/0")->contains(addr("8.8.8.8")));
  EXPECT_TRUE(parse_cidr("172.16.0.0/12")->contains(addr("172.20.0.1")));
  EXPECT_FALSE(parse_cidr("172.16.0.0/12")->contains(addr("172.32.0.1")));
  for (std::string bad : {"", "/8", "10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0.0/x",
                          "example.org", "10.0.0.0/8/8", "1.2.3"})
    EXPECT_FALSE(parse_cidr(bad).has_value()) << bad;
}

TEST(Guard, FormatsAddresses) {
  EXPECT_EQ(format_address(addr("127.0.0.1")), "127.0.0.1");
  EXPECT_EQ(format_address(addr("fe80::1")), "fe80::1");
}

}  // namespace
}  // namespace rasid::fetch
