// text/text.h — the contract of the text module: Arabic-aware normalization, word segmentation,
// UTF-8 hygiene and charset decoding. Every other module sees text only through these functions.
//
// All functions are pure and thread-safe (ICU objects are created per call or per thread).
// Input that is not valid UTF-8 never produces invalid UTF-8: bad sequences become U+FFFD.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rasid::text {

// ---- UTF-8 hygiene ---------------------------------------------------------------------------

bool is_valid_utf8(std::string_view s);
// Replaces every invalid sequence (and surrogates, non-characters U+FFFE/U+FFFF, C0 controls
// other than \t \n \r) by U+FFFD. Clean input is returned unchanged (one copy, no rewrite).
std::string sanitize_utf8(std::string_view s);
// Collapses runs of Unicode whitespace (incl. NBSP, U+200B..U+200F bidi marks) into one space
// and trims both ends.
std::string collapse_space(std::string_view s);

// ---- Control characters --------------------------------------------------------------------

// C0 controls other than tab, LF and CR are not text: XML 1.0 (§2.2) forbids them and HTML's
// tokenizer reports them (13.2.5 "control-character-in-input-stream"). A generator's stray bytes
// (or a JSON "\u0001" escape) are dropped without a trace before the text is read, the item
// kept: a U+FFFD in a title helps no reader. The one place that rule is written: the decoders
// below (decode, to_utf8, decode_as) apply it, and every feed format (parse/) calls it.
bool has_controls(std::string_view s);
void drop_controls(std::string& s);

// What a C1 code point (U+0080..U+009F) stands for when it is a Windows-1252 byte in disguise
// (&#150;, Latin-1 mislabelled), as browsers read it (WHATWG Encoding, windows-1252 index);
// U+FFFD for its five unassigned bytes. Other code points are returned as they are.
unsigned windows1252_c1(unsigned cp);

// Numeric character references in HTML, read as HTML5 reads them (13.2.5.80): one to a C0
// control other than \t \n \r (and &#0;) is dropped like the byte (drop_controls); one to
// U+0080..U+009F becomes the Windows-1252 character it names (&#x80; → "€"). Every other
// reference is left for the HTML parser. For pages, before libxml2 (which keeps U+0080 as is).
void fix_control_refs(std::string& html);

// ---- ASCII -------------------------------------------------------------------------------------

// A–Z → a–z, every other byte as is (protocol tokens: header names, schemes, hosts, charset
// labels, HTML tag names). Locale-independent, unlike std::tolower.
std::string ascii_lower(std::string_view s);

// ---- Markup ------------------------------------------------------------------------------------

// Text for HTML content or a quoted attribute value (status pages, Telegram HTML alerts):
// & < > " ' become &amp; &lt; &gt; &quot; &#39;; C0 controls other than \t \n, and DEL, which
// HTML 5 forbids in text (13.2.5 "control-character-in-input-stream"), become spaces.
std::string escape_html(std::string_view s);

// ---- Base64 (RFC 4648 section 4, standard alphabet; OpenSSL EVP_EncodeBlock / EVP_DecodeBlock) --

std::string encode_base64(std::string_view bytes);
// Strict: only the alphabet, whole 4-character groups (padded), "=" only at the end, no
// whitespace; nullopt otherwise. Webhook secrets (whsec_…) are checked by config/ and decoded by
// alert/ with it.
std::optional<std::string> decode_base64(std::string_view text);

// ---- Normalization (for matching and search, never for display) -----------------------------
//
// ICU NFKC_Casefold; strips Arabic tashkeel (U+064B..U+065F, U+0670) and tatweel (U+0640);
// folds أ إ آ ٱ → ا, ى → ي, ة → ه, ؤ → و, ئ → ي (and Persian ی → ي, ک → ك); Arabic-Indic and
// Persian digits → ASCII. Words made only of plain Arabic letters and ASCII skip ICU (same
// result); ≈ 95 MB/s on Arabic news text. Whitespace is kept as is (use collapse_space first).
std::string normalize(std::string_view utf8);

// A word of the input: its normalized form and where it sits in the original (byte offsets).
struct Token {
  std::string norm;
  std::size_t begin = 0;
  std::size_t end = 0;
};

// ICU word segmentation over the input, keeping only word-like segments (letters/digits),
// additionally split where Arabic script meets Latin script or digits: "وCOVID" → "و" "covid",
// "بـ20" → "ب" "20" (Latin letters and digits stay together: "G20" → "g20"). Offsets are byte
// offsets into the ORIGINAL string; `norm` is normalize() of that span.
std::vector<Token> tokenize(std::string_view utf8);
// Just the normalized words.
std::vector<std::string> words(std::string_view utf8);

// True when the (normalized) word is written in Arabic script.
bool is_arabic_word(std::string_view norm);
// Share of letters in the text that are Arabic script (0..1); 0 for text without letters.
double arabic_ratio(std::string_view utf8);

// ---- Charsets ---------------------------------------------------------------------------------
//
// Decides the charset of `bytes` in this order: BOM, the HTTP Content-Type `charset=` parameter,
// an XML declaration, <meta charset> / http-equiv (first 4 KiB), then ICU detection (first
// 64 KiB). Labels are mapped as WHATWG does (latin1/iso-8859-1/ascii → windows-1252, gb2312 →
// GBK, iso-8859-6 / arabic → ISO-8859-6, windows-1256 / cp1256 → windows-1256); an unknown
// declared label is ignored. A declaration is overridden (how = "detected") when
//   - it names a legacy charset but the bytes are valid UTF-8 with non-ASCII text;
//   - it says UTF-8 but ≥ 10% of the non-ASCII sequences are invalid and detection finds another
//     charset;
//   - it says windows-1252 (latin1) and detection is confident (≥ 40) of windows-1256 or
//     ISO-8859-6 — a common misconfiguration of Arabic sites;
//   - the declared legacy charset leaves many unmapped bytes and detection does better.
// Nothing declared: valid UTF-8 is UTF-8 ("default" when pure ASCII), else detection.
struct Decoded {
  std::string utf8;     // valid UTF-8, BOM removed, no C0 controls but \t \n \r (drop_controls)
  std::string charset;  // the canonical name used, e.g. "UTF-8", "windows-1256"
  std::string how;      // "bom", "http", "xml", "meta", "detected", "default"
};
Decoded decode(std::string_view bytes, std::string_view content_type = {});
// Converts from a named charset; unknown labels fall back to UTF-8 with replacement.
std::string to_utf8(std::string_view bytes, std::string_view charset_label);
// Converts from an ICU converter name ("UTF-16BE", "UTF-32LE", …) with no WHATWG label mapping
// (WHATWG has no UTF-32); unpaired surrogates, out-of-range units and a truncated last unit
// become U+FFFD. An unknown name: the bytes as sanitized UTF-8.
std::string decode_as(std::string_view bytes, const std::string& icu_name);
// WHATWG label → ICU converter name ("" when unknown).
std::string canonical_charset(std::string_view label);
// True when an ICU converter name (canonical_charset) is a single-byte charset, every character
// one byte (windows-1256, ISO-8859-6, KOI8-R), by ICU's own data (ucnv_getMaxCharSize); false
// for UTF-8, multi-byte and stateful (ISO-2022) charsets and unknown names.
bool is_single_byte(const std::string& icu_name);

// ---- Fingerprints for near-duplicate detection ------------------------------------------------
// 64-bit FNV-1a of a string (stable across runs and machines).
std::uint64_t fnv1a64(std::string_view s);

// Near-duplicates ("one alert per story"): agency rewrites across outlets sit around Jaccard
// 0.5–0.7 on word shingles, which simhash does not see; MinHash + LSH finds such candidates in
// O(1) per article, and an exact Jaccard check on the shingles decides. All values are stable
// across runs and machines (they may be stored).
//
// Hashes of every k consecutive normalized words (sorted, unique). Texts shorter than k words
// give one shingle of all their words; no words, no shingles.
std::vector<std::uint64_t> shingles(const std::vector<std::string>& words, std::size_t k = 3);
// Exact Jaccard similarity of two sorted unique shingle sets (0 when both are empty).
double jaccard(const std::vector<std::uint64_t>& a, const std::vector<std::uint64_t>& b);
// MinHash signature: for each of n hash functions, the least hash over the shingles.
inline constexpr std::size_t kMinHashSize = 128;
std::vector<std::uint32_t> minhash(const std::vector<std::uint64_t>& shingles,
                                   std::size_t n = kMinHashSize);
// Share of equal positions of two signatures (an estimate of the Jaccard similarity).
double minhash_similarity(const std::vector<std::uint32_t>& a, const std::vector<std::uint32_t>& b);
// LSH band keys: the signature cut into `bands` bands of n/bands rows, each band hashed with its
// number. Two texts are candidates when they share a band key. With 128 = 32 × 4, pairs at
// Jaccard 0.5 become candidates with probability ≈ 0.87, at 0.6 ≈ 0.99, at 0.3 ≈ 0.23.
inline constexpr std::size_t kLshBands = 32;
std::vector<std::uint64_t> lsh_bands(const std::vector<std::uint32_t>& signature,
                                     std::size_t bands = kLshBands);

// The recent stories in memory: finds the earlier text most similar to a new one (LSH candidates,
// then exact Jaccard on the shingles). Keeps the last `capacity` texts (oldest dropped first), so
// memory stays bounded: ≈ 8 bytes per shingle + 300 bytes per text. Not thread-safe: one writer
// (the pipeline) owns it.
class StoryIndex {
 public:
  explicit StoryIndex(std::size_t capacity = 20000, double threshold = 0.5);
  ~StoryIndex();
  StoryIndex(StoryIndex&&) noexcept;
  StoryIndex& operator=(StoryIndex&&) noexcept;
  StoryIndex(const StoryIndex&) = delete;
  StoryIndex& operator=(const StoryIndex&) = delete;

  struct Found {
    std::int64_t id = 0;  // 0: nothing similar enough
    double jaccard = 0.0;
  };
  // The most similar stored text with Jaccard ≥ threshold.
  Found find(const std::vector<std::uint64_t>& shingles) const;
  // Stores a text under `id` (e.g. its story id). Texts without shingles are ignored.
  void add(std::int64_t id, std::vector<std::uint64_t> shingles);
  std::size_t size() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace rasid::text
