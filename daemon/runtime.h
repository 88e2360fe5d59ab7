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

// Compiles every topic query and checks what config/ cannot, by asking the module that owns
// each rule (XPath: parse::valid_xpath; allow_private: the fetcher's parser); errors name
// "FILE:LINE: KEY: reason".
Result<std::shared_ptr<const Runtime>> build_runtime(config::Config config);
// Loads, validates and compiles a config file: every problem config/ and build_runtime find, in
// one pass and in file order (the one `rasid check`, `run`, `once` and a reload all use). A
// Runtime it returns builds a Fetcher without throwing.
Result<std::shared_ptr<const Runtime>> load_runtime(const std::string& path);

fetch::Options fetch_options(const config::Daemon& d);
clean::Rules clean_rules(const config::Source& s);

// What the analyzer knows about Arabic words (text/lexicon.h), for the start-up log and `rasid
// check`: "" when the word list is loaded, else a warning that says what matching loses and how
// to get it back. Loads the process's lexicon (once) if it is not loaded yet.
std::string lexicon_warning();

}  // namespace rasid::daemon
