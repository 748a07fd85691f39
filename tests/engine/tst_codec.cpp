// Protocol v1 codec: round trips against golden bytes, malformed input, stream reassembly.

#include <QtTest>
#include <algorithm>
#include <array>
#include <atomic>
#include <cstdlib>
#include <memory>
#include <new>
#include <string>
#include <variant>
#include <vector>

#include "codec_test_support.h"
#include "engine/client/client_core.h"
#include "engine/protocol/codec.h"

using namespace iris::protocol;
using namespace codec_test;

// ---- allocation counter (replaces the global operator new of this test binary) ----
namespace {
std::atomic<long> g_allocations{0};
std::atomic<std::size_t> g_largest_allocation{0};  // reset by the tests that read it
}  // namespace

void* operator new(std::size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (n > g_largest_allocation.load(std::memory_order_relaxed))
    g_largest_allocation.store(n, std::memory_order_relaxed);
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}

namespace {

// A frame of either direction, as a QTest data cell.
struct TestFrame {
  std::variant<ClientFrame, ServerFrame> v;
};

}  // namespace

Q_DECLARE_METATYPE(TestFrame)

namespace {

enum Decoder { kClientDecoder = 0, kServerDecoder = 1, kBothDecoders = 2 };

// Long fields with static storage (decoded frames are views).
const std::string& str_of(std::size_t n, char c) {
  static std::vector<std::unique_ptr<std::string>> pool;
  for (const auto& s : pool)
    if (s->size() == n && (*s)[0] == c) return *s;
  pool.push_back(std::make_unique<std::string>(n, c));
  return *pool.back();
}
std::span<const std::uint8_t> payload_of(std::size_t n) {
  static const std::vector<std::uint8_t> big = [] {
    std::vector<std::uint8_t> v(kMaxPayload + 1);
    for (std::size_t i = 0; i < v.size(); ++i) v[i] = static_cast<std::uint8_t>(i * 7 + 3);
    return v;
  }();
  return std::span<const std::uint8_t>(big).first(n);
}
QByteArray payload_qb(std::size_t n) {
  return qb(payload_of(n));
}

template <std::size_t N>
std::span<const std::uint8_t> bytes_of(const std::array<std::uint8_t, N>& a) {
  return {a.data(), a.size()};
}

std::span<const std::uint8_t> ack256_raw() {
  static const std::vector<std::uint8_t> raw = [] {
    std::vector<std::uint8_t> v;
    for (std::uint64_t id = 1; id <= kMaxAckIds; ++id)
      for (int k = 7; k >= 0; --k)
        v.push_back(static_cast<std::uint8_t>((id * 0x0101010101ull) >> (8 * k)));
    return v;
  }();
  return raw;
}

struct Sample {
  QByteArray name;
  TestFrame frame;
  QByteArray wire;  // expected encoding
};

TestFrame C(ClientFrame f) {
  return TestFrame{f};
}
TestFrame S(ServerFrame f) {
  return TestFrame{f};
}

const std::vector<Sample>& samples() {
  static const std::array<std::uint8_t, 2> kHi = {'h', 'i'};
  static const std::array<std::uint8_t, 4> kBinary = {0x00, 0xff, 0x00, 0x0a};
  static const std::array<std::uint8_t, 8> kAck1 = {0, 0, 0, 0, 0, 0, 0, 1};
  static const std::array<std::uint8_t, 24> kAck3 = {
      0, 0, 0, 0, 0,    0,    0,    1,    1,    2,    3,    4,
      5, 6, 7, 8, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
  static const std::vector<Sample> all = [] {
    const std::string& n64 = str_of(kMaxClientName, 'n');
    const std::string& u64s = str_of(kMaxUserId, 'u');
    const std::string& t512 = str_of(kMaxToken, 't');
    const std::string& x1024 = str_of(kMaxText, 'x');
    const std::string& a255 = str_of(kMaxAddress, 'a');
    const auto max_payload = payload_of(kMaxPayload);
    std::vector<Sample> v = {
        // client -> server
        {"HELLO", C(Hello{1, "iris-cli/1.0"}), hex("0000000f 01 01 0c697269732d636c692f312e30")},
        {"HELLO version 255, empty name", C(Hello{255, ""}), hex("00000003 01 ff 00")},
        {"HELLO max name", C(Hello{1, n64}), wire(0x01, be(1, 1) + s8(qb(n64)))},
        {"LOGIN", C(Login{"v1.alice.1700000000.00ff"}),
         hex("0000001b 02 0018 76312e616c6963652e313730303030303030302e30306666")},
        {"LOGIN empty token", C(Login{""}), hex("00000003 02 0000")},
        {"LOGIN max token", C(Login{t512}), wire(0x02, s16(qb(t512)))},
        {"SEND", C(Send{42, "bob", bytes_of(kHi)}),
         hex("0000000f 03 000000000000002a 03626f62 6869")},
        {"SEND empty payload, id max", C(Send{~0ull, "b", {}}),
         hex("0000000b 03 ffffffffffffffff 0162")},
        {"SEND binary payload", C(Send{1, "bob", bytes_of(kBinary)}),
         hex("00000011 03 0000000000000001 03626f62 00ff000a")},
        {"SEND client id 0", C(Send{0, "bob", bytes_of(kHi)}),
         hex("0000000f 03 0000000000000000 03626f62 6869")},
        {"SEND max", C(Send{7, u64s, max_payload}),
         wire(0x03, be(7, 8) + s8(qb(u64s)) + payload_qb(kMaxPayload))},
        {"ACK 1 id", C(Ack{bytes_of(kAck1)}), hex("0000000b 04 0001 0000000000000001")},
        {"ACK 3 ids", C(Ack{bytes_of(kAck3)}),
         hex("0000001b 04 0003 0000000000000001 0102030405060708 ffffffffffffffff")},
        {"ACK 256 ids", C(Ack{ack256_raw()}), wire(0x04, be(256, 2) + qb(ack256_raw()))},
        {"PRESENCE_SUBSCRIBE", C(PresenceSubscribe{"bob"}), hex("00000005 05 03626f62")},
        {"PRESENCE_SUBSCRIBE max user", C(PresenceSubscribe{u64s}), wire(0x05, s8(qb(u64s)))},
        {"PRESENCE_UNSUBSCRIBE", C(PresenceUnsubscribe{"bob"}), hex("00000005 06 03626f62")},
        {"STATUS", C(StatusQuery{"carol"}), hex("00000007 07 05636172 6f6c")},
        {"STATUS 1-byte user", C(StatusQuery{"c"}), hex("00000003 07 0163")},
        {"PING", C(Ping{0x1122334455667788ull}), hex("00000009 08 1122334455667788")},
        {"PING 0", C(Ping{0}), hex("00000009 08 0000000000000000")},
        {"CLIENT_BYE", C(ClientBye{"done"}), hex("00000007 09 0004646f6e65")},
        {"CLIENT_BYE empty", C(ClientBye{""}), hex("00000003 09 0000")},
        {"CLIENT_BYE max", C(ClientBye{x1024}), wire(0x09, s16(qb(x1024)))},
        // server -> client
        {"HELLO_OK", S(HelloOk{1, kMaxFrameLength, "node-1"}),
         hex("0000000d 81 01 00010100 066e6f64652d31")},
        {"HELLO_OK empty node id", S(HelloOk{1, 0, ""}), hex("00000007 81 01 00000000 00")},
        {"HELLO_OK max node id", S(HelloOk{9, 0xffffffffu, u64s}),
         wire(0x81, be(9, 1) + be(0xffffffffu, 4) + s8(qb(u64s)))},
        {"LOGIN_OK", S(LoginOk{"alice", 0xdeadbeef}),
         hex("0000000f 82 05616c696365 00000000deadbeef")},
        {"SEND_ACK ok", S(SendAck{42, SendStatus::kOk, 7, 0}),
         hex("00000016 83 000000000000002a 00 0000000000000007 00000000")},
        {"SEND_ACK retry later", S(SendAck{42, SendStatus::kRetryLater, 0, 1500}),
         hex("00000016 83 000000000000002a 01 0000000000000000 000005dc")},
        {"SEND_ACK too large", S(SendAck{42, SendStatus::kTooLarge, 0, 0}),
         hex("00000016 83 000000000000002a 02 0000000000000000 00000000")},
        {"SEND_ACK unknown recipient", S(SendAck{42, SendStatus::kUnknownRecipient, 0, 0}),
         hex("00000016 83 000000000000002a 03 0000000000000000 00000000")},
        {"SEND_ACK store unavailable", S(SendAck{42, SendStatus::kStoreUnavailable, 0, 0}),
         hex("00000016 83 000000000000002a 04 0000000000000000 00000000")},
        {"SEND_ACK invalid", S(SendAck{0, SendStatus::kInvalid, 0, 0}),
         hex("00000016 83 0000000000000000 05 0000000000000000 00000000")},
        {"DELIVER", S(Deliver{9000, "alice", 77, 1700000000123456ull, bytes_of(kHi)}),
         hex("00000021 84 0000000000002328 05616c696365 000000000000004d 00060a2418202240 6869")},
        {"DELIVER empty payload", S(Deliver{1, "a", 2, 0, {}}),
         hex("0000001b 84 0000000000000001 0161 0000000000000002 0000000000000000")},
        {"DELIVER max", S(Deliver{~0ull, u64s, 3, 1, max_payload}),
         wire(0x84, be(~0ull, 8) + s8(qb(u64s)) + be(3, 8) + be(1, 8) + payload_qb(kMaxPayload))},
        {"PRESENCE online", S(Presence{"bob", PresenceState::kOnline, 1700000000123ull}),
         hex("0000000e 85 03626f62 01 0000018bcfe5687b")},
        {"PRESENCE offline never seen", S(Presence{"bob", PresenceState::kOffline, 0}),
         hex("0000000e 85 03626f62 00 0000000000000000")},
        {"PONG", S(Pong{0x1122334455667788ull}), hex("00000009 86 1122334455667788")},
        {"ERROR bad frame", S(Error{ErrorCode::kBadFrame, "x"}), hex("00000006 87 0001 000178")},
        {"ERROR frame too large", S(Error{ErrorCode::kFrameTooLarge, "x"}),
         hex("00000006 87 0002 000178")},
        {"ERROR unsupported version", S(Error{ErrorCode::kUnsupportedVersion, "x"}),
         hex("00000006 87 0003 000178")},
        {"ERROR auth failed", S(Error{ErrorCode::kAuthFailed, "x"}),
         hex("00000006 87 0004 000178")},
        {"ERROR protocol violation", S(Error{ErrorCode::kProtocolViolation, "x"}),
         hex("00000006 87 0005 000178")},
        {"ERROR rate limited", S(Error{ErrorCode::kRateLimited, "x"}),
         hex("00000006 87 0006 000178")},
        {"ERROR internal", S(Error{ErrorCode::kInternal, "x"}), hex("00000006 87 0007 000178")},
        {"ERROR unavailable, empty text", S(Error{ErrorCode::kUnavailable, ""}),
         hex("00000005 87 0008 0000")},
        {"ERROR max text", S(Error{ErrorCode::kInternal, x1024}),
         wire(0x87, be(7, 2) + s16(qb(x1024)))},
        {"BYE shutdown", S(Bye{ByeReason::kShutdown, 5000, "bye"}),
         hex("0000000b 88 01 00001388 0003627965")},
        {"BYE slow consumer", S(Bye{ByeReason::kSlowConsumer, 5000, "bye"}),
         hex("0000000b 88 02 00001388 0003627965")},
        {"BYE idle", S(Bye{ByeReason::kIdle, 5000, "bye"}),
         hex("0000000b 88 03 00001388 0003627965")},
        {"BYE replaced", S(Bye{ByeReason::kReplaced, 5000, "bye"}),
         hex("0000000b 88 04 00001388 0003627965")},
        {"BYE client bye, empty text", S(Bye{ByeReason::kClientBye, 0, ""}),
         hex("00000008 88 05 00000000 0000")},
        {"BYE max text", S(Bye{ByeReason::kIdle, 0xffffffffu, x1024}),
         wire(0x88, be(3, 1) + be(0xffffffffu, 4) + s16(qb(x1024)))},
        {"BYE home unreachable", S(Bye{ByeReason::kHomeUnreachable, 2000, ""}),
         hex("00000008 88 06 000007d0 0000")},
        {"REDIRECT", S(Redirect{"node-2", "10.0.0.2:7400"}),
         hex("00000016 89 066e6f64652d32 0d31302e302e302e323a37343030")},
        {"REDIRECT empty address", S(Redirect{"n", ""}), hex("00000004 89 016e 00")},
        {"REDIRECT max node id, max address", S(Redirect{u64s, a255}),
         wire(0x89, s8(qb(u64s)) + s8(qb(a255)))},
    };
    return v;
  }();
  return all;
}

// ---- field-by-field comparison (QCOMPARE returns from these on mismatch) ----
void same(const Hello& a, const Hello& b) {
  QCOMPARE(a.version, b.version);
  QCOMPARE(qb(a.client_name), qb(b.client_name));
}
void same(const Login& a, const Login& b) {
  QCOMPARE(qb(a.token), qb(b.token));
}
void same(const Send& a, const Send& b) {
  QCOMPARE(a.client_msg_id, b.client_msg_id);
  QCOMPARE(qb(a.recipient), qb(b.recipient));
  QCOMPARE(qb(a.payload), qb(b.payload));
}
void same(const Ack& a, const Ack& b) {
  QCOMPARE(a.count(), b.count());
  QCOMPARE(qb(a.raw_ids), qb(b.raw_ids));
  for (std::size_t i = 0; i < a.count(); ++i) QCOMPARE(a.id(i), b.id(i));
}
void same(const PresenceSubscribe& a, const PresenceSubscribe& b) {
  QCOMPARE(qb(a.user), qb(b.user));
}
void same(const PresenceUnsubscribe& a, const PresenceUnsubscribe& b) {
  QCOMPARE(qb(a.user), qb(b.user));
}
void same(const StatusQuery& a, const StatusQuery& b) {
  QCOMPARE(qb(a.user), qb(b.user));
}
void same(const Ping& a, const Ping& b) {
  QCOMPARE(a.nonce, b.nonce);
}
void same(const ClientBye& a, const ClientBye& b) {
  QCOMPARE(qb(a.reason), qb(b.reason));
}
void same(const HelloOk& a, const HelloOk& b) {
  QCOMPARE(a.version, b.version);
  QCOMPARE(a.max_frame_length, b.max_frame_length);
  QCOMPARE(qb(a.node_id), qb(b.node_id));
}
void same(const LoginOk& a, const LoginOk& b) {
  QCOMPARE(qb(a.user), qb(b.user));
  QCOMPARE(a.session_id, b.session_id);
}
void same(const SendAck& a, const SendAck& b) {
  QCOMPARE(a.client_msg_id, b.client_msg_id);
  QCOMPARE(int(a.status), int(b.status));
  QCOMPARE(a.server_msg_id, b.server_msg_id);
  QCOMPARE(a.retry_after_ms, b.retry_after_ms);
}
void same(const Deliver& a, const Deliver& b) {
  QCOMPARE(a.server_msg_id, b.server_msg_id);
  QCOMPARE(qb(a.sender), qb(b.sender));
  QCOMPARE(a.client_msg_id, b.client_msg_id);
  QCOMPARE(a.server_ts_us, b.server_ts_us);
  QCOMPARE(qb(a.payload), qb(b.payload));
}
void same(const Presence& a, const Presence& b) {
  QCOMPARE(qb(a.user), qb(b.user));
  QCOMPARE(int(a.state), int(b.state));
  QCOMPARE(a.last_seen_ms, b.last_seen_ms);
}
void same(const Pong& a, const Pong& b) {
  QCOMPARE(a.nonce, b.nonce);
}
void same(const Error& a, const Error& b) {
  QCOMPARE(int(a.code), int(b.code));
  QCOMPARE(qb(a.text), qb(b.text));
}
void same(const Bye& a, const Bye& b) {
  QCOMPARE(int(a.reason), int(b.reason));
  QCOMPARE(a.reconnect_after_ms, b.reconnect_after_ms);
  QCOMPARE(qb(a.text), qb(b.text));
}
void same(const Redirect& a, const Redirect& b) {
  QCOMPARE(qb(a.node_id), qb(b.node_id));
  QCOMPARE(qb(a.address), qb(b.address));
}
template <typename V>
void same_variant(const V& a, const V& b) {
  QCOMPARE(a.index(), b.index());
  std::visit([&b](const auto& x) { same(x, std::get<std::decay_t<decltype(x)>>(b)); }, a);
}

// The frame's body copied into an allocation of exactly its size, so a decoder reading past the
// body trips AddressSanitizer (asan preset) instead of reading a neighbour's bytes.
struct ExactBody {
  explicit ExactBody(std::span<const std::uint8_t> b)
      : bytes(b.empty() ? nullptr : new std::uint8_t[b.size()]), size(b.size()) {
    if (!b.empty()) std::copy(b.begin(), b.end(), bytes.get());
  }
  std::span<const std::uint8_t> view() const { return {bytes.get(), size}; }
  std::unique_ptr<std::uint8_t[]> bytes;
  std::size_t size;
};

QByteArray status_text(const iris::Status& s) {
  return QByteArray::fromStdString(s.message());
}

// Reassembles `stream` with a FrameReader fed in chunks of `chunk` bytes (0 = one buffer);
// returns each frame as type byte + body, or stops at the first error.
QList<QByteArray> reassemble(const QByteArray& stream, qsizetype chunk, bool zero_copy,
                             FrameReader::State* last = nullptr) {
  FrameReader reader;
  QList<QByteArray> frames;
  FrameReader::State st = FrameReader::State::kNeedMore;
  const qsizetype step = chunk == 0 ? std::max<qsizetype>(stream.size(), 1) : chunk;
  for (qsizetype pos = 0; pos < stream.size() && st != FrameReader::State::kError; pos += step) {
    const auto piece =
        span_of(stream).subspan(static_cast<std::size_t>(pos),
                                static_cast<std::size_t>(std::min(step, stream.size() - pos)));
    if (zero_copy) {
      auto dst = reader.prepare(piece.size());
      std::copy(piece.begin(), piece.end(), dst.begin());
      reader.commit(piece.size());
    } else {
      reader.feed(piece);
    }
    FrameView f;
    while ((st = reader.next(f)) == FrameReader::State::kFrame)
      frames.append(static_cast<char>(f.type) + qb(f.body));
  }
  if (last) *last = st;
  return frames;
}

}  // namespace

class TstCodec : public QObject {
  Q_OBJECT

 private slots:
  void roundTrip_data();
  void roundTrip();
  void encodeAppends();
  void ackIds();
  void malformed_data();
  void malformed();
  void exactMaxLength();
  void splitMerge_data();
  void splitMerge();
  void readerErrorIsSticky_data();
  void readerErrorIsSticky();
  void tooLargeRejectedOnLengthAlone();
  void readerBufferStaysBounded();
  void noAllocationInSteadyState();
  void toStringNames();
  void clientCoreSurfacesRedirect();
  void docMatchesHeader();
};

// ---------------------------------------------------------------------------------------------

void TstCodec::roundTrip_data() {
  QTest::addColumn<TestFrame>("frame");
  QTest::addColumn<QByteArray>("expected");
  for (const Sample& s : samples()) QTest::newRow(s.name.constData()) << s.frame << s.wire;
}

void TstCodec::roundTrip() {
  QFETCH(TestFrame, frame);
  QFETCH(QByteArray, expected);
  QVERIFY(expected.size() > 5);

  Bytes out;
  std::visit([&out](const auto& f) { encode(out, f); }, frame.v);
  QCOMPARE(qb(out).toHex(' '), expected.toHex(' '));

  const SplitResult split = split_frame(out);
  QCOMPARE(int(split.status), int(SplitStatus::kFrame));
  QCOMPARE(split.consumed, out.size());
  QCOMPARE(int(split.frame.type), int(static_cast<std::uint8_t>(expected[4])));
  QVERIFY(split.frame.body.data() == out.data() + kHeaderSize);  // a view into the input
  QCOMPARE(split.frame.body.size(), out.size() - kHeaderSize);
  // One byte short of the frame: not yet a frame.
  QCOMPARE(int(split_frame(std::span<const std::uint8_t>(out).first(out.size() - 1)).status),
           int(SplitStatus::kNeedMore));

  const ExactBody body(split.frame.body);
  const FrameView view{split.frame.type, body.view()};
  Bytes again;
  if (frame.v.index() == 0) {
    const ClientFrame& original = std::get<0>(frame.v);
    auto decoded = decode_client(view);
    QVERIFY2(decoded.is_ok(), qPrintable(status_text(decoded.status())));
    same_variant(*decoded, original);
    if (QTest::currentTestFailed()) return;
    QVERIFY(!decode_server(view).is_ok());  // one opcode space per direction
    encode(again, *decoded);
  } else {
    const ServerFrame& original = std::get<1>(frame.v);
    auto decoded = decode_server(view);
    QVERIFY2(decoded.is_ok(), qPrintable(status_text(decoded.status())));
    same_variant(*decoded, original);
    if (QTest::currentTestFailed()) return;
    QVERIFY(!decode_client(view).is_ok());
    encode(again, *decoded);
  }
  QCOMPARE(qb(again), qb(out));
}

void TstCodec::encodeAppends() {
  Bytes out = {0xaa, 0xbb};
  encode(out, Ping{1});
  encode(out, Pong{2});
  QCOMPARE(qb(out).toHex(' '),
           hex("aabb 00000009 08 0000000000000001 00000009 86 0000000000000002").toHex(' '));
  // The variant overloads write the same bytes as the typed ones.
  Bytes a, b;
  encode(a, ClientFrame{Send{5, "zed", {}}});
  encode(b, Send{5, "zed", {}});
  QCOMPARE(qb(a), qb(b));
  a.clear();
  b.clear();
  encode(a, ServerFrame{Bye{ByeReason::kIdle, 3, "t"}});
  encode(b, Bye{ByeReason::kIdle, 3, "t"});
  QCOMPARE(qb(a), qb(b));
}

void TstCodec::ackIds() {
  const std::array<std::uint64_t, 3> ids = {1, 0x0102030405060708ull, ~0ull};
  Bytes out;
  encode_ack(out, ids);
  QCOMPARE(qb(out).toHex(' '),
           hex("0000001b 04 0003 0000000000000001 0102030405060708 ffffffffffffffff").toHex(' '));
  const auto split = split_frame(out);
  QCOMPARE(int(split.status), int(SplitStatus::kFrame));
  auto decoded = decode_client(split.frame);
  QVERIFY(decoded.is_ok());
  const Ack& ack = std::get<Ack>(*decoded);
  QCOMPARE(ack.count(), std::size_t{3});
  QCOMPARE(ack.raw_ids.size(), std::size_t{24});
  QVERIFY(ack.raw_ids.data() == out.data() + kHeaderSize + 2);  // a view, not a copy
  for (std::size_t i = 0; i < ids.size(); ++i) QCOMPARE(ack.id(i), ids[i]);

  std::vector<std::uint64_t> many(kMaxAckIds);
  for (std::size_t i = 0; i < many.size(); ++i) many[i] = (i + 1) * 0x0101010101ull;
  out.clear();
  encode_ack(out, many);
  QCOMPARE(qb(out), wire(0x04, be(256, 2) + qb(ack256_raw())));
  auto decoded_many = decode_client(split_frame(out).frame);
  QVERIFY(decoded_many.is_ok());
  const Ack& big = std::get<Ack>(*decoded_many);
  QCOMPARE(big.count(), many.size());
  for (std::size_t i = 0; i < many.size(); ++i) QCOMPARE(big.id(i), many[i]);
}

// ---------------------------------------------------------------------------------------------

void TstCodec::malformed_data() {
  QTest::addColumn<QByteArray>("bytes");   // what arrives on the wire
  QTest::addColumn<int>("split");          // expected SplitStatus
  QTest::addColumn<int>("decoder");        // Decoder that must reject it (if split ok)
  QTest::addColumn<QByteArray>("reason");  // substring of the error message

  const int kFrame = int(SplitStatus::kFrame);
  auto row = [&](const QByteArray& name, const QByteArray& bytes, int decoder,
                 const QByteArray& reason) {
    QTest::newRow(name.constData()) << bytes << kFrame << decoder << reason;
  };

  // Truncated bodies: every prefix of each sample's body that is shorter than its fixed part.
  // (For SEND/DELIVER the payload is "the rest", so only cuts before the payload are truncations.)
  for (const Sample& s : samples()) {
    if (s.wire.size() > 200) continue;  // the long samples add nothing but rows
    const QByteArray body = s.wire.mid(5);
    const auto type = static_cast<std::uint8_t>(s.wire[4]);
    qsizetype fixed = body.size();
    if (type == 0x03) fixed = 8 + 1 + static_cast<std::uint8_t>(body[8]);
    if (type == 0x84) fixed = 8 + 1 + static_cast<std::uint8_t>(body[8]) + 8;
    const int decoder = type < 0x80 ? kClientDecoder : kServerDecoder;
    for (qsizetype cut = 0; cut < fixed; ++cut)
      row(s.name + " truncated to " + QByteArray::number(cut), wire(type, body.left(cut)), decoder,
          "truncated");
    if (type != 0x03 && type != 0x84)
      row(s.name + " + trailing byte", wire(type, body + '\0'), decoder, "trailing");
  }

  // Oversized and empty fields.
  const QByteArray u65(kMaxUserId + 1, 'u'), u64(kMaxUserId, 'u');
  const QByteArray cc = be(1, 8);
  row("HELLO name 65", wire(0x01, be(1, 1) + s8(QByteArray(kMaxClientName + 1, 'n'))),
      kClientDecoder, "too long");
  row("LOGIN token 513", wire(0x02, s16(QByteArray(kMaxToken + 1, 't'))), kClientDecoder,
      "too long");
  row("LOGIN token length 0xffff, body short", wire(0x02, be(0xffff, 2) + "abc"), kClientDecoder,
      "truncated");
  row("SEND recipient 65", wire(0x03, cc + s8(u65) + "hi"), kClientDecoder, "too long");
  row("SEND recipient empty", wire(0x03, cc + s8("") + "hi"), kClientDecoder, "empty");
  row("SEND payload 65537", wire(0x03, cc + s8("bob") + payload_qb(kMaxPayload + 1)),
      kClientDecoder, "payload too long");
  row("SEND recipient length past end", wire(0x03, cc + be(200, 1) + "bob"), kClientDecoder,
      "truncated");
  for (std::uint8_t t : {0x05, 0x06, 0x07}) {
    const QByteArray n = QByteArray(to_string(FrameType(t)));
    row(n + " user 65", wire(t, s8(u65)), kClientDecoder, "too long");
    row(n + " user empty", wire(t, s8("")), kClientDecoder, "empty");
  }
  row("CLIENT_BYE reason 1025", wire(0x09, s16(QByteArray(kMaxText + 1, 'x'))), kClientDecoder,
      "too long");
  row("HELLO_OK node id 65", wire(0x81, be(1, 1) + be(100, 4) + s8(u65)), kServerDecoder,
      "too long");
  row("LOGIN_OK user 65", wire(0x82, s8(u65) + be(1, 8)), kServerDecoder, "too long");
  row("LOGIN_OK user empty", wire(0x82, s8("") + be(1, 8)), kServerDecoder, "empty");
  row("DELIVER sender 65", wire(0x84, cc + s8(u65) + cc + cc + "hi"), kServerDecoder, "too long");
  row("DELIVER sender empty", wire(0x84, cc + s8("") + cc + cc + "hi"), kServerDecoder, "empty");
  row("DELIVER payload 65537", wire(0x84, cc + s8("a") + cc + cc + payload_qb(kMaxPayload + 1)),
      kServerDecoder, "payload too long");
  row("PRESENCE user 65", wire(0x85, s8(u65) + be(1, 1) + cc), kServerDecoder, "too long");
  row("PRESENCE user empty", wire(0x85, s8("") + be(1, 1) + cc), kServerDecoder, "empty");
  row("ERROR text 1025", wire(0x87, be(1, 2) + s16(QByteArray(kMaxText + 1, 'x'))), kServerDecoder,
      "too long");
  row("BYE text 1025", wire(0x88, be(1, 1) + be(0, 4) + s16(QByteArray(kMaxText + 1, 'x'))),
      kServerDecoder, "too long");
  row("REDIRECT node id 65", wire(0x89, s8(u65) + s8("h:1")), kServerDecoder, "too long");
  row("REDIRECT node id empty", wire(0x89, s8("") + s8("h:1")), kServerDecoder, "node_id is empty");
  row("REDIRECT node id length past end", wire(0x89, be(200, 1) + "n2" + s8("")), kServerDecoder,
      "truncated body (at node_id)");
  row("REDIRECT address length 255, 3 bytes", wire(0x89, s8("n2") + be(255, 1) + "h:1"),
      kServerDecoder, "truncated body (at address)");
  row("REDIRECT max address + trailing byte",
      wire(0x89, s8("n2") + s8(QByteArray(kMaxAddress, 'a')) + '\0'), kServerDecoder, "trailing");

  // ACK counts.
  row("ACK count 0", wire(0x04, be(0, 2)), kClientDecoder, "count 0 out of range");
  row("ACK count 0 with an id", wire(0x04, be(0, 2) + be(1, 8)), kClientDecoder,
      "count 0 out of range");
  {
    QByteArray ids;
    for (int i = 0; i < 257; ++i) ids += be(static_cast<std::uint64_t>(i + 1), 8);
    row("ACK count 257", wire(0x04, be(257, 2) + ids), kClientDecoder, "count 257 out of range");
  }
  row("ACK count 0xffff", wire(0x04, be(0xffff, 2) + be(1, 8)), kClientDecoder, "out of range");
  row("ACK count 3, 2 ids", wire(0x04, be(3, 2) + be(1, 8) + be(2, 8)), kClientDecoder,
      "truncated");
  row("ACK count 1, 2 ids", wire(0x04, be(1, 2) + be(1, 8) + be(2, 8)), kClientDecoder, "trailing");
  row("ACK count 1, 7 id bytes", wire(0x04, be(1, 2) + be(1, 7)), kClientDecoder, "truncated");
  row("ACK count 1, 9 id bytes", wire(0x04, be(1, 2) + be(1, 9)), kClientDecoder, "trailing");

  // Unknown and wrong-direction types.
  for (std::uint8_t t : {0x00, 0x0a, 0x7f, 0x80, 0x8a, 0xff})
    row("unknown type 0x" + QByteArray::number(t, 16), wire(t, be(0, 8)), kBothDecoders,
        "unknown frame type");
  for (const Sample& s : samples()) {
    if (s.wire.size() > 200) continue;
    const bool client = s.frame.v.index() == 0;
    row(s.name + " given to the wrong decoder", s.wire, client ? kServerDecoder : kClientDecoder,
        client ? "not a server->client frame" : "not a client->server frame");
  }

  // Bad enum values.
  const QByteArray ack_tail = be(0, 8) + be(0, 4);
  row("SEND_ACK status 6", wire(0x83, cc + be(6, 1) + ack_tail), kServerDecoder, "unknown value 6");
  row("SEND_ACK status 255", wire(0x83, cc + be(255, 1) + ack_tail), kServerDecoder,
      "unknown value 255");
  row("PRESENCE state 2", wire(0x85, s8("bob") + be(2, 1) + cc), kServerDecoder, "unknown value 2");
  row("PRESENCE state 255", wire(0x85, s8("bob") + be(255, 1) + cc), kServerDecoder,
      "unknown value 255");
  row("ERROR code 0", wire(0x87, be(0, 2) + s16("x")), kServerDecoder, "unknown value 0");
  row("ERROR code 9", wire(0x87, be(9, 2) + s16("x")), kServerDecoder, "unknown value 9");
  row("ERROR code 0xffff", wire(0x87, be(0xffff, 2) + s16("x")), kServerDecoder,
      "unknown value 65535");
  row("BYE reason 0", wire(0x88, be(0, 1) + be(0, 4) + s16("")), kServerDecoder, "unknown value 0");
  row("BYE reason 7", wire(0x88, be(7, 1) + be(0, 4) + s16("")), kServerDecoder, "unknown value 7");
  row("BYE reason 255", wire(0x88, be(255, 1) + be(0, 4) + s16("")), kServerDecoder,
      "unknown value 255");

  // Framing.
  const int kEmpty = int(SplitStatus::kEmpty), kTooLarge = int(SplitStatus::kTooLarge),
            kNeedMore = int(SplitStatus::kNeedMore);
  QTest::newRow("zero-length frame")
      << hex("00000000") << kEmpty << int(kBothDecoders) << QByteArray();
  QTest::newRow("zero-length frame, more bytes behind")
      << hex("00000000 08 0000000000000001") << kEmpty << int(kBothDecoders) << QByteArray();
  QTest::newRow("length max+1, no body")
      << be(kMaxFrameLength + 1, 4) << kTooLarge << int(kBothDecoders) << QByteArray();
  QTest::newRow("length max+1, body follows")
      << be(kMaxFrameLength + 1, 4) + QByteArray(100, '\x03') << kTooLarge << int(kBothDecoders)
      << QByteArray();
  QTest::newRow("length 0xffffffff")
      << hex("ffffffff 03") << kTooLarge << int(kBothDecoders) << QByteArray();
  QTest::newRow("3 header bytes") << hex("000000") << kNeedMore << int(kBothDecoders)
                                  << QByteArray();
  QTest::newRow("frame one byte short")
      << hex("00000009 08 00000000000000") << kNeedMore << int(kBothDecoders) << QByteArray();
  // The largest length the framing accepts is still no valid SEND: its payload is over the limit.
  {
    QByteArray body = cc + s8(u64);
    body += QByteArray(qsizetype{kMaxFrameLength} - 1 - body.size(), 'p');
    row("SEND of exactly max frame length", wire(0x03, body), kClientDecoder, "payload too long");
  }
}

void TstCodec::malformed() {
  QFETCH(QByteArray, bytes);
  QFETCH(int, split);
  QFETCH(int, decoder);
  QFETCH(QByteArray, reason);

  const SplitResult r = split_frame(span_of(bytes));
  QCOMPARE(int(r.status), split);

  if (r.status != SplitStatus::kFrame) {
    QCOMPARE(r.consumed, std::size_t{0});
    // The reader agrees with split_frame.
    FrameReader::State st;
    const auto frames = reassemble(bytes, 0, false, &st);
    QVERIFY(frames.isEmpty());
    if (r.status == SplitStatus::kNeedMore) {
      QCOMPARE(int(st), int(FrameReader::State::kNeedMore));
    } else {
      QCOMPARE(int(st), int(FrameReader::State::kError));
    }
    return;
  }
  QCOMPARE(r.consumed, std::size_t(bytes.size()));

  const ExactBody body(r.frame.body);
  const FrameView view{r.frame.type, body.view()};
  if (decoder == kClientDecoder || decoder == kBothDecoders) {
    auto d = decode_client(view);
    QVERIFY2(!d.is_ok(), "decode_client accepted it");
    QCOMPARE(int(d.status().code()), int(iris::StatusCode::kInvalidArgument));
    QVERIFY2(status_text(d.status()).contains(reason), qPrintable(status_text(d.status())));
  }
  if (decoder == kServerDecoder || decoder == kBothDecoders) {
    auto d = decode_server(view);
    QVERIFY2(!d.is_ok(), "decode_server accepted it");
    QCOMPARE(int(d.status().code()), int(iris::StatusCode::kInvalidArgument));
    QVERIFY2(status_text(d.status()).contains(reason), qPrintable(status_text(d.status())));
  }
}

void TstCodec::exactMaxLength() {
  // A length field of exactly max_frame_length is accepted by split_frame and by FrameReader.
  QByteArray big =
      be(kMaxFrameLength, 4) + '\x03' + QByteArray(qsizetype{kMaxFrameLength} - 1, 'z');
  auto r = split_frame(span_of(big));
  QCOMPARE(int(r.status), int(SplitStatus::kFrame));
  QCOMPARE(r.consumed, std::size_t{kMaxFrameLength} + 4);
  QCOMPARE(r.frame.body.size(), std::size_t{kMaxFrameLength} - 1);
  FrameReader::State st;
  QCOMPARE(reassemble(big, 4096, false, &st).size(), 1);
  QCOMPARE(int(st), int(FrameReader::State::kNeedMore));

  // With a custom limit, a valid PING of exactly that length splits and decodes; one less rejects.
  Bytes ping;
  encode(ping, Ping{77});
  QCOMPARE(ping.size(), std::size_t{13});
  r = split_frame(ping, 9);
  QCOMPARE(int(r.status), int(SplitStatus::kFrame));
  auto d = decode_client(r.frame);
  QVERIFY(d.is_ok());
  QCOMPARE(std::get<Ping>(*d).nonce, std::uint64_t{77});
  QCOMPARE(int(split_frame(ping, 8).status), int(SplitStatus::kTooLarge));

  FrameReader small(9);
  small.feed(ping);
  FrameView f;
  QCOMPARE(int(small.next(f)), int(FrameReader::State::kFrame));
  FrameReader smaller(8);
  smaller.feed(ping);
  QCOMPARE(int(smaller.next(f)), int(FrameReader::State::kError));
  QCOMPARE(int(smaller.error()), int(ErrorCode::kFrameTooLarge));

  // The largest frames a conforming peer sends fit well within the limit.
  const std::size_t largest_send = 1 + 8 + 1 + kMaxUserId + kMaxPayload;
  const std::size_t largest_deliver = 1 + 8 + 1 + kMaxUserId + 8 + kMaxPayload;
  QVERIFY(largest_send <= kMaxFrameLength);
  QVERIFY(largest_deliver <= kMaxFrameLength);
}

// ---------------------------------------------------------------------------------------------

void TstCodec::splitMerge_data() {
  QTest::addColumn<int>("chunk");  // 0 = the whole stream as one buffer
  QTest::addColumn<bool>("zeroCopy");
  for (int zc = 0; zc < 2; ++zc) {
    const char* mode = zc ? "prepare/commit" : "feed";
    QTest::addRow("%s, one buffer", mode) << 0 << bool(zc);
    for (int c = 1; c <= 17; ++c) QTest::addRow("%s, chunk %d", mode, c) << c << bool(zc);
    QTest::addRow("%s, chunk 4096", mode) << 4096 << bool(zc);
  }
}

void TstCodec::splitMerge() {
  QFETCH(int, chunk);
  QFETCH(bool, zeroCopy);

  // The stream: every sample, twice, in different orders.
  QByteArray stream;
  QList<QByteArray> expected;  // type byte + body, per frame
  for (int pass = 0; pass < 2; ++pass) {
    const auto& all = samples();
    for (std::size_t i = 0; i < all.size(); ++i) {
      const Sample& s = all[pass == 0 ? i : all.size() - 1 - i];
      stream += s.wire;
      expected.append(s.wire.mid(4));
    }
  }

  FrameReader::State last;
  const QList<QByteArray> got = reassemble(stream, chunk, zeroCopy, &last);
  QCOMPARE(int(last), int(FrameReader::State::kNeedMore));
  QCOMPARE(got.size(), expected.size());
  for (qsizetype i = 0; i < got.size(); ++i) QCOMPARE(got[i].toHex(' '), expected[i].toHex(' '));
}

void TstCodec::readerErrorIsSticky_data() {
  QTest::addColumn<QByteArray>("bad");
  QTest::addColumn<int>("error");
  QTest::newRow("too large") << be(kMaxFrameLength + 1, 4) << int(ErrorCode::kFrameTooLarge);
  QTest::newRow("zero length") << hex("00000000") << int(ErrorCode::kBadFrame);
}

void TstCodec::readerErrorIsSticky() {
  QFETCH(QByteArray, bad);
  QFETCH(int, error);
  Bytes good;
  encode(good, Ping{1});
  encode(good, Ping{2});

  FrameReader reader;
  reader.feed(good);
  reader.feed(span_of(bad));
  reader.feed(good);
  FrameView f;
  // Frames before the bad header still come out, in order.
  QCOMPARE(int(reader.next(f)), int(FrameReader::State::kFrame));
  QCOMPARE(qb(f.body), be(1, 8));
  QCOMPARE(int(reader.next(f)), int(FrameReader::State::kFrame));
  QCOMPARE(qb(f.body), be(2, 8));
  QCOMPARE(int(reader.next(f)), int(FrameReader::State::kError));
  QCOMPARE(int(reader.error()), error);
  // Valid frames after the error never come out, however they are fed.
  for (int i = 0; i < 3; ++i) {
    reader.feed(good);
    auto dst = reader.prepare(good.size());
    std::copy(good.begin(), good.end(), dst.begin());
    reader.commit(good.size());
    QCOMPARE(int(reader.next(f)), int(FrameReader::State::kError));
    QCOMPARE(int(reader.error()), error);
  }
  QVERIFY(reader.buffered() <= bad.size() + good.size() * 2);
}

void TstCodec::tooLargeRejectedOnLengthAlone() {
  const QByteArray header = be(kMaxFrameLength + 1, 4);
  FrameReader reader;
  FrameView f;
  for (int i = 0; i < 3; ++i) {
    reader.feed(span_of(header).subspan(static_cast<std::size_t>(i), 1));
    QCOMPARE(int(reader.next(f)), int(FrameReader::State::kNeedMore));
  }
  reader.feed(span_of(header).subspan(3, 1));
  QCOMPARE(reader.buffered(), std::size_t{4});
  QCOMPARE(int(reader.next(f)), int(FrameReader::State::kError));
  QCOMPARE(int(reader.error()), int(ErrorCode::kFrameTooLarge));

  // Same through split_frame: four bytes suffice, and a length of exactly max does not.
  QCOMPARE(int(split_frame(span_of(header)).status), int(SplitStatus::kTooLarge));
  QCOMPARE(int(split_frame(span_of(be(kMaxFrameLength, 4))).status), int(SplitStatus::kNeedMore));
}

void TstCodec::readerBufferStaysBounded() {
  // ~10 MB of small valid frames, fed in 4 KiB reads (both receive styles).
  QByteArray unit;
  {
    Bytes b;
    static const std::array<std::uint8_t, 38> payload{};
    encode(b, Send{1, "bob", std::span(payload).first(37)});
    encode(b, Ping{2});
    encode(b, Deliver{3, "alice", 5, 4, payload});
    encode(b, Pong{5});
    unit = qb(b);
  }
  // An odd unit never lines up with the 4 KiB reads, so a partial frame is always left over and
  // the reader has to compact (a reader that never reclaims consumed space would grow to 10 MB).
  QCOMPARE(unit.size() % 2, 1);
  const int frames_per_unit = 4;
  const int units = (10 << 20) / static_cast<int>(unit.size()) + 1;
  QByteArray stream;
  stream.reserve(unit.size() * units);
  for (int i = 0; i < units; ++i) stream += unit;

  constexpr std::size_t kChunk = 4096;
  const std::size_t bound = kMaxFrameLength + kChunk;
  for (bool zero_copy : {false, true}) {
    g_largest_allocation = 0;
    FrameReader reader;
    std::size_t max_buffered = 0;
    long frames = 0;
    for (qsizetype pos = 0; pos < stream.size(); pos += kChunk) {
      const auto piece = span_of(stream).subspan(
          static_cast<std::size_t>(pos),
          std::min<std::size_t>(kChunk, static_cast<std::size_t>(stream.size() - pos)));
      if (zero_copy) {
        auto dst = reader.prepare(kChunk);
        std::copy(piece.begin(), piece.end(), dst.begin());
        reader.commit(piece.size());
      } else {
        reader.feed(piece);
      }
      max_buffered = std::max(max_buffered, reader.buffered());
      QVERIFY2(reader.buffered() <= bound, qPrintable(QString::number(reader.buffered())));
      FrameView f;
      FrameReader::State st;
      while ((st = reader.next(f)) == FrameReader::State::kFrame) ++frames;
      QCOMPARE(int(st), int(FrameReader::State::kNeedMore));
      // After draining, at most one partial (small) frame is left.
      QVERIFY(reader.buffered() < std::size_t(unit.size()));
    }
    QCOMPARE(frames, long(units) * frames_per_unit);
    QCOMPARE(reader.buffered(), std::size_t{0});
    QVERIFY(max_buffered <= kChunk + std::size_t(unit.size()));
    // The memory behind it is bounded too, not just the unconsumed byte count.
    QVERIFY2(g_largest_allocation <= bound,
             qPrintable(QString::number(g_largest_allocation.load())));
  }
}

void TstCodec::noAllocationInSteadyState() {
  QByteArray stream;
  for (const Sample& s : samples()) stream += s.wire;
  FrameReader reader;
  Bytes out;
  out.reserve(static_cast<std::size_t>(stream.size()));
  long decoded = 0;
  auto pass = [&] {
    out.clear();
    for (qsizetype pos = 0; pos < stream.size(); pos += 4096) {
      reader.feed(span_of(stream).subspan(
          static_cast<std::size_t>(pos),
          std::min<std::size_t>(4096, static_cast<std::size_t>(stream.size() - pos))));
      FrameView f;
      while (reader.next(f) == FrameReader::State::kFrame) {
        if (static_cast<std::uint8_t>(f.type) < 0x80) {
          auto d = decode_client(f);
          if (!d.is_ok()) continue;
          encode(out, *d);
        } else {
          auto d = decode_server(f);
          if (!d.is_ok()) continue;
          encode(out, *d);
        }
        ++decoded;
      }
    }
  };
  pass();  // warm-up: the reader's buffer reaches its size
  QCOMPARE(decoded, long(samples().size()));
  QCOMPARE(qb(out), stream);
  const long before = g_allocations.load();
  pass();
  const long after = g_allocations.load();
  QCOMPARE(decoded, 2 * long(samples().size()));
  QCOMPARE(after - before, 0L);
  // The counter does count: an error Status allocates its message.
  const long err_before = g_allocations.load();
  QVERIFY(!decode_client(FrameView{FrameType::kPing, {}}).is_ok());
  QVERIFY(g_allocations.load() > err_before);
}

void TstCodec::toStringNames() {
  QCOMPARE(to_string(FrameType::kHello), "HELLO");
  QCOMPARE(to_string(FrameType::kPresenceUnsubscribe), "PRESENCE_UNSUBSCRIBE");
  QCOMPARE(to_string(FrameType::kSendAck), "SEND_ACK");
  QCOMPARE(to_string(FrameType::kBye), "BYE");
  QCOMPARE(to_string(FrameType::kRedirect), "REDIRECT");
  QCOMPARE(to_string(static_cast<FrameType>(0x8a)), "UNKNOWN");
  QCOMPARE(to_string(static_cast<FrameType>(0x7f)), "UNKNOWN");
  QCOMPARE(to_string(SendStatus::kRetryLater), "RETRY_LATER");
  QCOMPARE(to_string(static_cast<SendStatus>(6)), "UNKNOWN");
  QCOMPARE(to_string(ErrorCode::kUnsupportedVersion), "UNSUPPORTED_VERSION");
  QCOMPARE(to_string(static_cast<ErrorCode>(0)), "UNKNOWN");
  QCOMPARE(to_string(ByeReason::kSlowConsumer), "SLOW_CONSUMER");
  QCOMPARE(to_string(ByeReason::kHomeUnreachable), "HOME_UNREACHABLE");
  QCOMPARE(to_string(static_cast<ByeReason>(7)), "UNKNOWN");
  QCOMPARE(to_string(static_cast<ByeReason>(0)), "UNKNOWN");
}

// A REDIRECT answering LOGIN becomes a Redirected event; the pending SEND is kept (not sent on the
// redirected connection) and goes out, with the same client message id, after the next login.
void TstCodec::clientCoreSurfacesRedirect() {
  namespace c = iris::client;
  const std::uint64_t now = 1'000'000;
  c::ClientOptions options;
  options.token = "alice";
  c::ClientCore core(options, now);
  const std::uint64_t id = core.send("bob", "hi", now);
  QVERIFY(id != 0);
  core.on_connected(now);
  (void)core.take_output();  // HELLO + LOGIN

  Bytes in;
  encode(in, HelloOk{1, kMaxFrameLength, "node-1"});
  encode(in, Redirect{"node-2", "10.0.0.2:7400"});
  core.on_bytes(in, now);
  auto events = core.take_events();
  QCOMPARE(events.size(), std::size_t{1});
  const auto* r = std::get_if<c::Redirected>(&events[0]);
  QVERIFY(r != nullptr);
  QCOMPARE(QByteArray::fromStdString(r->node_id), QByteArray("node-2"));
  QCOMPARE(QByteArray::fromStdString(r->address), QByteArray("10.0.0.2:7400"));
  QVERIFY(!core.logged_in());
  QVERIFY(!core.has_output());  // no SEND went to the node that is not the user's home
  QCOMPARE(core.pending_sends(), std::size_t{1});

  // The node closes; the client logs in on the home node and the SEND goes out there.
  core.on_disconnected();
  core.on_connected(now + 1);
  (void)core.take_output();
  in.clear();
  encode(in, HelloOk{1, kMaxFrameLength, "node-2"});
  encode(in, LoginOk{"alice", 9});
  core.on_bytes(in, now + 2);
  QVERIFY(core.logged_in());
  const Bytes out = core.take_output();
  const SplitResult split = split_frame(out);
  QCOMPARE(int(split.status), int(SplitStatus::kFrame));
  QCOMPARE(split.consumed, out.size());
  auto sent = decode_client(split.frame);
  QVERIFY(sent.is_ok());
  const auto* send = std::get_if<Send>(&*sent);
  QVERIFY(send != nullptr);
  QCOMPARE(send->client_msg_id, id);
  QCOMPARE(qb(send->recipient), QByteArray("bob"));
}

// docs/protocol.md is normative and frames.h mirrors it: every code, name and limit must agree.
void TstCodec::docMatchesHeader() {
  QFile file(QStringLiteral(QT_TESTCASE_SOURCEDIR "/../../docs/protocol.md"));
  QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(file.fileName()));
  const QString doc = QString::fromUtf8(file.readAll());
  auto has_row = [&doc](const QString& first_cell, const QString& second_cell) {
    const QRegularExpression re(
        QStringLiteral("\\|\\s*%1\\s*\\|\\s*%2\\s*\\|")
            .arg(QRegularExpression::escape(first_cell), QRegularExpression::escape(second_cell)));
    return re.match(doc).hasMatch();
  };
  auto code = [](const char* name) { return QStringLiteral("`%1`").arg(QLatin1String(name)); };

  int types = 0;
  for (int t = 0; t < 256; ++t) {
    const char* name = to_string(static_cast<FrameType>(t));
    if (QByteArray(name) == "UNKNOWN") continue;
    ++types;
    const QString hex_type = QStringLiteral("`0x%1`").arg(t, 2, 16, QLatin1Char('0'));
    QVERIFY2(has_row(hex_type, code(name)), name);
  }
  QCOMPARE(types, 18);
  for (int v = 0; v <= 5; ++v) {
    const char* name = to_string(static_cast<SendStatus>(v));
    QVERIFY2(has_row(QString::number(v), code(name)), name);
  }
  for (int v = 1; v <= 8; ++v) {
    const char* name = to_string(static_cast<ErrorCode>(v));
    QVERIFY2(has_row(QString::number(v), code(name)), name);
  }
  for (int v = 1; v <= 6; ++v) {
    const char* name = to_string(static_cast<ByeReason>(v));
    QVERIFY2(has_row(QString::number(v), code(name)), name);
  }
  QVERIFY(has_row(QStringLiteral("0"), QStringLiteral("`OFFLINE`")));
  QVERIFY(has_row(QStringLiteral("1"), QStringLiteral("`ONLINE`")));

  auto number = [](std::uint64_t v) {  // "65 536" style, as the doc writes limits
    QString s = QString::number(v);
    for (qsizetype i = s.size() - 3; i > 0; i -= 3) s.insert(i, QLatin1Char(' '));
    return s;
  };
  const std::pair<const char*, std::uint64_t> limits[] = {
      {"kMaxFrameLength", kMaxFrameLength},
      {"kMaxPayload", kMaxPayload},
      {"kMaxUserId", kMaxUserId},
      {"kMaxToken", kMaxToken},
      {"kMaxText", kMaxText},
      {"kMaxClientName", kMaxClientName},
      {"kMaxAckIds", kMaxAckIds},
      {"kMaxAddress", kMaxAddress},
      {"kHeaderSize", kHeaderSize},
  };
  for (const auto& [name, value] : limits) QVERIFY2(has_row(code(name), number(value)), name);
}

QTEST_APPLESS_MAIN(TstCodec)
#include "tst_codec.moc"
