// match/snippet.cpp — a window of text around the first hits, with the hits marked.
#include <algorithm>

#include "match/matcher.h"

namespace rasid::match {

namespace {

bool is_cont(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// Byte offset `chars` characters after `from` (or the end).
std::size_t advance(std::string_view s, std::size_t from, std::size_t chars) {
  std::size_t i = from;
  while (i < s.size() && chars > 0) {
    ++i;
    while (i < s.size() && is_cont(s[i])) ++i;
    --chars;
  }
  return i;
}

// Byte offset `chars` characters before `from` (or 0).
std::size_t retreat(std::string_view s, std::size_t from, std::size_t chars) {
  std::size_t i = from;
  while (i > 0 && chars > 0) {
    --i;
    while (i > 0 && is_cont(s[i])) --i;
    --chars;
  }
  return i;
}

bool is_space(char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\r'; }

}  // namespace

std::string snippet(std::string_view text, const std::vector<Hit>& hits_in, std::size_t max_chars,
                    std::string_view open, std::string_view close) {
  std::vector<Hit> hits;
  for (const Hit& h : hits_in) {
    if (h.begin < h.end && h.end <= text.size() && !is_cont(text[h.begin]) &&
        (h.end == text.size() || !is_cont(text[h.end])))
      hits.push_back(h);
  }
  std::sort(hits.begin(), hits.end(), [](const Hit& a, const Hit& b) { return a.begin < b.begin; });
  if (max_chars == 0) return {};

  // Window: start a third of the budget before the first hit, on a word boundary.
  std::size_t start = 0;
  if (!hits.empty()) {
    start = retreat(text, hits[0].begin, max_chars / 3);
    if (start > 0) {
      while (start < hits[0].begin && !is_space(text[start - 1])) ++start;
    }
  }
  while (start < text.size() && is_space(text[start])) ++start;
  std::size_t end = advance(text, start, max_chars);
  if (end < text.size()) {
    // Cut back to the last space, unless that would drop the whole window.
    std::size_t e = end;
    while (e > start && !is_space(text[e])) --e;
    if (e > start) end = e;
  }
  while (end > start && is_space(text[end - 1])) --end;

  std::string out;
  if (start > 0) out += "…";
  std::size_t at = start;
  for (const Hit& h : hits) {
    if (h.begin < at) continue;  // overlapping hit
    if (h.end > end) break;
    out.append(text.substr(at, h.begin - at));
    out.append(open);
    out.append(text.substr(h.begin, h.end - h.begin));
    out.append(close);
    at = h.end;
  }
  out.append(text.substr(at, end - at));
  if (end < text.size()) out += "…";
  return out;
}

}  // namespace rasid::match
