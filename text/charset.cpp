// text/charset.cpp — bytes in any declared or detected charset → valid UTF-8 (ICU ucnv/ucsdet).
#include <unicode/ucnv.h>
#include <unicode/ucnv_cb.h>
#include <unicode/ucsdet.h>
#include <unicode/ustring.h>

#include <algorithm>
#include <array>
#include <map>
#include <memory>
#include <string>

#include "text/text.h"
#include "text/utf8.h"

namespace rasid::text {

namespace {

// Decoded text as every decoder returns it: C0 controls other than \t \n \r dropped (the one
// rule, drop_controls), then valid UTF-8 (sanitize_utf8). Only called on UTF-8 (or on bytes
// being repaired as UTF-8), where a byte below 0x20 is always that control.
std::string utf8_text(std::string_view s) {
  if (!has_controls(s)) return sanitize_utf8(s);
  std::string t(s);
  drop_controls(t);
  return sanitize_utf8(t);
}

std::string lower_trim(std::string_view s) {
  std::size_t b = 0, e = s.size();
  auto ws = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; };
  while (b < e && (ws(s[b]) || s[b] == '"' || s[b] == '\'')) ++b;
  while (e > b && (ws(s[e - 1]) || s[e - 1] == '"' || s[e - 1] == '\'')) --e;
  std::string out = ascii_lower(s.substr(b, e - b));
  return out;
}

struct Label {
  const char* label;
  const char* name;
};

// The WHATWG Encoding Standard's labels (the ones seen in the wild), mapped to ICU names.
constexpr Label kLabels[] = {
    {"unicode-1-1-utf-8", "UTF-8"},
    {"unicode11utf8", "UTF-8"},
    {"unicode20utf8", "UTF-8"},
    {"utf-8", "UTF-8"},
    {"utf8", "UTF-8"},
    {"x-unicode20utf8", "UTF-8"},
    {"866", "IBM866"},
    {"cp866", "IBM866"},
    {"ibm866", "IBM866"},
    {"iso-8859-2", "ISO-8859-2"},
    {"iso8859-2", "ISO-8859-2"},
    {"latin2", "ISO-8859-2"},
    {"iso-8859-3", "ISO-8859-3"},
    {"iso-8859-4", "ISO-8859-4"},
    {"iso-8859-5", "ISO-8859-5"},
    {"cyrillic", "ISO-8859-5"},
    {"arabic", "ISO-8859-6"},
    {"asmo-708", "ISO-8859-6"},
    {"csiso88596e", "ISO-8859-6"},
    {"csiso88596i", "ISO-8859-6"},
    {"csisolatinarabic", "ISO-8859-6"},
    {"ecma-114", "ISO-8859-6"},
    {"iso-8859-6", "ISO-8859-6"},
    {"iso-8859-6-e", "ISO-8859-6"},
    {"iso-8859-6-i", "ISO-8859-6"},
    {"iso-ir-127", "ISO-8859-6"},
    {"iso8859-6", "ISO-8859-6"},
    {"iso88596", "ISO-8859-6"},
    {"iso_8859-6", "ISO-8859-6"},
    {"iso_8859-6:1987", "ISO-8859-6"},
    {"greek", "ISO-8859-7"},
    {"iso-8859-7", "ISO-8859-7"},
    {"hebrew", "ISO-8859-8"},
    {"iso-8859-8", "ISO-8859-8"},
    {"iso-8859-8-i", "ISO-8859-8"},
    {"iso-8859-10", "ISO-8859-10"},
    {"iso-8859-13", "ISO-8859-13"},
    {"iso-8859-14", "ISO-8859-14"},
    {"iso-8859-15", "ISO-8859-15"},
    {"latin9", "ISO-8859-15"},
    {"iso-8859-16", "ISO-8859-16"},
    {"koi8-r", "KOI8-R"},
    {"koi8", "KOI8-R"},
    {"koi8-u", "KOI8-U"},
    {"macintosh", "macintosh"},
    {"mac", "macintosh"},
    {"x-mac-roman", "macintosh"},
    {"x-mac-cyrillic", "x-mac-cyrillic"},
    {"dos-874", "windows-874"},
    {"iso-8859-11", "windows-874"},
    {"tis-620", "windows-874"},
    {"windows-874", "windows-874"},
    {"cp1250", "windows-1250"},
    {"windows-1250", "windows-1250"},
    {"x-cp1250", "windows-1250"},
    {"cp1251", "windows-1251"},
    {"windows-1251", "windows-1251"},
    {"x-cp1251", "windows-1251"},
    {"ansi_x3.4-1968", "windows-1252"},
    {"ascii", "windows-1252"},
    {"cp1252", "windows-1252"},
    {"cp819", "windows-1252"},
    {"csisolatin1", "windows-1252"},
    {"ibm819", "windows-1252"},
    {"iso-8859-1", "windows-1252"},
    {"iso-ir-100", "windows-1252"},
    {"iso8859-1", "windows-1252"},
    {"iso88591", "windows-1252"},
    {"iso_8859-1", "windows-1252"},
    {"iso_8859-1:1987", "windows-1252"},
    {"l1", "windows-1252"},
    {"latin1", "windows-1252"},
    {"us-ascii", "windows-1252"},
    {"windows-1252", "windows-1252"},
    {"x-cp1252", "windows-1252"},
    {"cp1253", "windows-1253"},
    {"windows-1253", "windows-1253"},
    {"cp1254", "windows-1254"},
    {"windows-1254", "windows-1254"},
    {"iso-8859-9", "windows-1254"},
    {"latin5", "windows-1254"},
    {"cp1255", "windows-1255"},
    {"windows-1255", "windows-1255"},
    {"cp1256", "windows-1256"},
    {"windows-1256", "windows-1256"},
    {"x-cp1256", "windows-1256"},
    {"cp1257", "windows-1257"},
    {"windows-1257", "windows-1257"},
    {"cp1258", "windows-1258"},
    {"windows-1258", "windows-1258"},
    {"chinese", "GBK"},
    {"csgb2312", "GBK"},
    {"csiso58gb231280", "GBK"},
    {"gb2312", "GBK"},
    {"gb_2312", "GBK"},
    {"gb_2312-80", "GBK"},
    {"gbk", "GBK"},
    {"iso-ir-58", "GBK"},
    {"x-gbk", "GBK"},
    {"gb18030", "GB18030"},
    {"big5", "Big5"},
    {"big5-hkscs", "Big5-HKSCS"},
    {"cn-big5", "Big5"},
    {"csbig5", "Big5"},
    {"x-x-big5", "Big5"},
    {"cseucpkdfmtjapanese", "EUC-JP"},
    {"euc-jp", "EUC-JP"},
    {"x-euc-jp", "EUC-JP"},
    {"csiso2022jp", "ISO-2022-JP"},
    {"iso-2022-jp", "ISO-2022-JP"},
    {"csshiftjis", "Shift_JIS"},
    {"ms932", "Shift_JIS"},
    {"ms_kanji", "Shift_JIS"},
    {"shift-jis", "Shift_JIS"},
    {"shift_jis", "Shift_JIS"},
    {"sjis", "Shift_JIS"},
    {"windows-31j", "Shift_JIS"},
    {"x-sjis", "Shift_JIS"},
    {"cseuckr", "windows-949"},
    {"csksc56011987", "windows-949"},
    {"euc-kr", "windows-949"},
    {"iso-ir-149", "windows-949"},
    {"korean", "windows-949"},
    {"ks_c_5601-1987", "windows-949"},
    {"ks_c_5601-1989", "windows-949"},
    {"ksc5601", "windows-949"},
    {"ksc_5601", "windows-949"},
    {"windows-949", "windows-949"},
    {"unicodefffe", "UTF-16BE"},
    {"utf-16be", "UTF-16BE"},
    {"csunicode", "UTF-16LE"},
    {"iso-10646-ucs-2", "UTF-16LE"},
    {"ucs-2", "UTF-16LE"},
    {"unicode", "UTF-16LE"},
    {"unicodefeff", "UTF-16LE"},
    {"utf-16", "UTF-16LE"},
    {"utf-16le", "UTF-16LE"},
};

// ---- conversion --------------------------------------------------------------------------------

struct ConvCloser {
  void operator()(UConverter* c) const { ucnv_close(c); }
};

UConverter* converter(const std::string& name) {
  thread_local std::map<std::string, std::unique_ptr<UConverter, ConvCloser>> cache;
  auto it = cache.find(name);
  if (it == cache.end()) {
    UErrorCode st = U_ZERO_ERROR;
    UConverter* c = ucnv_open(name.c_str(), &st);
    if (U_FAILURE(st)) c = nullptr;
    it = cache.emplace(name, std::unique_ptr<UConverter, ConvCloser>(c)).first;
  }
  if (it->second) ucnv_reset(it->second.get());
  return it->second.get();
}

struct ErrCount {
  std::size_t n = 0;
};

void count_and_substitute(const void* ctx, UConverterToUnicodeArgs* args, const char* units,
                          int32_t length, UConverterCallbackReason reason, UErrorCode* err) {
  if (reason == UCNV_ILLEGAL || reason == UCNV_IRREGULAR || reason == UCNV_UNASSIGNED) {
    ++const_cast<ErrCount*>(static_cast<const ErrCount*>(ctx))->n;
    static const UChar kFFFD = 0xFFFD;
    *err = U_ZERO_ERROR;
    ucnv_cbToUWriteUChars(args, &kFFFD, 1, 0, err);
    return;
  }
  (void)units;
  (void)length;
}

// Converts with ICU; `errors` receives the number of invalid/unmapped sequences.
bool convert(std::string_view bytes, const std::string& name, std::string& out,
             std::size_t& errors) {
  UConverter* c = converter(name);
  if (c == nullptr) return false;
  ErrCount count;
  UErrorCode st = U_ZERO_ERROR;
  ucnv_setToUCallBack(c, count_and_substitute, &count, nullptr, nullptr, &st);
  if (U_FAILURE(st)) return false;
  std::u16string u16(bytes.size() * 2 + 16, u'\0');
  st = U_ZERO_ERROR;
  int32_t n = ucnv_toUChars(c, u16.data(), static_cast<int32_t>(u16.size()), bytes.data(),
                            static_cast<int32_t>(bytes.size()), &st);
  if (st == U_BUFFER_OVERFLOW_ERROR) {
    u16.assign(static_cast<std::size_t>(n) + 1, u'\0');
    st = U_ZERO_ERROR;
    count.n = 0;
    ucnv_reset(c);
    n = ucnv_toUChars(c, u16.data(), static_cast<int32_t>(u16.size()), bytes.data(),
                      static_cast<int32_t>(bytes.size()), &st);
  }
  if (U_FAILURE(st)) return false;
  u16.resize(static_cast<std::size_t>(n));
  // UTF-16 → UTF-8 by ICU; a lone surrogate becomes U+FFFD.
  std::string utf8(u16.size() * 3 + 1, '\0');
  int32_t len = 0;
  st = U_ZERO_ERROR;
  u_strToUTF8WithSub(utf8.data(), static_cast<int32_t>(utf8.size()), &len, u16.data(), n, 0xFFFD,
                     nullptr, &st);
  if (U_FAILURE(st)) return false;
  utf8.resize(static_cast<std::size_t>(len));
  out = utf8_text(utf8);
  errors = count.n;
  return true;
}

std::size_t utf8_errors(std::string_view s, std::size_t& non_ascii_seqs) {
  std::size_t errs = 0;
  non_ascii_seqs = 0;
  for (std::size_t i = 0; i < s.size();) {
    if (static_cast<unsigned char>(s[i]) < 0x80) {
      ++i;
      continue;
    }
    std::size_t len;
    if (detail::decode_one(s, i, len) < 0) {
      ++errs;
    } else {
      ++non_ascii_seqs;
    }
    i += len;
  }
  return errs;
}

// ---- declarations --------------------------------------------------------------------------

// The value after "charset=" in a Content-Type-like string; "" when absent.
std::string charset_param(std::string_view v) {
  std::string low = ascii_lower(v);
  std::size_t p = low.find("charset");
  while (p != std::string::npos) {
    std::size_t q = p + 7;
    while (q < low.size() && (low[q] == ' ' || low[q] == '\t')) ++q;
    if (q < low.size() && low[q] == '=') {
      ++q;
      while (q < low.size() && (low[q] == ' ' || low[q] == '\t')) ++q;
      char quote = 0;
      if (q < low.size() && (low[q] == '"' || low[q] == '\'')) quote = low[q++];
      std::size_t e = q;
      while (e < low.size() && low[e] != quote && low[e] != ';' && low[e] != ',' && low[e] != ' ' &&
             low[e] != '>' && low[e] != '/' && (quote || low[e] != '"') && low[e] != '\'')
        ++e;
      return low.substr(q, e - q);
    }
    p = low.find("charset", p + 7);
  }
  return {};
}

std::string xml_encoding(std::string_view bytes) {
  if (bytes.substr(0, 5) != "<?xml") return {};
  std::size_t end = bytes.find("?>");
  if (end == std::string_view::npos || end > 1024) return {};
  std::string decl = ascii_lower(bytes.substr(0, end));
  std::size_t p = decl.find("encoding");
  if (p == std::string::npos) return {};
  p = decl.find_first_of("\"'", p);
  if (p == std::string::npos) return {};
  std::size_t e = decl.find(decl[p], p + 1);
  if (e == std::string::npos) return {};
  return decl.substr(p + 1, e - p - 1);
}

// <meta charset=…> or <meta http-equiv="content-type" content="…; charset=…"> in the first 4 KiB.
std::string meta_charset(std::string_view bytes) {
  std::string head = ascii_lower(bytes.substr(0, 4096));
  std::size_t p = 0;
  while ((p = head.find("<meta", p)) != std::string::npos) {
    std::size_t e = head.find('>', p);
    if (e == std::string::npos) e = head.size();
    std::string_view tag(head.data() + p, e - p);
    std::string cs = charset_param(tag);
    if (!cs.empty()) return cs;
    p = e;
  }
  return {};
}

bool is_utf16(const std::string& name) { return name == "UTF-16LE" || name == "UTF-16BE"; }

struct Detection {
  std::string name;
  int confidence = 0;
};

Detection detect(std::string_view bytes) {
  Detection d;
  UErrorCode st = U_ZERO_ERROR;
  thread_local std::unique_ptr<UCharsetDetector, void (*)(UCharsetDetector*)> det(ucsdet_open(&st),
                                                                                  ucsdet_close);
  if (!det) return d;
  st = U_ZERO_ERROR;
  // Detection looks at the start only; 64 KiB is plenty and bounds the cost.
  std::string_view sample = bytes.substr(0, 65536);
  ucsdet_setText(det.get(), sample.data(), static_cast<int32_t>(sample.size()), &st);
  ucsdet_enableInputFilter(det.get(), true);  // skip markup
  const UCharsetMatch* m = ucsdet_detect(det.get(), &st);
  if (U_FAILURE(st) || m == nullptr) return d;
  const char* name = ucsdet_getName(m, &st);
  if (U_FAILURE(st) || name == nullptr) return d;
  d.name = canonical_charset(name);
  if (d.name.empty()) d.name = name;
  d.confidence = ucsdet_getConfidence(m, &st);
  return d;
}

bool is_latin1ish(const std::string& n) { return n == "windows-1252"; }
bool is_arabic_legacy(const std::string& n) { return n == "windows-1256" || n == "ISO-8859-6"; }

}  // namespace

std::string canonical_charset(std::string_view label) {
  std::string l = lower_trim(label);
  if (l.empty()) return {};
  for (const Label& e : kLabels) {
    if (l == e.label) return e.name;
  }
  return {};
}

bool is_single_byte(const std::string& icu_name) {
  UConverter* c = converter(icu_name);
  return c != nullptr && ucnv_getMaxCharSize(c) == 1;
}

std::string to_utf8(std::string_view bytes, std::string_view charset_label) {
  std::string name = canonical_charset(charset_label);
  if (name.empty() || name == "UTF-8") {
    if (bytes.substr(0, 3) == "\xEF\xBB\xBF") bytes.remove_prefix(3);
    return utf8_text(bytes);
  }
  std::string out;
  std::size_t errors = 0;
  if (!convert(bytes, name, out, errors)) return utf8_text(bytes);
  return out;
}

std::string decode_as(std::string_view bytes, const std::string& icu_name) {
  std::string out;
  std::size_t errors = 0;
  if (!convert(bytes, icu_name, out, errors)) return utf8_text(bytes);
  return out;
}

Decoded decode(std::string_view bytes, std::string_view content_type) {
  Decoded d;
  // 1. Byte order mark.
  if (bytes.substr(0, 3) == "\xEF\xBB\xBF") {
    d.utf8 = utf8_text(bytes.substr(3));
    d.charset = "UTF-8";
    d.how = "bom";
    return d;
  }
  if (bytes.size() >= 2 && (bytes.substr(0, 2) == "\xFE\xFF" || bytes.substr(0, 2) == "\xFF\xFE")) {
    d.charset = bytes[0] == '\xFE' ? "UTF-16BE" : "UTF-16LE";
    std::size_t errors = 0;
    if (!convert(bytes.substr(2), d.charset, d.utf8, errors)) d.utf8 = utf8_text(bytes);
    d.how = "bom";
    return d;
  }

  // 2-4. Declarations, in order of authority.
  std::string declared, how;
  if (std::string cs = canonical_charset(charset_param(content_type)); !cs.empty()) {
    declared = cs;
    how = "http";
  } else if (cs = canonical_charset(xml_encoding(bytes)); !cs.empty()) {
    declared = cs;
    how = "xml";
  } else if (cs = canonical_charset(meta_charset(bytes)); !cs.empty()) {
    declared = cs;
    how = "meta";
    if (is_utf16(declared)) declared = "UTF-8";  // WHATWG: a meta can't declare UTF-16
  }

  std::size_t non_ascii = 0;
  const std::size_t utf8_errs = utf8_errors(bytes, non_ascii);
  const bool valid_utf8 = utf8_errs == 0;
  const std::size_t high_bytes = static_cast<std::size_t>(
      std::count_if(bytes.begin(), bytes.end(), [](char c) { return (c & 0x80) != 0; }));

  auto finish_utf8 = [&](const char* h) {
    d.utf8 = utf8_text(bytes);
    d.charset = "UTF-8";
    d.how = h;
    return d;
  };

  if (!declared.empty()) {
    if (declared == "UTF-8") {
      // Many invalid sequences: the declaration is wrong when detection finds something better.
      const bool many = utf8_errs >= 4 && utf8_errs * 10 >= (utf8_errs + non_ascii);
      if (many) {
        Detection det = detect(bytes);
        if (!det.name.empty() && det.name != "UTF-8" && det.confidence >= 20) {
          std::size_t errors = 0;
          if (convert(bytes, det.name, d.utf8, errors)) {
            d.charset = det.name;
            d.how = "detected";
            return d;
          }
        }
      }
      return finish_utf8(how.c_str());
    }
    // A legacy declaration over bytes that are valid, non-trivial UTF-8: legacy text is almost
    // never valid UTF-8 by accident, so trust the bytes.
    if (valid_utf8 && non_ascii >= 2 && !is_utf16(declared)) return finish_utf8("detected");
    std::size_t errors = 0;
    std::string out;
    if (convert(bytes, declared, out, errors)) {
      // latin1 declared over Arabic bytes is a common misconfiguration of Arabic sites.
      if (is_latin1ish(declared) && high_bytes >= 8) {
        Detection det = detect(bytes);
        if (is_arabic_legacy(det.name) && det.confidence >= 40) {
          std::size_t e2 = 0;
          if (convert(bytes, det.name, d.utf8, e2)) {
            d.charset = det.name;
            d.how = "detected";
            return d;
          }
        }
      }
      // Many errors under the declared charset: try detection.
      if (errors >= 4 && errors * 10 >= high_bytes) {
        Detection det = detect(bytes);
        if (!det.name.empty() && det.name != declared && det.confidence >= 30) {
          std::size_t e2 = 0;
          std::string alt;
          if (convert(bytes, det.name, alt, e2) && e2 < errors) {
            d.utf8 = std::move(alt);
            d.charset = det.name;
            d.how = "detected";
            return d;
          }
        }
      }
      d.utf8 = std::move(out);
      d.charset = declared;
      d.how = how;
      return d;
    }
  }

  // 5. Nothing (usable) declared.
  if (valid_utf8) return finish_utf8(non_ascii == 0 ? "default" : "detected");
  Detection det = detect(bytes);
  if (!det.name.empty() && det.name != "UTF-8") {
    std::size_t errors = 0;
    if (convert(bytes, det.name, d.utf8, errors)) {
      d.charset = det.name;
      d.how = "detected";
      return d;
    }
  }
  return finish_utf8("default");
}

}  // namespace rasid::text
