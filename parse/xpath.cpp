// parse/xpath.cpp — XPath 1.0 over parse::Html through libxml2 (parse/parser.h).
//
// A context with its own structured-error handler keeps libxml2's messages for a bad expression
// off stderr without touching the process-wide generic handler.
#include <libxml/tree.h>
#include <libxml/xpath.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <iterator>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "parse/parser.h"

namespace rasid::parse {

namespace {

struct ContextFree {
  void operator()(xmlXPathContext* c) const { xmlXPathFreeContext(c); }
};
using Context = std::unique_ptr<xmlXPathContext, ContextFree>;

Context quiet_context(xmlDoc* doc) {
  Context ctx(xmlXPathNewContext(doc));
  if (ctx) ctx->error = [](void*, xmlErrorPtr) {};
  return ctx;
}

Error invalid(std::string_view expr) {
  return Error{"invalid XPath \"" + std::string(expr) + "\""};
}

// XPath 1.0 §4 core functions (libxml2 registers these and no others in a fresh context).
// clang-format off
constexpr std::string_view kFunctions[] = {
    "last", "position", "count", "id", "local-name", "namespace-uri", "name", "string", "concat",
    "starts-with", "contains", "substring-before", "substring-after", "substring",
    "string-length", "normalize-space", "translate", "boolean", "not", "true", "false", "lang",
    "number", "sum", "floor", "ceiling", "round"
};
// clang-format on

bool name_char(unsigned char c) {
  return std::isalnum(c) || c == '_' || c == '-' || c == '.' || c >= 0x80;
}

// What an evaluation of the whole expression on a small page cannot reach (a predicate of a step
// that matches nothing): a variable reference (rasid defines none) or a call of a function the
// context does not have. Names and string literals are read by XPath 1.0's lexical rules (§3.7).
bool names_unknown(std::string_view e) {
  for (std::size_t i = 0; i < e.size();) {
    const unsigned char c = static_cast<unsigned char>(e[i]);
    if (c == '"' || c == '\'') {
      std::size_t end = e.find(static_cast<char>(c), i + 1);
      if (end == std::string_view::npos) return true;
      i = end + 1;
      continue;
    }
    if (c == '$') return true;
    if (std::isalpha(c) || c == '_' || c >= 0x80) {
      std::size_t j = i;
      while (j < e.size() && name_char(static_cast<unsigned char>(e[j]))) ++j;
      std::string_view name = e.substr(i, j - i);
      std::size_t k = j;
      while (k < e.size() && std::isspace(static_cast<unsigned char>(e[k]))) ++k;
      const bool call = k < e.size() && e[k] == '(' && name != "node" && name != "text" &&
                        name != "comment" && name != "processing-instruction" && name != "and" &&
                        name != "or" && name != "div" && name != "mod";
      if (call &&
          std::find(std::begin(kFunctions), std::end(kFunctions), name) == std::end(kFunctions))
        return true;
      i = j;
      continue;
    }
    ++i;
  }
  return false;
}

}  // namespace

bool valid_xpath(std::string_view expr) {
  std::string e(expr);
  if (e.size() != std::strlen(e.c_str())) return false;  // a NUL would cut the expression
  Context ctx = quiet_context(nullptr);
  if (!ctx) return false;
  xmlXPathCompExprPtr c = xmlXPathCtxtCompile(ctx.get(), BAD_CAST e.c_str());
  if (c == nullptr) return false;
  // Evaluated once on a small page: what only evaluation finds (an undefined variable or
  // function, an unbound namespace prefix) is refused here, not on every page of the source.
  bool ok = !names_unknown(expr);
  if (ok) {
    std::unique_ptr<xmlDoc, decltype(&xmlFreeDoc)> doc(xmlNewDoc(BAD_CAST "1.0"), &xmlFreeDoc);
    xmlNodePtr root = doc ? xmlNewDocNode(doc.get(), nullptr, BAD_CAST "html", nullptr) : nullptr;
    if (root == nullptr) {
      ok = false;
    } else {
      xmlDocSetRootElement(doc.get(), root);
      xmlNewChild(root, nullptr, BAD_CAST "body", nullptr);
      Context run = quiet_context(doc.get());
      if (!run) {
        ok = false;
      } else {
        run->node = root;
        xmlXPathObjectPtr obj = xmlXPathCompiledEval(c, run.get());
        ok = obj != nullptr;
        if (obj != nullptr) xmlXPathFreeObject(obj);
      }
    }
  }
  xmlXPathFreeCompExpr(c);
  return ok;
}

Result<std::vector<xmlNode*>> select(const Html& page, std::string_view expr) {
  if (page.doc() == nullptr) return Error{"xpath: no document"};
  Context ctx = quiet_context(page.doc());
  if (!ctx) return Error{"xpath: out of memory"};
  std::string e(expr);
  xmlXPathObjectPtr obj = xmlXPathEvalExpression(BAD_CAST e.c_str(), ctx.get());
  if (obj == nullptr) return invalid(expr);
  std::vector<xmlNode*> nodes;
  if (obj->type == XPATH_NODESET && obj->nodesetval != nullptr)
    nodes.assign(obj->nodesetval->nodeTab, obj->nodesetval->nodeTab + obj->nodesetval->nodeNr);
  xmlXPathFreeObject(obj);
  return nodes;
}

}  // namespace rasid::parse
