#include "config/toml_guard.h"

namespace rasid::config {
namespace {

bool is_terminator(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f' || c == ']' ||
         c == '}' || c == ',' || c == '#';
}
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool non_ascii(char c) { return static_cast<unsigned char>(c) >= 0x80; }
bool bare_key_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '_' || c == '-';
}

// Case 3: a table header whose key does not start with a key character (`[!`, `[[#`, `[` + EOL):
// parse_key() assumes it does.
bool bad_table_header(std::string_view s, size_t i) {
  ++i;  // '['
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
  if (i < s.size() && s[i] == '[') ++i;
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
  if (i >= s.size()) return false;
  char c = s[i];
  return !(bare_key_char(c) || c == '"' || c == '\'' || c == ']');
}

// A 10-character value shaped like dddd-??-?? (underscores do not count): toml++ decides from
// "traits" that other characters (letters, quotes, ...) do not change, so all such values count.
bool date_shape(std::string_view s, size_t begin, size_t end) {
  std::string chars;
  for (size_t i = begin; i < end; ++i)
    if (s[i] != '_') chars += s[i];
  return chars.size() == 10 && is_digit(chars[0]) && chars[4] == '-' && chars[7] == '-';
}

// Case 4: `1979-05-27T)…`: parse_date_time() assumes a digit after the 'T'.
bool date_t_without_time(std::string_view tok) {
  if (tok.size() < 11) return false;
  for (size_t k = 0; k < 10; ++k) {
    bool dash = k == 4 || k == 7;
    if (dash ? tok[k] != '-' : !is_digit(tok[k])) return false;
  }
  if (tok[10] != 'T' && tok[10] != 't') return false;
  return tok.size() == 11 || !is_digit(tok[11]);
}

}  // namespace

std::optional<GuardError> guard_toml(std::string_view s) {
  enum class State { normal, comment, basic, multi_basic, literal, multi_literal };
  State st = State::normal;
  int line = 1;
  std::string open;           // unclosed [ and { (values and headers), to tell headers from arrays
  bool line_start = true;     // only whitespace so far on this line (in normal state)
  bool expect_value = false;  // after '=', or '[' / ',' in an array: a value comes next
  auto fail = [&](std::string reason) { return GuardError{line, std::move(reason)}; };
  size_t i = s.starts_with("\xef\xbb\xbf") ? 3 : 0;  // a leading BOM is fine
  while (i < s.size()) {
    char c = s[i];
    if (c == '\n') {
      ++line;
      if (st == State::comment || st == State::basic || st == State::literal) st = State::normal;
      line_start = st == State::normal;
      ++i;
      continue;
    }
    switch (st) {
      case State::comment:
        ++i;
        break;
      case State::normal: {
        if (c == '[' && open.empty() && line_start && bad_table_header(s, i))
          return fail("malformed table header: a key must follow '[' on the same line");
        const bool at_line_start = line_start;
        if (c != ' ' && c != '\t' && c != '\r') line_start = false;
        if (c == ' ' || c == '\t' || c == '\r') {
          ++i;
          break;
        }
        if (c == '#') {
          st = State::comment;
          ++i;
          break;
        }
        const bool value = expect_value;
        expect_value = false;
        if (c == '[') {
          // a table header at line start outside any value, else an array value
          bool header = open.empty() && at_line_start && !value;
          open.push_back(header ? 'h' : '[');
          expect_value = !header;
          ++i;
        } else if (c == '{') {
          open.push_back('{');
          ++i;
        } else if (c == ']' || c == '}') {
          // Case 5: `[}` / `[1, }`: parse_array() hands the '}' to parse_value(), which assumes
          // it is not a terminator. A bracket closing the other kind is always invalid TOML.
          if (!open.empty() && (c == '}') != (open.back() == '{'))
            return fail(std::string("mismatched '") + c + "'");
          if (!open.empty()) open.pop_back();
          ++i;
        } else if (c == '=') {
          expect_value = true;
          ++i;
        } else if (c == ',') {
          expect_value = !open.empty() && open.back() == '[';
          ++i;
        } else if (s.substr(i, 3) == "\"\"\"") {
          st = State::multi_basic;
          i += 3;
        } else if (c == '"') {
          st = State::basic;
          ++i;
        } else if (s.substr(i, 3) == "'''") {
          st = State::multi_literal;
          i += 3;
        } else if (c == '\'') {
          st = State::literal;
          ++i;
        } else if (non_ascii(c)) {
          return fail("non-ASCII character outside a string or comment (put text in quotes)");
        } else {
          // A bare value runs, as toml++ scans it, up to the next terminator whatever is in
          // between (`19'é'` is one value, the quote opens no string). A bare key stops at
          // '=', '.', quotes and brackets.
          size_t end = i;
          while (end < s.size() && !is_terminator(s[end]) &&
                 (value || (s[end] != '=' && s[end] != '"' && s[end] != '\'' && s[end] != '[' &&
                            s[end] != '{'))) {
            if (non_ascii(s[end]))
              return fail("non-ASCII character outside a string or comment (put text in quotes)");
            ++end;
          }
          if (is_digit(c)) {
            size_t vend = i;
            while (vend < s.size() && !is_terminator(s[vend])) ++vend;
            if (date_shape(s, i, vend) && vend + 1 < s.size() && s[vend] == ' ' &&
                is_digit(s[vend + 1])) {
              // Case 1: `dddd-dd-dd d<terminator>`: parse_value() re-scans past the terminator.
              if (vend + 2 < s.size() && is_terminator(s[vend + 2]))
                return fail(
                    "malformed date-time (a date, a space and a single digit); write "
                    "YYYY-MM-DDTHH:MM:SS or quote it");
              // Otherwise toml++ scans on past the space as one date-time value.
              size_t j = vend + 1;
              while (j < s.size() && !is_terminator(s[j])) {
                if (non_ascii(s[j]))
                  return fail(
                      "non-ASCII character outside a string or comment (put text in quotes)");
                ++j;
              }
              end = j;
            }
            if (date_t_without_time(s.substr(i, vend - i)))
              return fail("malformed date-time (no time after 'T'); write YYYY-MM-DDTHH:MM:SS");
          }
          i = end > i ? end : i + 1;  // a lone terminator (\v, \f) is one character
        }
        break;
      }
      case State::basic:
      case State::multi_basic:
        if (c == '\\') {
          if (i + 1 < s.size() && non_ascii(s[i + 1]))
            return fail("invalid escape: a backslash followed by a non-ASCII character");
          if (st == State::multi_basic) {
            // line-ending backslash: toml++ classifies what follows as whitespace or not
            size_t j = i + 1;
            while (j < s.size() && (s[j] == ' ' || s[j] == '\t' || s[j] == '\r' || s[j] == '\n'))
              ++j;
            if (j > i + 1 && j < s.size() && non_ascii(s[j]))
              return fail(
                  "a line-ending backslash followed by a non-ASCII character; start the next line "
                  "with an ASCII character");
            if (j > i + 1) {
              for (size_t k = i + 1; k < j; ++k)
                if (s[k] == '\n') ++line;
              i = j;
              break;
            }
          }
          i += 2;  // skips the escaped character (an escaped quote does not close)
          if (i > s.size()) i = s.size();
          if (s[i - 1] == '\n') ++line;
        } else if (st == State::multi_basic && s.substr(i, 3) == "\"\"\"") {
          // up to two more quotes may belong to the string ("""a"""""")
          i += 3;
          while (i < s.size() && s[i] == '"') ++i;
          st = State::normal;
        } else if (st == State::basic && c == '"') {
          st = State::normal;
          ++i;
        } else {
          ++i;
        }
        break;
      case State::literal:
        if (c == '\'') st = State::normal;
        ++i;
        break;
      case State::multi_literal:
        if (s.substr(i, 3) == "'''") {
          i += 3;
          while (i < s.size() && s[i] == '\'') ++i;
          st = State::normal;
        } else {
          ++i;
        }
        break;
    }
  }
  return std::nullopt;
}

}  // namespace rasid::config
