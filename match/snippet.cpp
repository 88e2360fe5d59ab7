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

std::vector<MatchedForm> matched_forms(const Document& doc, const TopicMatch& m) {
  std::vector<MatchedForm> out;
  for (const Hit& h : m.hits) {
    const std::string& text = h.in_title ? doc.title : doc.body;
    if (h.begin >= h.end || h.end > text.size()) continue;
    std::string form = text.substr(h.begin, h.end - h.begin);
    bool found = false;
    for (auto& f : out) {
      if (f.term == h.term && f.form == form) {
        ++f.count;
        found = true;
        break;
      }
    }
    if (!found) out.push_back({h.term, std::move(form), 1});
  }
  // Each term's forms together, terms in order of first appearance.
  std::vector<std::string> order;
  for (const auto& f : out)
    if (std::find(order.begin(), order.end(), f.term) == order.end()) order.push_back(f.term);
  std::stable_sort(out.begin(), out.end(), [&](const MatchedForm& a, const MatchedForm& b) {
    return std::find(order.begin(), order.end(), a.term) <
           std::find(order.begin(), order.end(), b.term);
  });
  return out;
}

std::string format_forms(const std::vector<MatchedForm>& forms, std::size_t max_chars) {
  std::string out;
  for (std::size_t i = 0; i < forms.size(); ++i) {
    std::string entry;
    const bool same_term = i > 0 && forms[i - 1].term == forms[i].term;
    if (i > 0) entry += same_term ? ", " : "; ";
    if (!same_term) entry += forms[i].term + ": ";
    entry += forms[i].form;
    if (forms[i].count > 1) entry += " ×" + std::to_string(forms[i].count);
    if (out.size() + entry.size() > max_chars) {
      out += " …";
      break;
    }
    out += entry;
  }
  return out;
}

}  // namespace rasid::match
