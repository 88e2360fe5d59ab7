// match/query.cpp — the query language: lexer, recursive-descent parser, compiled tree.
#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <cctype>
#include <charconv>

#include "match/internal.h"
#include "text/text.h"

namespace rasid::match {

namespace {

using Kind = Query::Node::Kind;

enum class Tok { kWord, kPhrase, kLParen, kRParen, kAnd, kOr, kNot, kNeg, kNear, kField, kEnd };

struct Token {
  Tok kind = Tok::kEnd;
  std::string text;  // word / phrase text, or field name
  int col = 1;       // 1-based character column
  int distance = 0;
  bool ordered = false;
  bool prefix = false;
  bool exact = false;  // =word, ="phrase"
};

struct ParseError {
  int col;
  std::string reason;
};

constexpr int kMaxDepth = 100;
constexpr int kMaxDistance = 1000;

struct Cp {
  UChar32 c;
  std::size_t off;
};

bool is_ws(UChar32 c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0x200F || c == 0x200E ||
         u_isUWhiteSpace(c);
}

bool ends_word(UChar32 c) {
  return is_ws(c) || c == '(' || c == ')' || c == '"' || c == 0x00AB || c == 0x00BB ||
         c == 0x201C || c == 0x201D;
}

UChar32 closing_quote(UChar32 c) {
  switch (c) {
    case '"':
      return '"';
    case 0x00AB:  // «
      return 0x00BB;
    case 0x201C:  // “
      return 0x201D;
    default:
      return -1;
  }
}

class Lexer {
 public:
  explicit Lexer(std::string_view s) : s_(s) {
    std::size_t i = 0;
    while (i < s.size()) {
      std::size_t start = i;
      UChar32 c;
      U8_NEXT(reinterpret_cast<const std::uint8_t*>(s.data()), i, s.size(), c);
      if (c < 0) throw ParseError{static_cast<int>(cps_.size()) + 1, "invalid UTF-8"};
      cps_.push_back({c, start});
    }
  }

  std::vector<Token> run() {
    std::vector<Token> out;
    std::size_t i = 0;
    while (i < cps_.size()) {
      UChar32 c = cps_[i].c;
      const int col = static_cast<int>(i) + 1;
      if (is_ws(c)) {
        ++i;
      } else if (c == '(') {
        out.push_back({Tok::kLParen, "(", col});
        ++i;
      } else if (c == ')') {
        out.push_back({Tok::kRParen, ")", col});
        ++i;
      } else if (UChar32 close = closing_quote(c); close >= 0) {
        std::size_t j = i + 1;
        while (j < cps_.size() && cps_[j].c != close && !(close == 0x201D && cps_[j].c == '"')) ++j;
        if (j >= cps_.size()) throw ParseError{col, "unterminated phrase"};
        Token t{Tok::kPhrase, std::string(slice(i + 1, j)), col};
        t.exact = exact_next_;
        exact_next_ = false;
        i = j + 1;
        if (i < cps_.size() && cps_[i].c == '*')
          throw ParseError{col, "a phrase cannot be a prefix"};
        out.push_back(std::move(t));
      } else if (c == '=' && i + 1 < cps_.size() && closing_quote(cps_[i + 1].c) >= 0) {
        exact_next_ = true;  // ="phrase"
        ++i;
      } else if ((c == '-' || c == '+') && i + 1 < cps_.size() && !ends_word(cps_[i + 1].c)) {
        if (c == '-') out.push_back({Tok::kNeg, "-", col});
        ++i;
      } else if (c == 0x00BB || c == 0x201D) {
        throw ParseError{col, "closing quote without an opening one"};
      } else {
        std::size_t j = i;
        while (j < cps_.size() && !ends_word(cps_[j].c)) ++j;
        if (j == i) ++j;  // never loop on a character that ends words
        word(i, j, out);
        i = j;
      }
    }
    out.push_back({Tok::kEnd, "", static_cast<int>(cps_.size()) + 1});
    return out;
  }

 private:
  std::string_view slice(std::size_t a, std::size_t b) const {
    std::size_t ba = a < cps_.size() ? cps_[a].off : s_.size();
    std::size_t bb = b < cps_.size() ? cps_[b].off : s_.size();
    return s_.substr(ba, bb - ba);
  }

  void word(std::size_t i, std::size_t j, std::vector<Token>& out) {
    const int col = static_cast<int>(i) + 1;
    std::string_view w = slice(i, j);
    if (w == "AND" || w == "&&") {
      out.push_back({Tok::kAnd, std::string(w), col});
      return;
    }
    if (w == "OR" || w == "||") {
      out.push_back({Tok::kOr, std::string(w), col});
      return;
    }
    if (w == "NOT") {
      out.push_back({Tok::kNot, std::string(w), col});
      return;
    }
    if (w.starts_with("NEAR") || w.starts_with("ONEAR")) {
      const bool ordered = w[0] == 'O';
      std::string_view rest = w.substr(ordered ? 5 : 4);
      if (rest.empty() || rest[0] == '/') {
        if (rest.size() < 2) throw ParseError{col, "NEAR needs a distance, e.g. NEAR/5"};
        int n = 0;
        auto [p, ec] = std::from_chars(rest.data() + 1, rest.data() + rest.size(), n);
        if (ec != std::errc() || p != rest.data() + rest.size())
          throw ParseError{col, "NEAR needs a distance, e.g. NEAR/5"};
        if (n > kMaxDistance) throw ParseError{col, "NEAR distance above 1000"};
        Token t{Tok::kNear, std::string(w), col};
        t.distance = n;
        t.ordered = ordered;
        out.push_back(std::move(t));
        return;
      }
    }
    // field:rest
    std::size_t k = i;
    while (k < j && cps_[k].c < 0x80 && std::isalpha(static_cast<int>(cps_[k].c))) ++k;
    if (k > i && k < j && cps_[k].c == ':') {
      std::string name(slice(i, k));
      std::transform(name.begin(), name.end(), name.begin(),
                     [](char c) { return static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c); });
      if (name != "title" && name != "source" && name != "lang")
        throw ParseError{col, "unknown field '" + name + ":' (use title:, source: or lang:)"};
      out.push_back({Tok::kField, name, col});
      if (k + 1 < j) word(k + 1, j, out);
      return;
    }
    const bool exact = cps_[i].c == '=';
    if (exact) {
      if (j == i + 1) throw ParseError{col, "'=' needs a word after it"};
      w = slice(i + 1, j);
    }
    Token t{Tok::kWord, std::string(w), col};
    t.exact = exact;
    for (std::size_t m = exact ? i + 1 : i; m < j; ++m) {
      if (cps_[m].c == '*' && m + 1 < j)
        throw ParseError{static_cast<int>(m) + 1, "'*' is allowed only at the end of a term"};
    }
    if (cps_[j - 1].c == '*') {
      t.prefix = true;
      t.text.pop_back();
      if (t.text.empty()) throw ParseError{col, "'*' needs a prefix before it"};
      if (exact) throw ParseError{col, "'=' (exact form) and '*' (prefix) cannot be combined"};
    }
    out.push_back(std::move(t));
  }

  std::string_view s_;
  std::vector<Cp> cps_;
  bool exact_next_ = false;
};

class Parser {
 public:
  explicit Parser(std::vector<Token> toks) : t_(std::move(toks)) {}

  NodePtr parse() {
    if (peek().kind == Tok::kEnd) throw ParseError{1, "empty query"};
    NodePtr n = parse_or(Field::kNone, 0);
    if (peek().kind == Tok::kRParen) throw ParseError{peek().col, "unexpected ')'"};
    if (peek().kind != Tok::kEnd) throw ParseError{peek().col, "unexpected '" + peek().text + "'"};
    if (!positive(*n)) throw ParseError{1, "query needs at least one term that is not negated"};
    return n;
  }

 private:
  enum class Field { kNone, kTitle, kSource, kLang };

  const Token& peek() const { return t_[i_]; }
  const Token& take() { return t_[i_++]; }

  static bool starts_operand(Tok k) {
    return k == Tok::kWord || k == Tok::kPhrase || k == Tok::kLParen || k == Tok::kNot ||
           k == Tok::kNeg || k == Tok::kField;
  }

  void need_operand(const Token& op) {
    if (!starts_operand(peek().kind)) {
      const Token& t = peek();
      if (t.kind == Tok::kEnd)
        throw ParseError{t.col, "expected a term after '" + op.text + "', found the end"};
      throw ParseError{t.col, "expected a term after '" + op.text + "', found '" + t.text + "'"};
    }
  }

  static NodePtr combine(Kind k, std::vector<NodePtr> kids) {
    if (kids.size() == 1) return kids[0];
    auto n = std::make_shared<Query::Node>();
    n->kind = k;
    for (auto& c : kids) {
      if (c->kind == k) {
        n->kids.insert(n->kids.end(), c->kids.begin(), c->kids.end());
      } else {
        n->kids.push_back(std::move(c));
      }
    }
    return n;
  }

  NodePtr parse_or(Field f, int depth) {
    if (depth > kMaxDepth) throw ParseError{peek().col, "query nested too deeply"};
    std::vector<NodePtr> kids{parse_and(f, depth)};
    while (peek().kind == Tok::kOr) {
      const Token& op = take();
      need_operand(op);
      kids.push_back(parse_and(f, depth));
    }
    return combine(Kind::kOr, std::move(kids));
  }

  NodePtr parse_and(Field f, int depth) {
    std::vector<NodePtr> kids{parse_near(f, depth)};
    for (;;) {
      if (peek().kind == Tok::kAnd) {
        const Token& op = take();
        need_operand(op);
      } else if (!starts_operand(peek().kind)) {
        break;
      }
      kids.push_back(parse_near(f, depth));
    }
    return combine(Kind::kAnd, std::move(kids));
  }

  static bool positional(const Query::Node& n) {
    switch (n.kind) {
      case Kind::kTerm:
      case Kind::kPrefix:
      case Kind::kPhrase:
      case Kind::kNear:
        return true;
      case Kind::kOr:
        return std::all_of(n.kids.begin(), n.kids.end(),
                           [](const NodePtr& k) { return positional(*k); });
      default:
        return false;
    }
  }

  NodePtr parse_near(Field f, int depth) {
    const int left_col = peek().col;
    NodePtr left = parse_unary(f, depth);
    while (peek().kind == Tok::kNear) {
      const Token op = take();
      need_operand(op);
      const int right_col = peek().col;
      NodePtr right = parse_unary(f, depth);
      if (!positional(*left))
        throw ParseError{left_col, op.text + " needs words or phrases on its left"};
      if (!positional(*right))
        throw ParseError{right_col, op.text + " needs words or phrases on its right"};
      auto n = std::make_shared<Query::Node>();
      n->kind = Kind::kNear;
      n->distance = op.distance;
      n->ordered = op.ordered;
      n->kids = {left, right};
      left = n;
    }
    return left;
  }

  NodePtr parse_unary(Field f, int depth) {
    if (depth > kMaxDepth) throw ParseError{peek().col, "query nested too deeply"};
    if (peek().kind == Tok::kNot || peek().kind == Tok::kNeg) {
      const Token& op = take();
      need_operand(op);
      auto n = std::make_shared<Query::Node>();
      n->kind = Kind::kNot;
      n->kids = {parse_unary(f, depth + 1)};
      return n;
    }
    return parse_primary(f, depth);
  }

  NodePtr parse_primary(Field f, int depth) {
    const Token& t = peek();
    switch (t.kind) {
      case Tok::kLParen: {
        take();
        if (peek().kind == Tok::kRParen) throw ParseError{peek().col, "empty parentheses"};
        need_operand(t);
        NodePtr n = parse_or(f, depth + 1);
        if (peek().kind != Tok::kRParen)
          throw ParseError{peek().col,
                           "missing ')' to close '(' at position " + std::to_string(t.col)};
        take();
        return n;
      }
      case Tok::kField: {
        const Token& ft = take();
        if (!starts_operand(peek().kind) || peek().kind == Tok::kField)
          throw ParseError{peek().col, "expected a value after '" + ft.text + ":'"};
        Field nf = ft.text == "title"    ? Field::kTitle
                   : ft.text == "source" ? Field::kSource
                                         : Field::kLang;
        if (f != Field::kNone && f != nf)
          throw ParseError{ft.col, "'" + ft.text + ":' inside another field"};
        return parse_primary_or_group(nf, depth + 1);
      }
      case Tok::kWord:
      case Tok::kPhrase: {
        Token tok = take();
        return leaf(tok, f);
      }
      case Tok::kRParen:
        throw ParseError{t.col, "unexpected ')'"};
      case Tok::kEnd:
        throw ParseError{t.col, "unexpected end of query, expected a term"};
      default:
        throw ParseError{t.col, "expected a term before '" + t.text + "'"};
    }
  }

  NodePtr parse_primary_or_group(Field f, int depth) {
    if (peek().kind == Tok::kNot || peek().kind == Tok::kNeg)
      throw ParseError{peek().col, "negate the field instead: -title:word"};
    return parse_primary(f, depth);
  }

  static NodePtr leaf(const Token& t, Field f) {
    auto n = std::make_shared<Query::Node>();
    if (f == Field::kSource || f == Field::kLang) {
      if (t.prefix) throw ParseError{t.col, "no prefix search on source: or lang:"};
      n->kind = f == Field::kSource ? Kind::kSource : Kind::kLang;
      n->value = text::collapse_space(text::normalize(t.text));
      if (n->value.empty()) throw ParseError{t.col, "empty field value"};
      return n;
    }
    n->title_only = f == Field::kTitle;
    n->exact = t.exact;
    std::vector<std::string> w = text::words(t.text);
    if (w.empty()) throw ParseError{t.col, "'" + t.text + "' has no letters or digits"};
    if (t.prefix) {
      if (w.size() > 1) throw ParseError{t.col, "a prefix must be a single word"};
      if (analysis::char_count(w[0]) < 2)
        throw ParseError{t.col, "a prefix needs at least 2 characters"};
      n->kind = Kind::kPrefix;
      n->value = w[0];
      n->keys = {analysis::prefix_key(w[0])};
      n->key = n->keys[0];
      n->words = std::move(w);
      return n;
    }
    n->kind = w.size() == 1 ? Kind::kTerm : Kind::kPhrase;
    n->value = (t.exact ? "=" : "") + (t.kind == Tok::kPhrase ? "\"" + t.text + "\"" : t.text);
    for (const std::string& x : w) n->keys.push_back(analysis::key_hash(x));
    n->key = n->keys[0];
    n->words = std::move(w);
    return n;
  }

  static bool positive(const Query::Node& n) {
    switch (n.kind) {
      case Kind::kNot:
        return false;
      case Kind::kAnd:
        return std::any_of(n.kids.begin(), n.kids.end(),
                           [](const NodePtr& k) { return positive(*k); });
      case Kind::kOr:
        return std::all_of(n.kids.begin(), n.kids.end(),
                           [](const NodePtr& k) { return positive(*k); });
      default:
        return true;
    }
  }

  std::vector<Token> t_;
  std::size_t i_ = 0;
};

}  // namespace

Result<Query> Query::parse(std::string_view text) {
  try {
    Lexer lx(text);
    Parser p(lx.run());
    Query q;
    q.root_ = p.parse();
    q.text_ = std::string(text);
    return q;
  } catch (const ParseError& e) {
    return Error{"position " + std::to_string(e.col) + ": " + e.reason};
  }
}

bool Query::matches(const Document& doc) const {
  if (!root_) return false;
  AnalyzedDoc d(doc);
  return evaluate(*root_, d);
}

const std::string& Query::text() const { return text_; }

Query::Query(const Query&) = default;
Query::Query(Query&&) noexcept = default;
Query& Query::operator=(const Query&) = default;
Query& Query::operator=(Query&&) noexcept = default;
Query::~Query() = default;

}  // namespace rasid::match
