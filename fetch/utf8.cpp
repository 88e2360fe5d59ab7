// Kept apart from fetcher.cpp so that code which never asks for UTF-8 does not need text/.
#include "fetch/fetcher.h"
#include "text/text.h"

namespace rasid::fetch {

std::string Response::utf8() const { return text::decode(body, content_type).utf8; }

}  // namespace rasid::fetch
