// tests/e2e/once_fixture.h — the common fixture of e2e tests that run `rasid once` against a
// config file in a fresh temporary directory.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "tests/support/process.h"

namespace rasid::testing {

class RasidOnceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = make_temp_dir();
    db_ = dir_ + "/rasid.db";
    cfg_ = dir_ + "/rasid.toml";
  }
  // Runs `rasid once --config <cfg_>` and expects it to exit 0.
  ProcessResult once() {
    auto r = run_process({RASID_BINARY, "once", "--config", cfg_});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r;
  }
  std::string dir_, db_, cfg_;
};

}  // namespace rasid::testing
