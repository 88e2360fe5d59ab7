// clean/template.cpp — site templates learned from repetition (contract: clean/template.h).
#include "clean/template.h"

#include <algorithm>
#include <cstring>
#include <unordered_set>

#include "clean/dom.h"
#include "clean/prestrip.h"
#include "clean/textutil.h"
#include "text/text.h"

namespace rasid::clean {

namespace {

// Elements the extractor treats as blocks (a line ends where one begins or ends), and elements
// whose text is never page text. Kept in step with the extractor's tag table: a name missing
// here only makes a line longer, so it matches no paragraph and nothing is removed.
bool is_block_name(std::string_view n) {
  static const std::unordered_set<std::string_view> blocks = {
      "p",       "div",     "section",    "article", "main",    "body",   "html",   "h1",
      "h2",      "h3",      "h4",         "h5",      "h6",      "li",     "ul",     "ol",
      "dl",      "menu",    "table",      "tbody",   "thead",   "tfoot",  "tr",     "td",
      "th",      "pre",     "blockquote", "figure",  "caption", "header", "footer", "aside",
      "nav",     "form",    "dd",         "dt",      "address", "center", "hgroup", "fieldset",
      "details", "summary", "hr",         "dir"};
  return blocks.count(n) > 0;
}

bool is_skipped_name(std::string_view n) {
  static const std::unordered_set<std::string_view> skipped = {
      "script",  "style",    "noscript", "template", "iframe", "frame",  "frameset",
      "object",  "embed",    "applet",   "svg",      "math",   "canvas", "button",
      "input",   "select",   "textarea", "label",    "head",   "title",  "meta",
      "link",    "dialog",   "map",      "audio",    "video",  "source", "track",
      "picture", "datalist", "output",   "progress", "meter",  "option", "figcaption"};
  return skipped.count(n) > 0;
}

constexpr std::uint32_t kShortLineWords = 12;

// Splits a short line at the separators sites put between a name and a section.
std::vector<std::string_view> segments(std::string_view s) {
  static const std::string_view seps[] = {" - ", " | ", " \xE2\x80\x93 ", " \xE2\x80\x94 ",
                                          " \xC2\xB7 "};
  std::vector<std::string_view> out;
  std::size_t start = 0;
  std::size_t i = 0;
  while (i < s.size()) {
    std::size_t hit = 0;
    for (auto sep : seps)
      if (s.compare(i, sep.size(), sep) == 0) {
        hit = sep.size();
        break;
      }
    if (hit == 0) {
      ++i;
      continue;
    }
    out.push_back(s.substr(start, i - start));
    i += hit;
    start = i;
  }
  out.push_back(s.substr(start));
  return out;
}

class Observer {
 public:
  explicit Observer(PageSample& out) : out_(out) {}

  void node(const xmlNode* c) {
    if (out_.lines.size() >= kMaxLines) return;
    if (dom::is_text(c)) {
      util::append_collapsed(cur_, dom::content(c));
      return;
    }
    if (!dom::is_element(c)) return;
    std::string_view n = dom::name(c);
    if (is_skipped_name(n)) return;
    if (n == "br") {
      flush();
      return;
    }
    if (!is_block_name(n)) {  // inline: its text belongs to the current line
      children(c);
      return;
    }
    flush();
    std::size_t len = path_.size();
    path_ += '/';
    path_ += n;
    children(c);
    flush();
    path_.resize(len);
  }

  void flush() {
    util::trim_right(cur_);
    if (cur_.empty()) return;
    PageSample::Line line;
    line.words = static_cast<std::uint32_t>(util::count(cur_).words);
    std::string norm = text::normalize(cur_);
    line.text = text::fnv1a64(norm);
    line.key = text::fnv1a64(path_ + '\x1f' + norm);
    if (line.words <= kShortLineWords) {
      auto segs = segments(cur_);
      if (segs.size() >= 2) {
        auto seg_key = [&](std::string_view seg) -> std::uint64_t {
          std::string t = util::collapse(seg);
          if (t.empty()) return 0;
          return text::fnv1a64(path_ + '\x1e' + text::normalize(t));
        };
        line.first_seg = seg_key(segs.front());
        line.last_seg = seg_key(segs.back());
      }
    }
    out_.lines.push_back(line);
    cur_.clear();
  }

 private:
  void children(const xmlNode* x) {
    for (const xmlNode* c = x->children; c != nullptr; c = c->next) node(c);
  }

  PageSample& out_;
  std::string path_;
  std::string cur_;
};

void put64(std::string& out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void put32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
bool get64(std::string_view s, std::size_t& at, std::uint64_t& v) {
  if (at > s.size() || s.size() - at < 8) return false;
  v = 0;
  for (int i = 0; i < 8; ++i)
    v |= static_cast<std::uint64_t>(static_cast<unsigned char>(s[at + i])) << (8 * i);
  at += 8;
  return true;
}
bool get32(std::string_view s, std::size_t& at, std::uint32_t& v) {
  if (at > s.size() || s.size() - at < 4) return false;
  v = 0;
  for (int i = 0; i < 4; ++i)
    v |= static_cast<std::uint32_t>(static_cast<unsigned char>(s[at + i])) << (8 * i);
  at += 4;
  return true;
}

constexpr std::string_view kMagic = "RSTM\x01";

}  // namespace

std::vector<std::uint64_t> PageSample::keys() const {
  std::vector<std::uint64_t> k;
  k.reserve(lines.size() * 2);
  for (const auto& l : lines) {
    k.push_back(l.key);
    if (l.first_seg) k.push_back(l.first_seg);
    if (l.last_seg) k.push_back(l.last_seg);
  }
  std::sort(k.begin(), k.end());
  k.erase(std::unique(k.begin(), k.end()), k.end());
  return k;
}

PageSample observe(const parse::Html& page, std::uint64_t page_id) {
  PageSample s;
  s.page = page_id;
  if (const xmlNode* root = page.root()) {
    Observer o(s);
    o.node(root);
    o.flush();
  }
  return s;
}

Result<Observed> extract_observed(std::string_view bytes, std::string_view url,
                                  std::string_view content_type, const Rules& rules) {
  try {
    auto page = read_page(bytes, url, content_type);
    if (!page.ok()) return Error{page.error()};
    auto art = extract(page.value(), rules);
    if (!art.ok()) return Error{art.error()};
    Observed o;
    o.article = std::move(art).value();
    std::uint64_t id = o.article.canonical.empty()
                           ? text::fnv1a64(std::string(url) + '\x1f' + o.article.text())
                           : text::fnv1a64(o.article.canonical);
    o.sample = observe(page.value(), id);
    return o;
  } catch (const std::exception& ex) {
    return Error{std::string("clean: ") + ex.what()};
  }
}

void SiteTemplate::forget(const Page& p) {
  for (std::uint64_t k : p.keys) {
    auto it = counts_.find(k);
    if (it == counts_.end()) continue;
    if (--it->second == 0) counts_.erase(it);
  }
}

void SiteTemplate::learn(const PageSample& sample) {
  for (auto it = window_.begin(); it != window_.end(); ++it)
    if (it->id == sample.page) {
      forget(*it);
      window_.erase(it);
      break;
    }
  Page p;
  p.id = sample.page;
  p.keys = sample.keys();
  for (std::uint64_t k : p.keys) ++counts_[k];
  window_.push_back(std::move(p));
  while (window_.size() > kWindow) {
    forget(window_.front());
    window_.pop_front();
  }
}

bool SiteTemplate::chrome(std::uint64_t key, std::uint32_t words) const {
  const std::size_t n = window_.size();
  if (n < kMinPages || key == 0) return false;
  auto it = counts_.find(key);
  if (it == counts_.end()) return false;
  // 40% of the window for any line, 20% for a short one; never fewer than 3 pages.
  std::size_t need = words <= kShortLineWords ? (n * 2 + 9) / 10 : (n * 4 + 9) / 10;
  need = std::max<std::size_t>(need, kMinPages);
  return it->second >= need;
}

std::vector<std::string> SiteTemplate::apply(const PageSample& sample,
                                             std::vector<std::string> paragraphs,
                                             std::vector<std::string>* removed) const {
  if (window_.size() < kMinPages || paragraphs.empty()) return paragraphs;
  std::vector<bool> drop(paragraphs.size(), false);
  std::size_t dropped = 0;
  for (std::size_t i = 0; i < paragraphs.size(); ++i) {
    std::uint64_t h = text::fnv1a64(text::normalize(paragraphs[i]));
    for (const auto& l : sample.lines) {
      if (l.text != h) continue;
      bool seg = l.words <= kShortLineWords &&
                 (chrome(l.first_seg, l.words) || chrome(l.last_seg, l.words));
      if (chrome(l.key, l.words) || seg) {
        drop[i] = true;
        ++dropped;
        break;
      }
    }
  }
  if (dropped == 0 || dropped == paragraphs.size()) return paragraphs;  // never empty
  std::vector<std::string> out;
  out.reserve(paragraphs.size() - dropped);
  for (std::size_t i = 0; i < paragraphs.size(); ++i) {
    if (!drop[i]) {
      out.push_back(std::move(paragraphs[i]));
    } else if (removed) {
      removed->push_back(std::move(paragraphs[i]));
    }
  }
  return out;
}

std::string SiteTemplate::serialize() const {
  std::string out(kMagic);
  put32(out, static_cast<std::uint32_t>(window_.size()));
  for (const auto& p : window_) {
    put64(out, p.id);
    put32(out, static_cast<std::uint32_t>(p.keys.size()));
    for (std::uint64_t k : p.keys) put64(out, k);
  }
  return out;
}

Result<SiteTemplate> SiteTemplate::deserialize(std::string_view bytes) {
  if (bytes.substr(0, kMagic.size()) != kMagic) return Error{"template: not a site template"};
  std::size_t at = kMagic.size();
  std::uint32_t n = 0;
  if (!get32(bytes, at, n) || n > kWindow * 4) return Error{"template: bad page count"};
  SiteTemplate t;
  for (std::uint32_t i = 0; i < n; ++i) {
    PageSample s;
    std::uint32_t k = 0;
    if (!get64(bytes, at, s.page) || !get32(bytes, at, k) || k > kMaxLines * 3 ||
        (bytes.size() - at) / 8 < k)
      return Error{"template: truncated"};
    Page p;
    p.id = s.page;
    p.keys.resize(k);
    for (auto& key : p.keys) get64(bytes, at, key);
    std::sort(p.keys.begin(), p.keys.end());
    p.keys.erase(std::unique(p.keys.begin(), p.keys.end()), p.keys.end());
    for (std::uint64_t key : p.keys) ++t.counts_[key];
    t.window_.push_back(std::move(p));
  }
  if (at != bytes.size()) return Error{"template: trailing bytes"};
  while (t.window_.size() > kWindow) {
    t.forget(t.window_.front());
    t.window_.pop_front();
  }
  return t;
}

}  // namespace rasid::clean
