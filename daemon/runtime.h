// daemon/runtime.h — what the daemon derives from one Config: compiled topics, the matcher, the
// webhook endpoints and fetch options. Immutable once built; a reload builds a new one and swaps.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "alert/alert.h"
#include "clean/extractor.h"
#include "common/result.h"
#include "config/config.h"
#include "fetch/fetcher.h"
#include "match/matcher.h"

namespace rasid::daemon {

struct CompiledTopic {
  std::string name;
  match::Query query;
  std::vector<std::string> webhooks;
};

struct Runtime {
  config::Config config;
  std::vector<CompiledTopic> topics;  // index = matcher topic id
  match::Matcher matcher;
  std::vector<alert::Endpoint> endpoints;

  const config::Source* source(const std::string& name) const { return config.source(name); }
};

// Compiles every topic query; errors name "FILE:LINE: topic.query: position N: reason".
Result<std::shared_ptr<const Runtime>> build_runtime(config::Config config);
// Loads, validates and compiles a config file.
Result<std::shared_ptr<const Runtime>> load_runtime(const std::string& path);

fetch::Options fetch_options(const config::Daemon& d);
clean::Rules clean_rules(const config::Source& s);

}  // namespace rasid::daemon
