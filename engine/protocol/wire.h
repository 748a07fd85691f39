#pragma once
// Internal to the engine (not a public API): the wire primitives shared by the client-protocol
// codec (engine/protocol/codec.cpp) and the peer codec (engine/peer/peer_codec.cpp). Both put
// big-endian integers and length-prefixed strings into frames of the same header (u32 length +
// u8 type); they differ only in their frame types, limits and error-message prefixes, which the
// callers pass in.

#include <cassert>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/common/status.h"
#include "engine/protocol/frames.h"

namespace iris::protocol::wire {

inline constexpr std::size_t kLengthSize = 4;  // the u32 length field in front of every frame

// ---- big-endian loads/stores (compilers fold these into one load/store + bswap) ----

inline std::uint16_t load16(const std::uint8_t* p) {
  return static_cast<std::uint16_t>((static_cast<unsigned>(p[0]) << 8) | p[1]);
}
inline std::uint32_t load32(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
         std::uint32_t{p[3]};
}
inline std::uint64_t load64(const std::uint8_t* p) {
  return (std::uint64_t{load32(p)} << 32) | load32(p + 4);
}
inline void store16(std::uint8_t* p, std::uint16_t v) {
  p[0] = static_cast<std::uint8_t>(v >> 8);
  p[1] = static_cast<std::uint8_t>(v);
}
inline void store32(std::uint8_t* p, std::uint32_t v) {
  p[0] = static_cast<std::uint8_t>(v >> 24);
  p[1] = static_cast<std::uint8_t>(v >> 16);
  p[2] = static_cast<std::uint8_t>(v >> 8);
  p[3] = static_cast<std::uint8_t>(v);
}
inline void store64(std::uint8_t* p, std::uint64_t v) {
  store32(p, static_cast<std::uint32_t>(v >> 32));
  store32(p + 4, static_cast<std::uint32_t>(v));
}

// "0x" and two lower-case hex digits, for messages about a type byte.
inline std::string hex_byte(std::uint8_t v) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string s = "0x";
  s += kDigits[v >> 4];
  s += kDigits[v & 0xf];
  return s;
}

// ---- decoding ----

// Bounds-checked cursor over a frame body. The first fault sticks (with the field it concerns);
// later reads after a fault return zero/empty values and are ignored by the caller, which checks
// finish() once at the end and then asks status() for the message. Never reads outside
// [p_, end_). Strings and byte runs are views into the body.
class Reader {
 public:
  explicit Reader(std::span<const std::uint8_t> body)
      : p_(body.data()), end_(body.data() + body.size()) {}

  std::uint8_t u8(const char* field) {
    if (left() < 1) return truncated(field), std::uint8_t{0};
    return *p_++;
  }
  std::uint16_t u16(const char* field) {
    if (left() < 2) return truncated(field), std::uint16_t{0};
    const auto v = load16(p_);
    p_ += 2;
    return v;
  }
  std::uint32_t u32(const char* field) {
    if (left() < 4) return truncated(field), std::uint32_t{0};
    const auto v = load32(p_);
    p_ += 4;
    return v;
  }
  std::uint64_t u64(const char* field) {
    if (left() < 8) return truncated(field), std::uint64_t{0};
    const auto v = load64(p_);
    p_ += 8;
    return v;
  }
  // u8 / u16 length + bytes, the length in [min_len, max_len] (min_len is 0 or 1).
  std::string_view str8(const char* field, std::uint32_t min_len, std::uint32_t max_len) {
    if (left() < 1) return truncated(field), std::string_view{};
    const std::size_t n = *p_++;
    return str(field, n, min_len, max_len);
  }
  std::string_view str16(const char* field, std::uint32_t min_len, std::uint32_t max_len) {
    if (left() < 2) return truncated(field), std::string_view{};
    const std::size_t n = load16(p_);
    p_ += 2;
    return str(field, n, min_len, max_len);
  }
  // u32 length + bytes, the length at most max_len. The limit is checked before the bytes are
  // looked for, so a hostile length is reported as such rather than as a truncation.
  std::string_view bytes32(const char* field, std::uint32_t max_len) {
    if (left() < 4) return truncated(field), std::string_view{};
    const std::size_t n = load32(p_);
    p_ += 4;
    if (n > max_len) return fault(Fault::kTooLong, field, n, max_len), std::string_view{};
    return str(field, n, 0, max_len);
  }
  // Exactly n bytes.
  std::span<const std::uint8_t> bytes(const char* field, std::size_t n) {
    if (left() < n) return truncated(field), std::span<const std::uint8_t>{};
    std::span<const std::uint8_t> s(p_, n);
    p_ += n;
    return s;
  }
  // Everything left ("rest" payload), at most max_len bytes.
  std::span<const std::uint8_t> rest(const char* field, std::uint32_t max_len) {
    const std::size_t n = left();
    if (n > max_len)
      return fault(Fault::kTooLong, field, n, max_len), std::span<const std::uint8_t>{};
    std::span<const std::uint8_t> s(p_, n);
    p_ = end_;
    return s;
  }
  // Enumerated value: must be in [lo, hi].
  template <typename E>
  E enum_value(const char* field, std::uint64_t v, std::uint64_t lo, std::uint64_t hi) {
    if (v < lo || v > hi) fault(Fault::kBadValue, field, v, hi);
    return static_cast<E>(v);
  }
  // The same, read as one byte.
  template <typename E>
  E enum_u8(const char* field, std::uint8_t lo, std::uint8_t hi) {
    return enum_value<E>(field, u8(field), lo, hi);
  }
  // Element count: must be in [lo, hi].
  void count(const char* field, std::uint64_t v, std::uint64_t lo, std::uint64_t hi) {
    if (v < lo || v > hi) fault(Fault::kBadCount, field, v, hi);
  }

  // True if every field parsed and no byte is left over.
  bool finish() {
    if (fault_ == Fault::kNone && p_ != end_) fault(Fault::kTrailing, "body", left(), 0);
    return fault_ == Fault::kNone;
  }

  // The fault as an invalid-argument Status, its message prefixed with "<frame_name>: ".
  Status status(const char* frame_name) const {
    std::string m = frame_name;
    m += ": ";
    switch (fault_) {
      case Fault::kNone:
        m += "ok";
        break;  // not reached: status() is only asked after a fault
      case Fault::kTruncated:
        m += "truncated body (at ";
        m += field_;
        m += ')';
        break;
      case Fault::kTrailing:
        m += std::to_string(value_);
        m += " trailing byte(s) after the last field";
        break;
      case Fault::kEmpty:
        m += field_;
        m += " is empty";
        break;
      case Fault::kTooLong:
        m += field_;
        m += " too long (";
        m += std::to_string(value_);
        m += " > ";
        m += std::to_string(limit_);
        m += " bytes)";
        break;
      case Fault::kBadValue:
        m += field_;
        m += ": unknown value ";
        m += std::to_string(value_);
        break;
      case Fault::kBadCount:
        m += field_;
        m += ' ';
        m += std::to_string(value_);
        m += " out of range 1..";
        m += std::to_string(limit_);
        break;
    }
    return Status::invalid(std::move(m));
  }

 private:
  enum class Fault : std::uint8_t {
    kNone,
    kTruncated,
    kTrailing,
    kEmpty,
    kTooLong,
    kBadValue,
    kBadCount
  };

  std::size_t left() const { return static_cast<std::size_t>(end_ - p_); }
  void truncated(const char* field) {
    fault(Fault::kTruncated, field, 0, 0);
    p_ = end_;  // every later read fails too
  }
  std::string_view str(const char* field, std::size_t n, std::uint32_t min_len,
                       std::uint32_t max_len) {
    if (left() < n) return truncated(field), std::string_view{};
    std::string_view s(reinterpret_cast<const char*>(p_), n);
    p_ += n;
    if (n > max_len) fault(Fault::kTooLong, field, n, max_len);
    if (n < min_len) fault(Fault::kEmpty, field, n, min_len);  // min_len is 0 or 1
    return s;
  }
  void fault(Fault f, const char* field, std::uint64_t value, std::uint64_t limit) {
    if (fault_ != Fault::kNone) return;
    fault_ = f;
    field_ = field;
    value_ = value;
    limit_ = limit;
  }

  const std::uint8_t* p_;
  const std::uint8_t* end_;
  Fault fault_ = Fault::kNone;
  const char* field_ = "";
  std::uint64_t value_ = 0;
  std::uint64_t limit_ = 0;
};

// ---- encoding ----

// Writes one frame: the constructor appends the header and body_len zeroed body bytes to `out` in
// one resize (geometric growth, so appending many frames to one buffer amortises) and writes the
// header; the writes then fill the body, which the destructor checks they did exactly (asserted:
// a wrong body_len is a bug).
class FrameWriter {
 public:
  FrameWriter(std::vector<std::uint8_t>& out, std::uint8_t type, std::size_t body_len,
              [[maybe_unused]] std::uint32_t max_frame_length) {
    assert(1 + body_len <= max_frame_length);
    const std::size_t old = out.size();
    out.resize(old + kHeaderSize + body_len);
    p_ = out.data() + old;
    store32(p_, static_cast<std::uint32_t>(1 + body_len));
    p_[kLengthSize] = type;
    p_ += kHeaderSize;
    end_ = out.data() + out.size();
  }
  ~FrameWriter() { assert(p_ == end_); }
  FrameWriter(const FrameWriter&) = delete;
  FrameWriter& operator=(const FrameWriter&) = delete;

  void u8(std::uint8_t v) { *p_++ = v; }
  void u16(std::uint16_t v) {
    store16(p_, v);
    p_ += 2;
  }
  void u32(std::uint32_t v) {
    store32(p_, v);
    p_ += 4;
  }
  void u64(std::uint64_t v) {
    store64(p_, v);
    p_ += 8;
  }
  void raw(const void* data, std::size_t n) {
    if (n != 0) std::memcpy(p_, data, n);
    p_ += n;
  }
  // u8 / u16 / u32 length + bytes.
  void str8(std::string_view s) {
    assert(s.size() <= 0xff);
    u8(static_cast<std::uint8_t>(s.size()));
    raw(s.data(), s.size());
  }
  void str16(std::string_view s) {
    assert(s.size() <= 0xffff);
    u16(static_cast<std::uint16_t>(s.size()));
    raw(s.data(), s.size());
  }
  void bytes32(std::string_view s) {
    u32(static_cast<std::uint32_t>(s.size()));
    raw(s.data(), s.size());
  }

 private:
  std::uint8_t* p_;
  [[maybe_unused]] std::uint8_t* end_;  // read by the destructor's assert only
};

}  // namespace iris::protocol::wire
