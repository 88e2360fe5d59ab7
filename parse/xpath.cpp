// parse/xpath.cpp — XPath 1.0 over parse::Html through libxml2 (parse/parser.h).
//
// A context with its own structured-error handler keeps libxml2's messages for a bad expression
// off stderr without touching the process-wide generic handler.
#include <libxml/tree.h>
#include <libxml/xpath.h>

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

}  // namespace

bool valid_xpath(std::string_view expr) {
  Context ctx = quiet_context(nullptr);
  if (!ctx) return false;
  std::string e(expr);
  xmlXPathCompExprPtr c = xmlXPathCtxtCompile(ctx.get(), BAD_CAST e.c_str());
  if (c == nullptr) return false;
  xmlXPathFreeCompExpr(c);
  return true;
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
