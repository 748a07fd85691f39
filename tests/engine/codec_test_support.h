#pragma once
// Byte helpers shared by the codec tests, tst_codec (client protocol) and tst_peer_codec (peer
// protocol): views of and QByteArrays from byte buffers, and big-endian builders for the expected
// bytes that are independent of the codecs under test. Each test executable includes it from
// exactly one file.

#include <QByteArray>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace codec_test {

inline std::span<const std::uint8_t> span_of(const QByteArray& b) {
  return {reinterpret_cast<const std::uint8_t*>(b.constData()), static_cast<std::size_t>(b.size())};
}
inline QByteArray qb(std::string_view s) {
  return QByteArray(s.data(), static_cast<qsizetype>(s.size()));
}
inline QByteArray qb(std::span<const std::uint8_t> s) {
  return QByteArray(reinterpret_cast<const char*>(s.data()), static_cast<qsizetype>(s.size()));
}
inline QByteArray qb(const std::vector<std::uint8_t>& b) {
  return qb(std::span<const std::uint8_t>(b));
}

// Independent big-endian builders for expected bytes (hex literals are used where short).
inline QByteArray be(std::uint64_t v, int n) {
  QByteArray b(n, '\0');
  for (int i = n - 1; i >= 0; --i, v >>= 8) b[i] = static_cast<char>(v & 0xff);
  return b;
}
// A whole frame: u32 length, u8 type, body.
inline QByteArray wire(std::uint8_t type, const QByteArray& body) {
  return be(1 + static_cast<std::uint64_t>(body.size()), 4) + static_cast<char>(type) + body;
}
// Length-prefixed strings: u8, u16 and u32 length.
inline QByteArray s8(const QByteArray& s) {
  return be(static_cast<std::uint64_t>(s.size()), 1) + s;
}
inline QByteArray s16(const QByteArray& s) {
  return be(static_cast<std::uint64_t>(s.size()), 2) + s;
}
inline QByteArray b32(const QByteArray& s) {
  return be(static_cast<std::uint64_t>(s.size()), 4) + s;
}
inline QByteArray hex(const char* h) {
  return QByteArray::fromHex(h);
}  // spaces are skipped

}  // namespace codec_test
