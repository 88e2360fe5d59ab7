// daemon/status_page.h — the status page (GET /): server-rendered HTML and its CSS, in Arabic
// (dir="rtl") or English (?lang=en), as daemon/status.h describes it.
//
// Owner: daemon/ (the page's layout, its strings in both languages and its stylesheet). It
// escapes every outside text through text::escape_html, links only http(s) URLs, and marks the
// matched terms by running the current topics (match/) again on the stored text.
//
// Threads: reads the Store, so it runs on the io_context thread of the Service (status.h).
//
// Failure kinds: none thrown; a Store read that fails shows its error in place of the list it
// would have filled, and the rest of the page is still rendered.
#pragma once

#include <map>
#include <string>

#include "daemon/status.h"

namespace rasid::daemon {

// The whole page for one request; `query` holds the decoded query parameters (lang, topic).
std::string render_status_page(const StatusContext& ctx,
                               const std::map<std::string, std::string>& query);

}  // namespace rasid::daemon
