// daemon/identity.h — the one place that decides what makes an entry of a source "the same entry".
//
// An entry's key is, in order of preference:
//   "id:<guid>"         its GUID / atom:id, while the source's GUIDs are trusted;
//   "url:<canonical>"   its link, canonicalized (url::canonical: no tracking parameters,
//                       no fragment, lower-case host, default port dropped);
//   "hash:<16 hex>"     FNV-1a of title + "|" + ISO-8601 date, for entries with neither.
//
// Besides its key, an entry carries aliases (its link key when the key is a GUID): they are
// recorded as seen with the entry, so that a source whose GUIDs stop being trusted switches to
// link keys without announcing every old entry again, and so that an entry is recognised even
// when only its GUID changed.
//
// GUIDs are not trusted per source when either is observed:
//   - the same GUID on entries with different links (or, without links, different titles) in one
//     document ("repeat");
//   - GUIDs that are new while the entry's link was already seen under another GUID ("churn":
//     the CMS mints a GUID per fetch or per edit) — at least two such entries in one fetch, or
//     every linked entry of a feed with fewer than two.
// Links do not identify entries when several entries of one document share a link, or when the
// link is the site's root: no link alias is used then.
//
// Article pages may declare their canonical address (<link rel=canonical>, og:url): AMP pages
// (amp.host, /amp, ?amp=1) and mobile pages (m.host) point at the main one. article_canonical()
// accepts the declaration unless it is implausible (not http(s), or the site root for an article).
//
// Pure functions; the caller persists the per-source verdict (storage::Store::guid_distrust).
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "parse/parser.h"

namespace rasid::daemon {

// The identity of an entry within its source (see above). `trust_guid` false skips the GUID.
std::string entry_key(const parse::Entry& e, bool trust_guid = true);

std::string guid_key(const parse::Entry& e);  // "id:…", "" without GUID
std::string link_key(std::string_view link);  // "url:…", "" without a usable link
std::string hash_key(const parse::Entry& e);  // "hash:…"

struct EntryIdentity {
  std::string key;                   // what the entry is stored and looked up under
  std::vector<std::string> aliases;  // other keys recorded as seen with it
  bool seen = false;                 // the key or an alias was seen before
};

struct IdentityDecision {
  std::vector<EntryIdentity> entries;  // one per input entry, same order
  bool trust_guid = true;              // the verdict after this document
  std::string distrust_reason;  // non-empty when this document made GUIDs untrusted (new verdict)
  int churned = 0;              // entries whose GUID was new but whose link was seen
};

// Has (source, key) been seen? (storage::Store::seen bound to one source.)
using SeenFn = std::function<Result<bool>(const std::string& key)>;

// Decides the keys of one document's entries. `trust_guid` is the source's verdict so far.
// Errors come from `seen` only.
Result<IdentityDecision> identify_entries(const std::vector<parse::Entry>& entries, bool trust_guid,
                                          const SeenFn& seen);

// The address an article page is stored under: the page's declared canonical when plausible,
// else the page's own address. Both canonicalized (url::canonical).
std::string article_canonical(std::string_view page_url, std::string_view declared);

}  // namespace rasid::daemon
