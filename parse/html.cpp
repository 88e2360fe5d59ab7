// parse/html.cpp — parse::Html: libxml2's HTML parser over UTF-8 input.
//
// libxml2 (2.9.x) refuses to nest deeper than 256 elements: it reports "Excessive depth in
// document" and stops the parse, so everything after that point is missing. That bounds hostile
// pages (100k nested <div>s parse in milliseconds) but must not pass silently: truncated() says so.
#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include <climits>
#include <cstring>
#include <mutex>
#include <string>
#include <utility>

#include "parse/parser.h"

namespace rasid::parse {

namespace {

constexpr int kHtmlOptions = HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
                             HTML_PARSE_NONET | HTML_PARSE_COMPACT;

struct CtxtGuard {
  htmlParserCtxtPtr ctxt = nullptr;
  ~CtxtGuard() {
    if (ctxt != nullptr) htmlFreeParserCtxt(ctxt);
  }
};

bool depth_error(const xmlError* e) {
  return e != nullptr && e->message != nullptr &&
         std::strstr(e->message, "Excessive depth") != nullptr;
}

}  // namespace

Result<Html> Html::parse(std::string_view utf8, std::string_view url) {
  if (utf8.size() > static_cast<std::size_t>(INT_MAX)) return Error{"html: document too large"};
  static std::once_flag init;
  std::call_once(init, [] { xmlInitParser(); });
  CtxtGuard g;
  g.ctxt = htmlNewParserCtxt();
  if (g.ctxt == nullptr) return Error{"html: out of memory"};
  std::string base(url);
  // An empty buffer makes libxml2 return no document at all; give it an empty body instead.
  std::string_view input = utf8;
  static constexpr std::string_view kEmpty = "<html><body></body></html>";
  if (input.find_first_not_of(" \t\r\n\f") == std::string_view::npos) input = kEmpty;
  xmlDocPtr doc = htmlCtxtReadMemory(g.ctxt, input.data(), static_cast<int>(input.size()),
                                     base.empty() ? nullptr : base.c_str(), "UTF-8", kHtmlOptions);
  bool truncated = depth_error(xmlCtxtGetLastError(g.ctxt));
  if (doc == nullptr) return Error{"html: no document could be parsed"};
  if (xmlDocGetRootElement(doc) == nullptr) {
    // Text-only or comment-only input: give it an <html> root so callers always have one.
    xmlNodePtr html = xmlNewDocNode(doc, nullptr, BAD_CAST "html", nullptr);
    if (html == nullptr) {
      xmlFreeDoc(doc);
      return Error{"html: out of memory"};
    }
    xmlDocSetRootElement(doc, html);
  }
  Html h;
  h.doc_ = doc;
  h.url_ = std::move(base);
  h.truncated_ = truncated;
  return h;
}

Html::Html(Html&& o) noexcept
    : doc_(std::exchange(o.doc_, nullptr)), url_(std::move(o.url_)), truncated_(o.truncated_) {}

Html& Html::operator=(Html&& o) noexcept {
  if (this != &o) {
    if (doc_ != nullptr) xmlFreeDoc(doc_);
    doc_ = std::exchange(o.doc_, nullptr);
    url_ = std::move(o.url_);
    truncated_ = o.truncated_;
  }
  return *this;
}

Html::~Html() {
  if (doc_ != nullptr) xmlFreeDoc(doc_);
}

xmlNode* Html::root() const { return doc_ == nullptr ? nullptr : xmlDocGetRootElement(doc_); }

}  // namespace rasid::parse
