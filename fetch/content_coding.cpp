// fetch/content_coding.cpp — undeclared gzip / zstd / brotli bodies (see content_coding.h).
#include "fetch/content_coding.h"

#include <brotli/decode.h>
#include <zlib.h>
#include <zstd.h>

#include <memory>

namespace rasid::fetch {
namespace {

constexpr std::size_t kChunk = 64 * 1024;

enum class Outcome { ok, corrupt, too_large };

// Appends up to kChunk more bytes of room; false when the cap is already reached.
bool grow(std::string& out, std::size_t cap, std::size_t& room) {
  if (cap > 0 && out.size() > cap) return false;
  std::size_t add = kChunk;
  if (cap > 0 && out.size() + add > cap + 1) add = cap + 1 - out.size();  // +1: see the excess
  std::size_t used = out.size();
  out.resize(used + add);
  room = add;
  return true;
}

Outcome gunzip(std::string_view in, std::size_t cap, std::string& out) {
  z_stream z{};
  if (inflateInit2(&z, 15 + 16) != Z_OK) return Outcome::corrupt;  // 16: gzip wrapper only
  std::unique_ptr<z_stream, int (*)(z_stream*)> guard(&z, inflateEnd);
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  std::size_t left = in.size();
  while (true) {
    if (z.avail_in == 0 && left > 0) {
      uInt n = left > (1u << 30) ? (1u << 30) : static_cast<uInt>(left);
      z.avail_in = n;
      left -= n;
    }
    std::size_t room = 0;
    if (!grow(out, cap, room)) return Outcome::too_large;
    std::size_t start = out.size() - room;
    z.next_out = reinterpret_cast<Bytef*>(out.data() + start);
    z.avail_out = static_cast<uInt>(room);
    int rc = inflate(&z, Z_NO_FLUSH);
    out.resize(start + (room - z.avail_out));
    if (cap > 0 && out.size() > cap) return Outcome::too_large;
    if (rc == Z_STREAM_END) {
      // Another member follows (RFC 1952 §2.2) unless only padding is left.
      bool more = z.avail_in > 0 || left > 0;
      if (!more) return Outcome::ok;
      if (z.avail_in > 0 && static_cast<unsigned char>(z.next_in[0]) != 0x1f) return Outcome::ok;
      if (inflateReset(&z) != Z_OK) return Outcome::corrupt;
      continue;
    }
    if (rc == Z_BUF_ERROR && z.avail_in == 0 && left == 0) return Outcome::corrupt;  // truncated
    if (rc != Z_OK && rc != Z_BUF_ERROR) return Outcome::corrupt;
  }
}

Outcome unzstd(std::string_view in, std::size_t cap, std::string& out) {
  std::unique_ptr<ZSTD_DCtx, std::size_t (*)(ZSTD_DCtx*)> dctx(ZSTD_createDCtx(), ZSTD_freeDCtx);
  if (!dctx) throw std::bad_alloc();
  // The window is the decoder's memory: 8 MiB (zstd's own default limit is 128 MiB).
  ZSTD_DCtx_setParameter(dctx.get(), ZSTD_d_windowLogMax, 23);
  ZSTD_inBuffer src{in.data(), in.size(), 0};
  std::size_t last = 1;
  while (true) {
    std::size_t room = 0;
    if (!grow(out, cap, room)) return Outcome::too_large;
    std::size_t start = out.size() - room;
    ZSTD_outBuffer dst{out.data() + start, room, 0};
    last = ZSTD_decompressStream(dctx.get(), &dst, &src);
    out.resize(start + dst.pos);
    if (ZSTD_isError(last)) return Outcome::corrupt;
    if (cap > 0 && out.size() > cap) return Outcome::too_large;
    if (src.pos == src.size && dst.pos < room) return last == 0 ? Outcome::ok : Outcome::corrupt;
  }
}

Outcome unbrotli(std::string_view in, std::size_t cap, std::string& out) {
  std::unique_ptr<BrotliDecoderState, void (*)(BrotliDecoderState*)> st(
      BrotliDecoderCreateInstance(nullptr, nullptr, nullptr), BrotliDecoderDestroyInstance);
  if (!st) throw std::bad_alloc();
  std::size_t avail_in = in.size();
  const auto* next_in = reinterpret_cast<const uint8_t*>(in.data());
  while (true) {
    std::size_t room = 0;
    if (!grow(out, cap, room)) return Outcome::too_large;
    std::size_t start = out.size() - room;
    std::size_t avail_out = room;
    auto* next_out = reinterpret_cast<uint8_t*>(out.data() + start);
    BrotliDecoderResult rc = BrotliDecoderDecompressStream(st.get(), &avail_in, &next_in,
                                                           &avail_out, &next_out, nullptr);
    out.resize(start + (room - avail_out));
    if (cap > 0 && out.size() > cap) return Outcome::too_large;
    if (rc == BROTLI_DECODER_RESULT_SUCCESS) return avail_in == 0 ? Outcome::ok : Outcome::corrupt;
    if (rc != BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT) return Outcome::corrupt;
  }
}

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

bool names_brotli(std::string_view url, std::string_view content_type) {
  std::string_view path = url.substr(0, url.find_first_of("?#"));
  if (path.size() >= 3 && iequals(path.substr(path.size() - 3), ".br")) return true;
  std::string_view type = content_type.substr(0, content_type.find(';'));
  while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.remove_suffix(1);
  while (!type.empty() && (type.front() == ' ' || type.front() == '\t')) type.remove_prefix(1);
  return iequals(type, "application/x-brotli") || iequals(type, "application/brotli");
}

// The body already begins like the text rasid reads: markup, JSON or a byte order mark.
bool looks_like_text(std::string_view b) {
  if (b.starts_with("\xEF\xBB\xBF") || b.starts_with("\xFF\xFE") || b.starts_with("\xFE\xFF"))
    return true;
  std::size_t i = b.find_first_not_of(" \t\r\n");
  return i != std::string_view::npos && (b[i] == '<' || b[i] == '{' || b[i] == '[');
}

}  // namespace

Undeclared decode_undeclared(std::string& body, std::string_view url, std::string_view content_type,
                             std::size_t cap) {
  Undeclared u;
  Outcome (*decode)(std::string_view, std::size_t, std::string&) = nullptr;
  auto magic = [&](std::string_view m) { return std::string_view(body).starts_with(m); };
  if (magic("\x1f\x8b")) {
    u.coding = "gzip";
    decode = gunzip;
  } else if (magic("\x28\xb5\x2f\xfd")) {
    u.coding = "zstd";
    decode = unzstd;
  } else if (!body.empty() && !looks_like_text(body) && names_brotli(url, content_type)) {
    u.coding = "br";
    decode = unbrotli;
  } else {
    return u;
  }
  std::string out;
  switch (decode(body, cap, out)) {
    case Outcome::ok:
      body = std::move(out);
      u.decoded = true;
      break;
    case Outcome::too_large:
      body.clear();
      u.too_large = true;
      break;
    case Outcome::corrupt:
      if (u.coding == "br") u.coding.clear();  // a guess that did not hold: not brotli
      break;
  }
  return u;
}

}  // namespace rasid::fetch
