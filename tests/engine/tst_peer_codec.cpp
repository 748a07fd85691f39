// Peer (node-to-node) codec: round trips against golden bytes, malformed input, stream reassembly.

#include <QtTest>
#include <algorithm>
#include <cstdint>
#include <limits>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "codec_test_support.h"
#include "engine/peer/peer_codec.h"

using namespace iris;
using namespace iris::peer;
using cluster::kLocalNode;
using namespace codec_test;
using protocol::Bytes;
using protocol::PresenceState;
using protocol::SendStatus;

namespace {

constexpr std::uint64_t kMax64 = std::numeric_limits<std::uint64_t>::max();
// A proposal's round as a coordinator draws it (at random, non-zero): every byte distinct, so a
// byte-order or field-order slip shows.
constexpr std::uint64_t kRound = 0xfedcba9876543210ull;

std::string payload_of(std::size_t n) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>(i * 7 + 3);
  return s;
}

// The core structs have members that are not on the wire, so they are built field by field.
core::RouteMessage route(std::uint64_t epoch, std::uint64_t relay_id, std::string sender,
                         std::string recipient, std::uint64_t client_msg_id,
                         std::uint64_t accepted_us, std::string payload) {
  core::RouteMessage m;
  m.epoch = epoch;
  m.relay_id = relay_id;
  m.sender = std::move(sender);
  m.recipient = std::move(recipient);
  m.client_msg_id = client_msg_id;
  m.accepted_us = accepted_us;
  m.payload = std::move(payload);
  return m;
}
core::SendOutcome outcome(std::uint64_t relay_id, std::string sender, std::uint64_t client_msg_id,
                          SendStatus status, std::uint64_t server_msg_id,
                          std::uint32_t retry_after_ms) {
  core::SendOutcome o;
  o.relay_id = relay_id;
  o.sender = std::move(sender);
  o.client_msg_id = client_msg_id;
  o.status = status;
  o.server_msg_id = server_msg_id;
  o.retry_after_ms = retry_after_ms;
  return o;
}
core::PresenceRequest request(core::PresenceRequest::Kind kind, std::string requester,
                              std::string target) {
  core::PresenceRequest r;
  r.kind = kind;
  r.requester = std::move(requester);
  r.target = std::move(target);
  return r;
}
core::PresenceNotice notice(std::string subscriber, std::string target, PresenceState state,
                            std::uint64_t last_seen_ms) {
  core::PresenceNotice n;
  n.subscriber = std::move(subscriber);
  n.target = std::move(target);
  n.state = state;
  n.last_seen_ms = last_seen_ms;
  return n;
}
// The same RouteMessage as a hand-over (HANDOVER_MESSAGE), the same SendOutcome as the answer to
// one (HANDOVER_OUTCOME): only `handover` and `recipient` select the type.
core::RouteMessage handover(core::RouteMessage m) {
  m.handover = true;
  return m;
}
core::SendOutcome for_recipient(core::SendOutcome o, std::string recipient) {
  o.recipient = std::move(recipient);
  return o;
}
cluster::Member member(std::string id, std::string peer_address, std::string client_address,
                       cluster::MemberState state) {
  return cluster::Member{std::move(id), std::move(peer_address), std::move(client_address), state};
}
// A member on the wire, built independently of the codec: str8 id, str8 peer address, str8
// client address, u8 state.
QByteArray member_wire(const QByteArray& id, const QByteArray& peer_address,
                       const QByteArray& client_address, int state) {
  return s8(id) + s8(peer_address) + s8(client_address) + be(std::uint64_t(state), 1);
}
// The id of member i of the largest view: 64 bytes, distinct.
std::string max_member_id(std::size_t i) {
  std::string digits = std::to_string(i);
  return std::string(kMaxNodeId - digits.size(), 'n') + digits;
}

struct Sample {
  QByteArray name;
  PeerFrame frame;
  QByteArray wire;  // expected encoding
};

const std::vector<Sample>& samples() {
  using Kind = core::PresenceRequest::Kind;
  using State = cluster::MemberState;
  static const std::vector<Sample> all = [] {
    const std::string c64(kMaxClusterName, 'c'), n64(kMaxNodeId, 'n');
    const std::string u64a(protocol::kMaxUserId, 'a'), u64b(protocol::kMaxUserId, 'b');
    const std::string max_payload = payload_of(protocol::kMaxPayload);
    const std::string binary("\x00\xff\x00\x0a", 4);
    const std::string a255(cluster::kMaxAddress, 'p'), c255(cluster::kMaxAddress, 'c');
    const std::string r255(cluster::kMaxReason, 'r');
    std::vector<Sample> v;
    // docs/cluster.md's worked example (the current version, 2).
    v.push_back({"PEER_HELLO", PeerHello{2, "iris", "node-1", 7, 3},
                 hex("00000021 01 00000002 0469726973 066e6f64652d31 0000000000000007 "
                     "0000000000000003")});
    v.push_back({"PEER_HELLO version 1", PeerHello{1, "iris", "node-1", 7, 3},
                 hex("00000021 01 00000001 0469726973 066e6f64652d31 0000000000000007 "
                     "0000000000000003")});
    v.push_back({"PEER_HELLO empty cluster, 1-byte id, zeros", PeerHello{0, "", "n", 0, 0},
                 hex("00000018 01 00000000 00 016e 0000000000000000 0000000000000000")});
    v.push_back({"PEER_HELLO max", PeerHello{0xffffffffu, c64, n64, kMax64, kMax64},
                 wire(0x01, be(0xffffffffu, 4) + s8(qb(c64)) + s8(qb(n64)) + be(kMax64, 8) +
                                be(kMax64, 8))});
    v.push_back({"HEARTBEAT", Heartbeat{1, 0x1122334455667788ull, 2, 3},
                 hex("00000021 02 0000000000000001 1122334455667788 0000000000000002 "
                     "0000000000000003")});
    v.push_back({"HEARTBEAT handed over behind its epoch", Heartbeat{9, 1000, 5, 4},
                 hex("00000021 02 0000000000000009 00000000000003e8 0000000000000005 "
                     "0000000000000004")});
    v.push_back({"HEARTBEAT zeros", Heartbeat{0, 0, 0, 0}, wire(0x02, be(0, 32))});
    v.push_back({"HEARTBEAT max", Heartbeat{kMax64, kMax64, kMax64, kMax64},
                 hex("00000021 02 ffffffffffffffff ffffffffffffffff ffffffffffffffff "
                     "ffffffffffffffff")});
    v.push_back({"HEARTBEAT_ACK", HeartbeatAck{5, 1700000000000000ull},
                 hex("00000011 03 0000000000000005 00060a24181e4000")});
    v.push_back({"HEARTBEAT_ACK zeros", HeartbeatAck{0, 0}, wire(0x03, be(0, 16))});
    v.push_back({"HEARTBEAT_ACK max", HeartbeatAck{kMax64, kMax64},
                 wire(0x03, be(kMax64, 8) + be(kMax64, 8))});
    v.push_back({"ROUTE_MESSAGE", route(3, 9, "alice", "bob", 42, 1000, "hi"),
                 hex("00000031 04 0000000000000003 0000000000000009 05616c696365 03626f62 "
                     "000000000000002a 00000000000003e8 00000002 6869")});
    v.push_back({"ROUTE_MESSAGE empty payload, 1-byte ids, zeros", route(0, 0, "a", "b", 0, 0, ""),
                 hex("00000029 04 0000000000000000 0000000000000000 0161 0162 0000000000000000 "
                     "0000000000000000 00000000")});
    v.push_back({"ROUTE_MESSAGE binary payload", route(1, 2, "a", "b", 3, 4, binary),
                 wire(0x04, be(1, 8) + be(2, 8) + s8("a") + s8("b") + be(3, 8) + be(4, 8) +
                                b32(qb(binary)))});
    v.push_back({"ROUTE_MESSAGE max",
                 route(kMax64, kMax64, u64a, u64b, kMax64, kMax64, max_payload),
                 wire(0x04, be(kMax64, 8) + be(kMax64, 8) + s8(qb(u64a)) + s8(qb(u64b)) +
                                be(kMax64, 8) + be(kMax64, 8) + b32(qb(max_payload)))});
    // HANDOVER_MESSAGE: ROUTE_MESSAGE's layout under type 0x0e.
    v.push_back({"HANDOVER_MESSAGE", handover(route(3, 9, "alice", "bob", 42, 1000, "hi")),
                 hex("00000031 0e 0000000000000003 0000000000000009 05616c696365 03626f62 "
                     "000000000000002a 00000000000003e8 00000002 6869")});
    v.push_back({"HANDOVER_MESSAGE empty payload, 1-byte ids, zeros",
                 handover(route(0, 0, "a", "b", 0, 0, "")),
                 hex("00000029 0e 0000000000000000 0000000000000000 0161 0162 0000000000000000 "
                     "0000000000000000 00000000")});
    v.push_back({"HANDOVER_MESSAGE binary payload", handover(route(1, 2, "a", "b", 3, 4, binary)),
                 wire(0x0e, be(1, 8) + be(2, 8) + s8("a") + s8("b") + be(3, 8) + be(4, 8) +
                                b32(qb(binary)))});
    v.push_back({"HANDOVER_MESSAGE max",
                 handover(route(kMax64, kMax64, u64a, u64b, kMax64, kMax64, max_payload)),
                 wire(0x0e, be(kMax64, 8) + be(kMax64, 8) + s8(qb(u64a)) + s8(qb(u64b)) +
                                be(kMax64, 8) + be(kMax64, 8) + b32(qb(max_payload)))});
    v.push_back({"SEND_OUTCOME ok", outcome(9, "alice", 42, SendStatus::kOk, 7, 0),
                 hex("00000024 05 0000000000000009 05616c696365 000000000000002a 00 "
                     "0000000000000007 00000000")});
    const std::pair<const char*, SendStatus> statuses[] = {
        {"retry later", SendStatus::kRetryLater},
        {"too large", SendStatus::kTooLarge},
        {"unknown recipient", SendStatus::kUnknownRecipient},
        {"store unavailable", SendStatus::kStoreUnavailable},
        {"invalid", SendStatus::kInvalid},
    };
    for (const auto& [name, st] : statuses) {
      v.push_back({QByteArray("SEND_OUTCOME ") + name, outcome(1, "a", 2, st, 0, 1500),
                   wire(0x05, be(1, 8) + s8("a") + be(2, 8) + be(std::uint64_t(st), 1) + be(0, 8) +
                                  be(1500, 4))});
    }
    v.push_back({"SEND_OUTCOME max",
                 outcome(kMax64, u64a, kMax64, SendStatus::kOk, kMax64, 0xffffffffu),
                 wire(0x05, be(kMax64, 8) + s8(qb(u64a)) + be(kMax64, 8) + be(0, 1) +
                                be(kMax64, 8) + be(0xffffffffu, 4))});
    // HANDOVER_OUTCOME: "SEND_OUTCOME ok" above with a recipient, which goes after relay_id.
    v.push_back({"HANDOVER_OUTCOME ok",
                 for_recipient(outcome(9, "alice", 42, SendStatus::kOk, 7, 0), "bob"),
                 hex("00000028 0f 0000000000000009 03626f62 05616c696365 000000000000002a 00 "
                     "0000000000000007 00000000")});
    v.push_back({"HANDOVER_OUTCOME retry later, 1-byte ids",
                 for_recipient(outcome(1, "a", 2, SendStatus::kRetryLater, 0, 1500), "b"),
                 hex("00000022 0f 0000000000000001 0162 0161 0000000000000002 01 "
                     "0000000000000000 000005dc")});
    for (const auto& [name, st] : statuses) {
      v.push_back({QByteArray("HANDOVER_OUTCOME ") + name + ", zeros",
                   for_recipient(outcome(0, "a", 0, st, 0, 0), "b"),
                   wire(0x0f, be(0, 8) + s8("b") + s8("a") + be(0, 8) + be(std::uint64_t(st), 1) +
                                  be(0, 8) + be(0, 4))});
    }
    v.push_back(
        {"HANDOVER_OUTCOME max",
         for_recipient(outcome(kMax64, u64a, kMax64, SendStatus::kOk, kMax64, 0xffffffffu), u64b),
         wire(0x0f, be(kMax64, 8) + s8(qb(u64b)) + s8(qb(u64a)) + be(kMax64, 8) + be(0, 1) +
                        be(kMax64, 8) + be(0xffffffffu, 4))});
    v.push_back({"PRESENCE_REQUEST subscribe", request(Kind::kSubscribe, "alice", "bob"),
                 hex("0000000c 06 00 05616c696365 03626f62")});
    v.push_back({"PRESENCE_REQUEST unsubscribe", request(Kind::kUnsubscribe, "alice", "bob"),
                 hex("0000000c 06 01 05616c696365 03626f62")});
    v.push_back({"PRESENCE_REQUEST query", request(Kind::kQuery, "a", "b"),
                 hex("00000006 06 02 0161 0162")});
    v.push_back({"PRESENCE_REQUEST max ids", request(Kind::kQuery, u64a, u64b),
                 wire(0x06, be(2, 1) + s8(qb(u64a)) + s8(qb(u64b)))});
    v.push_back({"PRESENCE_NOTICE online",
                 notice("alice", "bob", PresenceState::kOnline, 1700000000123ull),
                 hex("00000014 07 05616c696365 03626f62 01 0000018bcfe5687b")});
    v.push_back({"PRESENCE_NOTICE offline, never seen",
                 notice("a", "b", PresenceState::kOffline, 0),
                 hex("0000000e 07 0161 0162 00 0000000000000000")});
    v.push_back({"PRESENCE_NOTICE max", notice(u64a, u64b, PresenceState::kOnline, kMax64),
                 wire(0x07, s8(qb(u64a)) + s8(qb(u64b)) + be(1, 1) + be(kMax64, 8))});

    // The view-change frames. Members: str8 id, str8 peer address, str8 client address, u8 state.
    // VIEW_PREPARE, VIEW_VOTE, VIEW_ABORT and VIEW_QUERY name a proposal by epoch, round and
    // coordinator; round is any u64 on the wire (0, which no coordinator draws, included).
    v.push_back({"VIEW_PREPARE",
                 ViewPrepare{2,
                             kRound,
                             "n1",
                             {member("n1", "h1:7101", "h1:7001", State::kActive),
                              member("n2", "h2:7102", "h2:7002", State::kJoining)}},
                 hex("0000003e 08 0000000000000002 fedcba9876543210 026e31 0002 "
                     "026e31 0768313a37313031 0768313a37303031 00 "
                     "026e32 0768323a37313032 0768323a37303032 01")});
    // The same epoch proposed again after an abort: another round (here a small one).
    v.push_back({"VIEW_PREPARE same epoch, next round",
                 ViewPrepare{2, 1, "n1", {member("n1", "h1:7101", "h1:7001", State::kActive)}},
                 hex("0000002a 08 0000000000000002 0000000000000001 026e31 0001 "
                     "026e31 0768313a37313031 0768313a37303031 00")});
    v.push_back({"VIEW_PREPARE one member, empty addresses, zeros",
                 ViewPrepare{0, 0, "n", {member("n", "", "", State::kActive)}},
                 hex("0000001a 08 0000000000000000 0000000000000000 016e 0001 016e 00 00 00")});
    {
      ViewPrepare f{kMax64, kMax64, n64, {}};
      QByteArray body = be(kMax64, 8) + be(kMax64, 8) + s8(qb(n64)) + be(4, 2);
      for (int st = 0; st < 4; ++st) {
        const std::string id = std::string(kMaxNodeId - 1, 'm') + char('0' + st);
        f.members.push_back(member(id, a255, c255, static_cast<State>(st)));
        body += member_wire(qb(id), qb(a255), qb(c255), st);
      }
      v.push_back(
          {"VIEW_PREPARE max ids and addresses, every state", std::move(f), wire(0x08, body)});
    }
    v.push_back({"VIEW_VOTE yes", ViewVote{2, kRound, "n1", true, ""},
                 hex("00000016 09 0000000000000002 fedcba9876543210 026e31 01 00")});
    // docs/cluster.md's worked example.
    v.push_back({"VIEW_VOTE refusal", ViewVote{2, kRound, "n1", false, "n3 is down"},
                 hex("00000020 09 0000000000000002 fedcba9876543210 026e31 00 "
                     "0a 6e3320697320646f776e")});
    v.push_back({"VIEW_VOTE zeros", ViewVote{0, 0, "n", false, ""},
                 hex("00000015 09 0000000000000000 0000000000000000 016e 00 00")});
    v.push_back(
        {"VIEW_VOTE max", ViewVote{kMax64, kMax64, n64, true, r255},
         wire(0x09, be(kMax64, 8) + be(kMax64, 8) + s8(qb(n64)) + be(1, 1) + s8(qb(r255)))});
    v.push_back({"VIEW_COMMIT every state",
                 ViewCommit{5,
                            {member("n1", "h1:7101", "h1:7001", State::kActive),
                             member("n2", "", "", State::kJoining),
                             member("n3", "h3:7103", "h3:7003", State::kLeaving),
                             member("n4", "", "", State::kLeft)}},
                 hex("0000003f 0a 0000000000000005 0004 "
                     "026e31 0768313a37313031 0768313a37303031 00 "
                     "026e32 00 00 01 "
                     "026e33 0768333a37313033 0768333a37303033 02 "
                     "026e34 00 00 03")});
    v.push_back({"VIEW_COMMIT one member, empty addresses, zeros",
                 ViewCommit{0, {member("n", "", "", State::kActive)}},
                 hex("00000010 0a 0000000000000000 0001 016e 000000")});
    v.push_back(
        {"VIEW_COMMIT max id and addresses",
         ViewCommit{kMax64, {member(n64, a255, c255, State::kLeft)}},
         wire(0x0a, be(kMax64, 8) + be(1, 2) + member_wire(qb(n64), qb(a255), qb(c255), 3))});
    {
      // The most members, 64-byte ids, no addresses (the simulator's views): limits() checks it.
      ViewCommit f{kMax64, {}};
      QByteArray body = be(kMax64, 8) + be(cluster::kMaxMembers, 2);
      for (std::size_t i = 0; i < cluster::kMaxMembers; ++i) {
        const int st = static_cast<int>(i % 4);
        f.members.push_back(member(max_member_id(i), "", "", static_cast<State>(st)));
        body += member_wire(qb(max_member_id(i)), "", "", st);
      }
      v.push_back({"VIEW_COMMIT max members", std::move(f), wire(0x0a, body)});
    }
    v.push_back({"VIEW_ABORT", ViewAbort{2, kRound, "n1"},
                 hex("00000014 0b 0000000000000002 fedcba9876543210 026e31")});
    v.push_back({"VIEW_ABORT zeros", ViewAbort{0, 0, "n"},
                 hex("00000013 0b 0000000000000000 0000000000000000 016e")});
    v.push_back({"VIEW_ABORT max", ViewAbort{kMax64, kMax64, n64},
                 wire(0x0b, be(kMax64, 8) + be(kMax64, 8) + s8(qb(n64)))});
    v.push_back({"VIEW_QUERY", ViewQuery{2, kRound, "n1"},
                 hex("00000014 0c 0000000000000002 fedcba9876543210 026e31")});
    // No coordinator, round 0: the catch-up question Reconfig asks a peer whose heartbeat is ahead.
    v.push_back({"VIEW_QUERY no coordinator", ViewQuery{7, 0, ""},
                 hex("00000012 0c 0000000000000007 0000000000000000 00")});
    // Round 0 with no coordinator is a convention, not a wire rule: any round decodes.
    v.push_back({"VIEW_QUERY no coordinator, a round", ViewQuery{7, kRound, ""},
                 hex("00000012 0c 0000000000000007 fedcba9876543210 00")});
    v.push_back({"VIEW_QUERY zeros", ViewQuery{0, 0, ""}, wire(0x0c, be(0, 17))});
    v.push_back({"VIEW_QUERY max", ViewQuery{kMax64, kMax64, n64},
                 wire(0x0c, be(kMax64, 8) + be(kMax64, 8) + s8(qb(n64)))});
    v.push_back({"JOIN_REQUEST", JoinRequest{"n4", "h4:7104", "h4:7004"},
                 hex("00000014 0d 026e34 0768343a37313034 0768343a37303034")});
    v.push_back({"JOIN_REQUEST 1-byte id, empty addresses", JoinRequest{"n", "", ""},
                 hex("00000005 0d 016e 00 00")});
    v.push_back({"JOIN_REQUEST max", JoinRequest{n64, a255, c255},
                 wire(0x0d, s8(qb(n64)) + s8(qb(a255)) + s8(qb(c255)))});
    return v;
  }();
  return all;
}

// ---- field-by-field comparison (QCOMPARE returns from these on mismatch) ----
void same(const PeerHello& a, const PeerHello& b) {
  QCOMPARE(a.version, b.version);
  QCOMPARE(qb(a.cluster), qb(b.cluster));
  QCOMPARE(qb(a.node_id), qb(b.node_id));
  QCOMPARE(a.incarnation, b.incarnation);
  QCOMPARE(a.epoch, b.epoch);
}
void same(const Heartbeat& a, const Heartbeat& b) {
  QCOMPARE(a.seq, b.seq);
  QCOMPARE(a.sent_us, b.sent_us);
  QCOMPARE(a.epoch, b.epoch);
  QCOMPARE(a.handover_epoch, b.handover_epoch);
}
void same(const HeartbeatAck& a, const HeartbeatAck& b) {
  QCOMPARE(a.seq, b.seq);
  QCOMPARE(a.echo_sent_us, b.echo_sent_us);
}
void same(const core::RouteMessage& a, const core::RouteMessage& b) {
  QCOMPARE(a.epoch, b.epoch);
  QCOMPARE(a.relay_id, b.relay_id);
  QCOMPARE(qb(a.sender), qb(b.sender));
  QCOMPARE(qb(a.recipient), qb(b.recipient));
  QCOMPARE(a.client_msg_id, b.client_msg_id);
  QCOMPARE(a.accepted_us, b.accepted_us);
  QCOMPARE(qb(a.payload), qb(b.payload));
  QCOMPARE(a.origin, b.origin);
  QCOMPARE(qb(a.target), qb(b.target));
  QCOMPARE(a.handover, b.handover);
}
void same(const core::SendOutcome& a, const core::SendOutcome& b) {
  QCOMPARE(a.relay_id, b.relay_id);
  QCOMPARE(qb(a.sender), qb(b.sender));
  QCOMPARE(a.client_msg_id, b.client_msg_id);
  QCOMPARE(int(a.status), int(b.status));
  QCOMPARE(a.server_msg_id, b.server_msg_id);
  QCOMPARE(a.retry_after_ms, b.retry_after_ms);
  QCOMPARE(a.origin, b.origin);
  QCOMPARE(qb(a.recipient), qb(b.recipient));
}
void same(const core::PresenceRequest& a, const core::PresenceRequest& b) {
  QCOMPARE(int(a.kind), int(b.kind));
  QCOMPARE(qb(a.requester), qb(b.requester));
  QCOMPARE(qb(a.target), qb(b.target));
  QCOMPARE(a.origin, b.origin);
}
void same(const core::PresenceNotice& a, const core::PresenceNotice& b) {
  QCOMPARE(qb(a.subscriber), qb(b.subscriber));
  QCOMPARE(qb(a.target), qb(b.target));
  QCOMPARE(int(a.state), int(b.state));
  QCOMPARE(a.last_seen_ms, b.last_seen_ms);
}
void same(const cluster::Member& a, const cluster::Member& b) {
  QCOMPARE(qb(a.id), qb(b.id));
  QCOMPARE(qb(a.peer_address), qb(b.peer_address));
  QCOMPARE(qb(a.client_address), qb(b.client_address));
  QCOMPARE(int(a.state), int(b.state));
}
void same(const std::vector<cluster::Member>& a, const std::vector<cluster::Member>& b) {
  QCOMPARE(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    same(a[i], b[i]);
    if (QTest::currentTestFailed()) {
      qWarning("member %d differs", int(i));
      return;
    }
  }
}
void same(const ViewPrepare& a, const ViewPrepare& b) {
  QCOMPARE(a.epoch, b.epoch);
  QCOMPARE(a.round, b.round);
  QCOMPARE(qb(a.coordinator), qb(b.coordinator));
  same(a.members, b.members);
}
void same(const ViewVote& a, const ViewVote& b) {
  QCOMPARE(a.epoch, b.epoch);
  QCOMPARE(a.round, b.round);
  QCOMPARE(qb(a.coordinator), qb(b.coordinator));
  QCOMPARE(a.yes, b.yes);
  QCOMPARE(qb(a.reason), qb(b.reason));
}
void same(const ViewCommit& a, const ViewCommit& b) {
  QCOMPARE(a.epoch, b.epoch);
  same(a.members, b.members);
}
void same(const ViewAbort& a, const ViewAbort& b) {
  QCOMPARE(a.epoch, b.epoch);
  QCOMPARE(a.round, b.round);
  QCOMPARE(qb(a.coordinator), qb(b.coordinator));
}
void same(const ViewQuery& a, const ViewQuery& b) {
  QCOMPARE(a.epoch, b.epoch);
  QCOMPARE(a.round, b.round);
  QCOMPARE(qb(a.coordinator), qb(b.coordinator));
}
void same(const JoinRequest& a, const JoinRequest& b) {
  QCOMPARE(qb(a.node_id), qb(b.node_id));
  QCOMPARE(qb(a.peer_address), qb(b.peer_address));
  QCOMPARE(qb(a.client_address), qb(b.client_address));
}
void same_frame(const PeerFrame& a, const PeerFrame& b) {
  QCOMPARE(a.index(), b.index());
  std::visit([&b](const auto& x) { same(x, std::get<std::decay_t<decltype(x)>>(b)); }, a);
}

QByteArray status_text(const Status& s) {
  return QByteArray::fromStdString(s.message());
}

// The frame's body copied into an allocation of exactly its size, so a decoder reading past the
// body trips AddressSanitizer (asan preset) instead of reading a neighbour's bytes.
struct ExactBody {
  explicit ExactBody(std::span<const std::uint8_t> b) : bytes(b.begin(), b.end()) {
    bytes.shrink_to_fit();
  }
  std::span<const std::uint8_t> view() const { return bytes; }
  std::vector<std::uint8_t> bytes;
};

// Feeds `pieces` to a PeerFrameReader in order (feed() or prepare()/commit()); returns every frame
// as type byte + body, and the reader's state after the last next().
QList<QByteArray> reassemble(const QList<QByteArray>& pieces, bool zero_copy,
                             PeerFrameReader::State* last = nullptr,
                             protocol::ErrorCode* error = nullptr) {
  PeerFrameReader reader;
  QList<QByteArray> frames;
  PeerFrameReader::State st = PeerFrameReader::State::kNeedMore;
  for (const QByteArray& piece : pieces) {
    if (zero_copy) {
      auto dst = reader.prepare(static_cast<std::size_t>(piece.size()));
      std::copy(piece.begin(), piece.end(), dst.begin());
      reader.commit(static_cast<std::size_t>(piece.size()));
    } else {
      reader.feed(span_of(piece));
    }
    PeerFrameView f;
    while ((st = reader.next(f)) == PeerFrameReader::State::kFrame)
      frames.append(static_cast<char>(f.type) + qb(f.body));
    if (st == PeerFrameReader::State::kError) break;
  }
  if (last) *last = st;
  if (error) *error = reader.error();
  return frames;
}
QList<QByteArray> chunks(const QByteArray& stream, qsizetype chunk) {
  QList<QByteArray> out;
  for (qsizetype pos = 0; pos < stream.size(); pos += chunk) out.append(stream.mid(pos, chunk));
  return out;
}

}  // namespace

class TstPeerCodec : public QObject {
  Q_OBJECT

 private slots:
  void roundTrip_data();
  void roundTrip();
  void localFieldsNotOnWire();
  void encodeAppends();
  void malformedBody_data();
  void malformedBody();
  void malformedFraming_data();
  void malformedFraming();
  void limits();
  void streamReassembly_data();
  void streamReassembly();
  void splitAtEveryBoundary();
  void readerErrorIsSticky();
  void names();
  void docMatchesCode();
};

// ---------------------------------------------------------------------------------------------

void TstPeerCodec::roundTrip_data() {
  QTest::addColumn<int>("index");
  for (std::size_t i = 0; i < samples().size(); ++i)
    QTest::newRow(samples()[i].name.constData()) << int(i);
}

void TstPeerCodec::roundTrip() {
  QFETCH(int, index);
  const Sample& s = samples()[static_cast<std::size_t>(index)];

  Bytes out;
  encode_peer(out, s.frame);
  if (s.wire.size() < 300) {
    QCOMPARE(qb(out).toHex(' '), s.wire.toHex(' '));
  } else {
    QCOMPARE(qb(out), s.wire);
  }

  // Whole-frame decode, from an allocation of exactly the frame's size.
  const ExactBody whole(out);
  auto decoded = decode_peer(whole.view());
  QVERIFY2(decoded.is_ok(), qPrintable(status_text(decoded.status())));
  same_frame(*decoded, s.frame);
  if (QTest::currentTestFailed()) return;
  QCOMPARE(peer_frame_name(*decoded), peer_frame_name(s.frame));
  QCOMPARE(int(peer_frame_type(*decoded)), int(static_cast<std::uint8_t>(s.wire[4])));

  // Through the reader: one frame, whose type is the opcode and whose body is the rest.
  PeerFrameReader reader;
  reader.feed(out);
  PeerFrameView view;
  QCOMPARE(int(reader.next(view)), int(PeerFrameReader::State::kFrame));
  QCOMPARE(int(view.type), int(static_cast<std::uint8_t>(s.wire[4])));
  QCOMPARE(qb(view.body), s.wire.mid(5));
  QCOMPARE(int(reader.next(view)), int(PeerFrameReader::State::kNeedMore));
  const ExactBody body(view.body);
  auto from_view = decode_peer(PeerFrameView{view.type, body.view()});
  QVERIFY2(from_view.is_ok(), qPrintable(status_text(from_view.status())));
  same_frame(*from_view, s.frame);
  if (QTest::currentTestFailed()) return;

  // Canonical: re-encoding the decoded frame gives the same bytes.
  Bytes again;
  encode_peer(again, *from_view);
  QCOMPARE(qb(again), qb(out));
}

void TstPeerCodec::localFieldsNotOnWire() {
  core::RouteMessage m = route(3, 9, "alice", "bob", 42, 1000, "hi");
  Bytes plain;
  encode_peer(plain, m);
  m.origin = 5;
  m.target = "carol";
  Bytes with_local;
  encode_peer(with_local, m);
  QCOMPARE(qb(with_local), qb(plain));
  auto d = decode_peer(std::span<const std::uint8_t>(with_local));
  QVERIFY(d.is_ok());
  const auto& got = std::get<core::RouteMessage>(*d);
  QCOMPARE(got.origin, kLocalNode);  // the receiving driver sets it from the link
  QVERIFY(got.target.empty());
  QCOMPARE(qb(got.recipient), QByteArray("bob"));

  core::SendOutcome o = outcome(9, "alice", 42, SendStatus::kOk, 7, 0);
  Bytes o_plain, o_local;
  encode_peer(o_plain, o);
  o.origin = 2;
  encode_peer(o_local, o);
  QCOMPARE(qb(o_local), qb(o_plain));
  QCOMPARE(std::get<core::SendOutcome>(*decode_peer(std::span<const std::uint8_t>(o_local))).origin,
           kLocalNode);

  core::PresenceRequest r = request(core::PresenceRequest::Kind::kSubscribe, "alice", "bob");
  Bytes r_plain, r_local;
  encode_peer(r_plain, r);
  r.origin = 1;
  encode_peer(r_local, r);
  QCOMPARE(qb(r_local), qb(r_plain));
  QCOMPARE(
      std::get<core::PresenceRequest>(*decode_peer(std::span<const std::uint8_t>(r_local))).origin,
      kLocalNode);

  // The same for the hand-over frames, which decode to the same C++ types.
  core::RouteMessage h = handover(route(3, 9, "alice", "bob", 42, 1000, "hi"));
  Bytes h_plain, h_local;
  encode_peer(h_plain, h);
  h.origin = 5;
  h.target = "carol";
  encode_peer(h_local, h);
  QCOMPARE(qb(h_local), qb(h_plain));
  QCOMPARE(qb(h_plain).mid(5), qb(plain).mid(5));  // ROUTE_MESSAGE's body, another type byte
  QCOMPARE(int(h_plain[4]), int(PeerFrameType::kHandoverMessage));
  auto hd = decode_peer(std::span<const std::uint8_t>(h_local));
  QVERIFY(hd.is_ok());
  const auto& h_got = std::get<core::RouteMessage>(*hd);
  QVERIFY(h_got.handover);
  QCOMPARE(h_got.origin, kLocalNode);
  QVERIFY(h_got.target.empty());

  core::SendOutcome ho = for_recipient(outcome(9, "alice", 42, SendStatus::kOk, 7, 0), "bob");
  Bytes ho_plain, ho_local;
  encode_peer(ho_plain, ho);
  ho.origin = 2;
  encode_peer(ho_local, ho);
  QCOMPARE(qb(ho_local), qb(ho_plain));
  const auto ho_got =
      std::get<core::SendOutcome>(*decode_peer(std::span<const std::uint8_t>(ho_local)));
  QCOMPARE(ho_got.origin, kLocalNode);
  QCOMPARE(qb(ho_got.recipient), QByteArray("bob"));
}

void TstPeerCodec::encodeAppends() {
  Bytes out = {0xaa, 0xbb};
  encode_peer(out, Heartbeat{1, 2, 3, 4});
  encode_peer(out, HeartbeatAck{1, 2});
  encode_peer(out, ViewAbort{5, 6, "n1"});
  QCOMPARE(qb(out).toHex(' '),
           hex("aabb 00000021 02 0000000000000001 0000000000000002 0000000000000003 "
               "0000000000000004 00000011 03 0000000000000001 0000000000000002 "
               "00000014 0b 0000000000000005 0000000000000006 026e31")
               .toHex(' '));
}

// ---------------------------------------------------------------------------------------------

// Frames whose length field is consistent (the reader yields them) but whose body is malformed.
void TstPeerCodec::malformedBody_data() {
  QTest::addColumn<QByteArray>("bytes");
  QTest::addColumn<QByteArray>("reason");  // substring of the error message
  auto row = [](const QByteArray& name, const QByteArray& bytes, const QByteArray& reason) {
    QTest::newRow(name.constData()) << bytes << reason;
  };

  // Truncated at every byte boundary of each body (every field is fixed or length-prefixed, so
  // every proper prefix is a truncation), and one byte too many.
  for (const Sample& s : samples()) {
    if (s.wire.size() > 300) continue;  // the max samples add nothing but rows
    const QByteArray body = s.wire.mid(5);
    const auto type = static_cast<std::uint8_t>(s.wire[4]);
    for (qsizetype cut = 0; cut < body.size(); ++cut)
      row(s.name + " body truncated to " + QByteArray::number(cut), wire(type, body.left(cut)),
          "truncated");
    row(s.name + " + trailing byte", wire(type, body + '\0'), "trailing");
    row(s.name + " + 8 trailing bytes", wire(type, body + be(kMax64, 8)), "8 trailing");
  }

  const QByteArray u65(protocol::kMaxUserId + 1, 'u');
  const QByteArray n8 = be(1, 8);
  // Over-long and empty strings.
  row("PEER_HELLO cluster 65", wire(0x01, be(1, 4) + s8(QByteArray(65, 'c')) + s8("n") + n8 + n8),
      "cluster too long");
  row("PEER_HELLO node id 65", wire(0x01, be(1, 4) + s8("c") + s8(QByteArray(65, 'n')) + n8 + n8),
      "node_id too long");
  row("PEER_HELLO node id 255", wire(0x01, be(1, 4) + s8("c") + s8(QByteArray(255, 'n')) + n8 + n8),
      "node_id too long (255 > 64 bytes)");
  row("PEER_HELLO node id empty", wire(0x01, be(1, 4) + s8("c") + s8("") + n8 + n8),
      "node_id is empty");
  row("PEER_HELLO cluster length past end", wire(0x01, be(1, 4) + be(30, 1) + "cc"),
      "truncated body (at cluster)");
  const QByteArray route_head = n8 + n8;
  const QByteArray route_tail = n8 + n8 + b32("hi");
  row("ROUTE_MESSAGE sender 65", wire(0x04, route_head + s8(u65) + s8("b") + route_tail),
      "sender too long");
  row("ROUTE_MESSAGE sender empty", wire(0x04, route_head + s8("") + s8("b") + route_tail),
      "sender is empty");
  row("ROUTE_MESSAGE recipient 65", wire(0x04, route_head + s8("a") + s8(u65) + route_tail),
      "recipient too long");
  row("ROUTE_MESSAGE recipient empty", wire(0x04, route_head + s8("a") + s8("") + route_tail),
      "recipient is empty");
  row("ROUTE_MESSAGE payload 65537",
      wire(0x04, route_head + s8("a") + s8("b") + n8 + n8 +
                     b32(qb(payload_of(protocol::kMaxPayload + 1)))),
      "payload too long (65537 > 65536 bytes)");
  row("ROUTE_MESSAGE payload length 65537, no bytes",
      wire(0x04, route_head + s8("a") + s8("b") + n8 + n8 + be(protocol::kMaxPayload + 1, 4)),
      "payload too long");
  row("ROUTE_MESSAGE payload length 0xffffffff",
      wire(0x04, route_head + s8("a") + s8("b") + n8 + n8 + be(0xffffffffu, 4) + "hi"),
      "payload too long (4294967295");
  row("ROUTE_MESSAGE payload length past end",
      wire(0x04, route_head + s8("a") + s8("b") + n8 + n8 + be(3, 4) + "hi"),
      "truncated body (at payload)");
  row("ROUTE_MESSAGE payload length short (trailing)",
      wire(0x04, route_head + s8("a") + s8("b") + n8 + n8 + be(1, 4) + "hi"), "1 trailing");
  const QByteArray outcome_tail = n8 + be(0, 1) + n8 + be(0, 4);
  row("SEND_OUTCOME sender 65", wire(0x05, n8 + s8(u65) + outcome_tail), "sender too long");
  row("SEND_OUTCOME sender empty", wire(0x05, n8 + s8("") + outcome_tail), "sender is empty");
  row("PRESENCE_REQUEST requester 65", wire(0x06, be(0, 1) + s8(u65) + s8("b")),
      "requester too long");
  row("PRESENCE_REQUEST requester empty", wire(0x06, be(0, 1) + s8("") + s8("b")),
      "requester is empty");
  row("PRESENCE_REQUEST target 65", wire(0x06, be(0, 1) + s8("a") + s8(u65)), "target too long");
  row("PRESENCE_REQUEST target empty", wire(0x06, be(0, 1) + s8("a") + s8("")), "target is empty");
  row("PRESENCE_NOTICE subscriber 65", wire(0x07, s8(u65) + s8("b") + be(1, 1) + n8),
      "subscriber too long");
  row("PRESENCE_NOTICE subscriber empty", wire(0x07, s8("") + s8("b") + be(1, 1) + n8),
      "subscriber is empty");
  row("PRESENCE_NOTICE target 65", wire(0x07, s8("a") + s8(u65) + be(1, 1) + n8),
      "target too long");
  row("PRESENCE_NOTICE target empty", wire(0x07, s8("a") + s8("") + be(1, 1) + n8),
      "target is empty");
  // HANDOVER_MESSAGE is checked like ROUTE_MESSAGE, and says which it is.
  row("HANDOVER_MESSAGE sender 65", wire(0x0e, route_head + s8(u65) + s8("b") + route_tail),
      "HANDOVER_MESSAGE: sender too long (65 > 64 bytes)");
  row("HANDOVER_MESSAGE sender empty", wire(0x0e, route_head + s8("") + s8("b") + route_tail),
      "HANDOVER_MESSAGE: sender is empty");
  row("HANDOVER_MESSAGE recipient 65", wire(0x0e, route_head + s8("a") + s8(u65) + route_tail),
      "HANDOVER_MESSAGE: recipient too long");
  row("HANDOVER_MESSAGE recipient empty", wire(0x0e, route_head + s8("a") + s8("") + route_tail),
      "HANDOVER_MESSAGE: recipient is empty");
  row("HANDOVER_MESSAGE payload length 65537, no bytes",
      wire(0x0e, route_head + s8("a") + s8("b") + n8 + n8 + be(protocol::kMaxPayload + 1, 4)),
      "HANDOVER_MESSAGE: payload too long (65537 > 65536 bytes)");
  // HANDOVER_OUTCOME: relay_id, recipient, sender, client_msg_id, status, server_msg_id, retry.
  row("HANDOVER_OUTCOME recipient empty", wire(0x0f, n8 + s8("") + s8("a") + outcome_tail),
      "HANDOVER_OUTCOME: recipient is empty");
  row("HANDOVER_OUTCOME recipient 65", wire(0x0f, n8 + s8(u65) + s8("a") + outcome_tail),
      "HANDOVER_OUTCOME: recipient too long (65 > 64 bytes)");
  row("HANDOVER_OUTCOME recipient 255",
      wire(0x0f, n8 + s8(QByteArray(255, 'u')) + s8("a") + outcome_tail),
      "HANDOVER_OUTCOME: recipient too long (255 > 64 bytes)");
  row("HANDOVER_OUTCOME sender empty", wire(0x0f, n8 + s8("b") + s8("") + outcome_tail),
      "HANDOVER_OUTCOME: sender is empty");
  row("HANDOVER_OUTCOME sender 65", wire(0x0f, n8 + s8("b") + s8(u65) + outcome_tail),
      "HANDOVER_OUTCOME: sender too long");
  // A SEND_OUTCOME's body under HANDOVER_OUTCOME: its sender is read as the recipient, and the
  // first byte of client_msg_id (0) as the sender's length.
  row("HANDOVER_OUTCOME with a SEND_OUTCOME body", wire(0x0f, n8 + s8("a") + outcome_tail),
      "HANDOVER_OUTCOME: sender is empty");

  // The view-change frames. A valid member: id n1, no addresses, active. VIEW_PREPARE,
  // VIEW_VOTE, VIEW_ABORT and VIEW_QUERY start with epoch and round (`proposal`).
  const QByteArray n65(kMaxNodeId + 1, 'n');
  const QByteArray one_member = be(1, 2) + member_wire("n1", "", "", 0);
  const QByteArray proposal = n8 + be(kRound, 8);
  const QByteArray prepare_head = proposal + s8("n1");
  // Epoch alone: the round is missing (also the layout before rounds, for a short coordinator).
  row("VIEW_PREPARE no round", wire(0x08, n8), "VIEW_PREPARE: truncated body (at round)");
  row("VIEW_VOTE no round", wire(0x09, n8), "VIEW_VOTE: truncated body (at round)");
  row("VIEW_ABORT no round", wire(0x0b, n8), "VIEW_ABORT: truncated body (at round)");
  row("VIEW_QUERY no round", wire(0x0c, n8), "VIEW_QUERY: truncated body (at round)");
  row("VIEW_ABORT without its round (the layout before rounds)", wire(0x0b, n8 + s8("n1")),
      "VIEW_ABORT: truncated body (at round)");
  row("VIEW_QUERY without its round (the layout before rounds)", wire(0x0c, n8 + s8("")),
      "VIEW_QUERY: truncated body (at round)");
  // A pre-round VIEW_VOTE refusal is long enough for a round: its coordinator, yes and reason
  // bytes are read as one, and then "i" (0x69 = 105) as the coordinator's length.
  row("VIEW_VOTE without its round (the layout before rounds)",
      wire(0x09, n8 + s8("n1") + be(0, 1) + s8("n3 is down")),
      "VIEW_VOTE: truncated body (at coordinator)");
  row("VIEW_PREPARE coordinator empty", wire(0x08, proposal + s8("") + one_member),
      "VIEW_PREPARE: coordinator is empty");
  row("VIEW_PREPARE coordinator 65", wire(0x08, proposal + s8(n65) + one_member),
      "VIEW_PREPARE: coordinator too long (65 > 64 bytes)");
  row("VIEW_PREPARE coordinator 255", wire(0x08, proposal + s8(QByteArray(255, 'n')) + one_member),
      "VIEW_PREPARE: coordinator too long (255 > 64 bytes)");
  row("VIEW_PREPARE coordinator length past end", wire(0x08, proposal + be(3, 1) + "n1"),
      "VIEW_PREPARE: truncated body (at coordinator)");
  row("VIEW_PREPARE no members", wire(0x08, prepare_head),
      "VIEW_PREPARE: truncated body (at member count)");
  // The member count: 1..1024, checked before any member is read.
  row("VIEW_PREPARE member count 0", wire(0x08, prepare_head + be(0, 2)),
      "VIEW_PREPARE: member count 0 out of range 1..1024");
  row("VIEW_PREPARE member count 0, a member behind",
      wire(0x08, prepare_head + be(0, 2) + member_wire("n1", "", "", 0)),
      "member count 0 out of range 1..1024");
  row("VIEW_PREPARE member count 1025",
      wire(0x08, prepare_head + be(1025, 2) + member_wire("n1", "", "", 0)),
      "VIEW_PREPARE: member count 1025 out of range 1..1024");
  row("VIEW_PREPARE member count 65535, no members", wire(0x08, prepare_head + be(0xffff, 2)),
      "member count 65535 out of range 1..1024");
  row("VIEW_PREPARE member count 2, one member",
      wire(0x08, prepare_head + be(2, 2) + member_wire("n1", "", "", 0)),
      "VIEW_PREPARE: truncated body (at member id)");
  row("VIEW_PREPARE member count 1, two members",
      wire(0x08, prepare_head + one_member + member_wire("n2", "", "", 0)),
      "VIEW_PREPARE: 6 trailing byte(s)");
  row("VIEW_PREPARE member id empty",
      wire(0x08, prepare_head + be(1, 2) + member_wire("", "", "", 0)),
      "VIEW_PREPARE: member id is empty");
  row("VIEW_PREPARE member id 65",
      wire(0x08, prepare_head + be(1, 2) + member_wire(n65, "", "", 0)),
      "VIEW_PREPARE: member id too long (65 > 64 bytes)");
  row("VIEW_PREPARE member peer address past end",
      wire(0x08, prepare_head + be(1, 2) + s8("n1") + be(9, 1) + "h1:7101"),
      "VIEW_PREPARE: truncated body (at peer address)");
  row("VIEW_PREPARE member client address past end",
      wire(0x08, prepare_head + be(1, 2) + s8("n1") + s8("h1:7101") + be(255, 1) + "h1"),
      "VIEW_PREPARE: truncated body (at client address)");
  row("VIEW_PREPARE member state missing",
      wire(0x08, prepare_head + be(1, 2) + s8("n1") + s8("") + s8("")),
      "VIEW_PREPARE: truncated body (at member state)");
  row("VIEW_PREPARE second member id empty",
      wire(0x08,
           prepare_head + be(2, 2) + member_wire("n1", "", "", 0) + member_wire("", "", "", 0)),
      "VIEW_PREPARE: member id is empty");
  row("VIEW_COMMIT member count 0", wire(0x0a, n8 + be(0, 2)),
      "VIEW_COMMIT: member count 0 out of range 1..1024");
  row("VIEW_COMMIT member count 1025", wire(0x0a, n8 + be(1025, 2) + member_wire("n1", "", "", 0)),
      "VIEW_COMMIT: member count 1025 out of range 1..1024");
  row("VIEW_COMMIT no members", wire(0x0a, n8), "VIEW_COMMIT: truncated body (at member count)");
  row("VIEW_COMMIT member id empty", wire(0x0a, n8 + be(1, 2) + member_wire("", "", "", 0)),
      "VIEW_COMMIT: member id is empty");
  row("VIEW_COMMIT member id 65", wire(0x0a, n8 + be(1, 2) + member_wire(n65, "", "", 0)),
      "VIEW_COMMIT: member id too long (65 > 64 bytes)");
  row("VIEW_COMMIT third member id 65",
      wire(0x0a, n8 + be(3, 2) + member_wire("n1", "", "", 0) + member_wire("n2", "", "", 1) +
                     member_wire(n65, "", "", 2)),
      "VIEW_COMMIT: member id too long (65 > 64 bytes)");
  row("VIEW_COMMIT member count 3, two members",
      wire(0x0a, n8 + be(3, 2) + member_wire("n1", "", "", 0) + member_wire("n2", "", "", 1)),
      "VIEW_COMMIT: truncated body (at member id)");
  row("VIEW_VOTE coordinator empty", wire(0x09, proposal + s8("") + be(1, 1) + s8("")),
      "VIEW_VOTE: coordinator is empty");
  row("VIEW_VOTE coordinator 65", wire(0x09, proposal + s8(n65) + be(1, 1) + s8("")),
      "VIEW_VOTE: coordinator too long (65 > 64 bytes)");
  row("VIEW_VOTE coordinator length past end", wire(0x09, proposal + be(3, 1) + "n1"),
      "VIEW_VOTE: truncated body (at coordinator)");
  row("VIEW_VOTE reason length past end",
      wire(0x09, proposal + s8("n1") + be(0, 1) + be(20, 1) + "no"),
      "VIEW_VOTE: truncated body (at reason)");
  row("VIEW_VOTE no reason", wire(0x09, proposal + s8("n1") + be(1, 1)),
      "VIEW_VOTE: truncated body (at reason)");
  row("VIEW_ABORT coordinator empty", wire(0x0b, proposal + s8("")),
      "VIEW_ABORT: coordinator is empty");
  row("VIEW_ABORT coordinator empty, round 0", wire(0x0b, n8 + be(0, 8) + s8("")),
      "VIEW_ABORT: coordinator is empty");
  row("VIEW_ABORT coordinator 65", wire(0x0b, proposal + s8(n65)),
      "VIEW_ABORT: coordinator too long (65 > 64 bytes)");
  row("VIEW_ABORT no coordinator length", wire(0x0b, proposal),
      "VIEW_ABORT: truncated body (at coordinator)");
  // VIEW_QUERY's coordinator may be empty ("VIEW_QUERY no coordinator" is a sample), not long.
  row("VIEW_QUERY coordinator 65", wire(0x0c, proposal + s8(n65)),
      "VIEW_QUERY: coordinator too long (65 > 64 bytes)");
  row("VIEW_QUERY coordinator 255", wire(0x0c, proposal + s8(QByteArray(255, 'n'))),
      "VIEW_QUERY: coordinator too long (255 > 64 bytes)");
  row("VIEW_QUERY no coordinator length", wire(0x0c, proposal),
      "VIEW_QUERY: truncated body (at coordinator)");
  row("JOIN_REQUEST node id empty", wire(0x0d, s8("") + s8("h") + s8("h")),
      "JOIN_REQUEST: node_id is empty");
  row("JOIN_REQUEST node id 65", wire(0x0d, s8(n65) + s8("") + s8("")),
      "JOIN_REQUEST: node_id too long (65 > 64 bytes)");
  row("JOIN_REQUEST node id 255", wire(0x0d, s8(QByteArray(255, 'n')) + s8("") + s8("")),
      "JOIN_REQUEST: node_id too long (255 > 64 bytes)");
  row("JOIN_REQUEST peer address past end", wire(0x0d, s8("n4") + be(255, 1) + "h4:7104"),
      "JOIN_REQUEST: truncated body (at peer_address)");
  row("JOIN_REQUEST client address past end",
      wire(0x0d, s8("n4") + s8("h4:7104") + be(8, 1) + "h4:7004"),
      "JOIN_REQUEST: truncated body (at client_address)");
  row("JOIN_REQUEST no client address", wire(0x0d, s8("n4") + s8("h4:7104")),
      "JOIN_REQUEST: truncated body (at client_address)");
  // No over-long address or reason rows: their str8 length cannot exceed kMaxAddress and
  // kMaxReason (255). limits() decodes the longest ones.

  // Bad enumerated values.
  for (int st : {6, 7, 255})
    row("SEND_OUTCOME status " + QByteArray::number(st),
        wire(0x05, n8 + s8("a") + n8 + be(std::uint64_t(st), 1) + n8 + be(0, 4)),
        "status: unknown value " + QByteArray::number(st));
  for (int k : {3, 4, 255})
    row("PRESENCE_REQUEST kind " + QByteArray::number(k),
        wire(0x06, be(std::uint64_t(k), 1) + s8("a") + s8("b")),
        "kind: unknown value " + QByteArray::number(k));
  for (int st : {2, 128, 255})
    row("PRESENCE_NOTICE state " + QByteArray::number(st),
        wire(0x07, s8("a") + s8("b") + be(std::uint64_t(st), 1) + n8),
        "state: unknown value " + QByteArray::number(st));
  for (int st : {6, 7, 255})
    row("HANDOVER_OUTCOME status " + QByteArray::number(st),
        wire(0x0f, n8 + s8("b") + s8("a") + n8 + be(std::uint64_t(st), 1) + n8 + be(0, 4)),
        "HANDOVER_OUTCOME: status: unknown value " + QByteArray::number(st));
  // Member states: 0 active, 1 joining, 2 leaving, 3 left.
  for (int st : {4, 5, 128, 255}) {
    row("VIEW_PREPARE member state " + QByteArray::number(st),
        wire(0x08, prepare_head + be(1, 2) + member_wire("n1", "", "", st)),
        "VIEW_PREPARE: member state: unknown value " + QByteArray::number(st));
    row("VIEW_COMMIT member state " + QByteArray::number(st),
        wire(0x0a, n8 + be(1, 2) + member_wire("n1", "h1:7101", "h1:7001", st)),
        "VIEW_COMMIT: member state: unknown value " + QByteArray::number(st));
  }
  row("VIEW_COMMIT second member state 4",
      wire(0x0a, n8 + be(2, 2) + member_wire("n1", "", "", 3) + member_wire("n2", "", "", 4)),
      "VIEW_COMMIT: member state: unknown value 4");
  // yes: 0 or 1.
  for (int yes : {2, 3, 128, 255})
    row("VIEW_VOTE yes " + QByteArray::number(yes),
        wire(0x09, proposal + s8("n1") + be(std::uint64_t(yes), 1) + s8("")),
        "VIEW_VOTE: yes: unknown value " + QByteArray::number(yes));

  // Unknown types, including the client protocol's opcodes above the peer range.
  for (int t : {0x00, 0x10, 0x11, 0x7f, 0x80, 0x81, 0x89, 0xff})
    row("unknown type " + QByteArray::number(t, 16), wire(std::uint8_t(t), be(0, 32)),
        "unknown peer frame type 0x" + QByteArray::number(t, 16).rightJustified(2, '0'));
}

void TstPeerCodec::malformedBody() {
  QFETCH(QByteArray, bytes);
  QFETCH(QByteArray, reason);

  // The framing is fine: the reader yields exactly this one frame.
  PeerFrameReader reader;
  reader.feed(span_of(bytes));
  PeerFrameView view;
  QCOMPARE(int(reader.next(view)), int(PeerFrameReader::State::kFrame));
  QCOMPARE(int(reader.next(view)), int(PeerFrameReader::State::kNeedMore));
  QCOMPARE(qb(view.body), bytes.mid(5));

  const ExactBody body(view.body);
  auto d = decode_peer(PeerFrameView{view.type, body.view()});
  QVERIFY2(!d.is_ok(), "decode_peer accepted it");
  QCOMPARE(int(d.status().code()), int(StatusCode::kInvalidArgument));
  QVERIFY2(status_text(d.status()).contains(reason), qPrintable(status_text(d.status())));
  // The whole-frame entry point says the same.
  const ExactBody whole(span_of(bytes));
  auto w = decode_peer(whole.view());
  QVERIFY(!w.is_ok());
  QCOMPARE(status_text(w.status()), status_text(d.status()));
}

// Byte strings whose framing is wrong: the reader needs more or fails, and the whole-frame decoder
// refuses them.
void TstPeerCodec::malformedFraming_data() {
  QTest::addColumn<QByteArray>("bytes");
  QTest::addColumn<int>("state");          // PeerFrameReader::State after feeding `bytes`
  QTest::addColumn<int>("error");          // reader error() if state is kError
  QTest::addColumn<QByteArray>("reason");  // substring of decode_peer(whole bytes)'s message
  const int kNeedMore = int(PeerFrameReader::State::kNeedMore);
  const int kError = int(PeerFrameReader::State::kError);
  const int kTooLarge = int(protocol::ErrorCode::kFrameTooLarge);
  const int kBad = int(protocol::ErrorCode::kBadFrame);

  // Every proper prefix of every (small) sample, header included.
  for (const Sample& s : samples()) {
    if (s.wire.size() > 300) continue;
    for (qsizetype cut = 0; cut < s.wire.size(); ++cut)
      QTest::addRow("%s cut to %d bytes", s.name.constData(), int(cut))
          << s.wire.left(cut) << kNeedMore << 0 << QByteArray("truncated");
  }
  QTest::newRow("length 0") << hex("00000000") << kError << kBad << QByteArray("length 0");
  QTest::newRow("length 0, bytes behind")
      << hex("00000000 02 0000000000000001") << kError << kBad << QByteArray("length 0");
  QTest::newRow("length max+1, header only")
      << be(kMaxPeerFrame + 1, 4) << kError << kTooLarge << QByteArray("over the limit");
  QTest::newRow("length max+1, type byte")
      << be(kMaxPeerFrame + 1, 4) + '\x04' << kError << kTooLarge
      << QByteArray("length 131073 over the limit 131072");
  QTest::newRow("length 0xffffffff")
      << hex("ffffffff 04 00") << kError << kTooLarge << QByteArray("over the limit");
}

void TstPeerCodec::malformedFraming() {
  QFETCH(QByteArray, bytes);
  QFETCH(int, state);
  QFETCH(int, error);
  QFETCH(QByteArray, reason);

  for (bool zero_copy : {false, true}) {
    PeerFrameReader::State st;
    protocol::ErrorCode err;
    const auto frames = reassemble(chunks(bytes, 1), zero_copy, &st, &err);
    QVERIFY(frames.isEmpty());
    QCOMPARE(int(st), state);
    if (st == PeerFrameReader::State::kError) QCOMPARE(int(err), error);
  }
  const ExactBody whole(span_of(bytes));
  auto d = decode_peer(whole.view());
  QVERIFY(!d.is_ok());
  QCOMPARE(int(d.status().code()), int(StatusCode::kInvalidArgument));
  QVERIFY2(status_text(d.status()).contains(reason), qPrintable(status_text(d.status())));
}

void TstPeerCodec::limits() {
  // The longest legal ids decode (the malformed rows are one byte over).
  const QByteArray u64(protocol::kMaxUserId, 'u');
  QVERIFY(decode_peer(span_of(wire(0x06, be(0, 1) + s8(u64) + s8(u64)))).is_ok());
  QVERIFY(decode_peer(span_of(wire(0x01, be(1, 4) + s8(QByteArray(kMaxClusterName, 'c')) +
                                             s8(QByteArray(kMaxNodeId, 'n')) + be(0, 16))))
              .is_ok());

  // A length of exactly kMaxPeerFrame is accepted by the reader (larger than the client limit).
  QVERIFY(kMaxPeerFrame > protocol::kMaxFrameLength);
  const QByteArray big = be(kMaxPeerFrame, 4) + '\x04' + QByteArray(kMaxPeerFrame - 1, 'z');
  for (bool zero_copy : {false, true}) {
    PeerFrameReader::State st;
    const auto frames = reassemble(chunks(big, 4096), zero_copy, &st);
    QCOMPARE(frames.size(), 1);
    QCOMPARE(frames[0].size(), qsizetype{kMaxPeerFrame});
    QCOMPARE(int(st), int(PeerFrameReader::State::kNeedMore));
  }
  // Its body is no valid ROUTE_MESSAGE; the whole-frame decoder gets past the framing checks.
  auto d = decode_peer(span_of(big));
  QVERIFY(!d.is_ok());
  QVERIFY2(status_text(d.status()).startsWith("ROUTE_MESSAGE: "),
           qPrintable(status_text(d.status())));

  // One more is refused on the 4 length bytes alone, nothing buffered beyond them.
  const QByteArray header = be(kMaxPeerFrame + 1, 4);
  PeerFrameReader reader;
  PeerFrameView f;
  for (int i = 0; i < 3; ++i) {
    reader.feed(span_of(header).subspan(static_cast<std::size_t>(i), 1));
    QCOMPARE(int(reader.next(f)), int(PeerFrameReader::State::kNeedMore));
  }
  reader.feed(span_of(header).subspan(3, 1));
  QCOMPARE(reader.buffered(), std::size_t{4});
  QCOMPARE(int(reader.next(f)), int(PeerFrameReader::State::kError));
  QCOMPARE(int(reader.error()), int(protocol::ErrorCode::kFrameTooLarge));

  // The largest frame a node sends (a ROUTE_MESSAGE with max ids and payload) fits.
  const std::size_t largest_route = 1 + 8 + 8 + 1 + protocol::kMaxUserId + 1 +
                                    protocol::kMaxUserId + 8 + 8 + 4 + protocol::kMaxPayload;
  QVERIFY(largest_route <= kMaxPeerFrame);
  const Sample& max_route = *std::find_if(samples().begin(), samples().end(), [](const Sample& s) {
    return s.name == "ROUTE_MESSAGE max";
  });
  QCOMPARE(std::size_t(max_route.wire.size()), 4 + largest_route);

  // The longest addresses and reason decode: str8's own limit (255) is kMaxAddress and
  // kMaxReason, so no frame can carry a longer one.
  static_assert(cluster::kMaxAddress == 255 && cluster::kMaxReason == 255);
  const QByteArray a255(cluster::kMaxAddress, 'a'), n64(kMaxNodeId, 'n');
  QVERIFY(decode_peer(span_of(wire(0x0d, s8(n64) + s8(a255) + s8(a255)))).is_ok());
  QVERIFY(decode_peer(span_of(wire(0x0a, be(1, 8) + be(1, 2) + member_wire(n64, a255, a255, 0))))
              .is_ok());
  QVERIFY(decode_peer(span_of(wire(0x09, be(1, 8) + be(kRound, 8) + s8(n64) + be(0, 1) +
                                             s8(QByteArray(cluster::kMaxReason, 'r')))))
              .is_ok());

  // The largest VIEW_COMMIT the engine could send with ids alone: kMaxMembers members with
  // 64-byte ids and empty addresses (the simulator's members have no addresses). It fits, and so
  // does the same view's VIEW_PREPARE (a round and the coordinator's id on top).
  const std::size_t member_without_addresses = 1 + kMaxNodeId + 1 + 1 + 1;  // id, 2 × "", state
  const std::size_t largest_commit = 1 + 8 + 2 + cluster::kMaxMembers * member_without_addresses;
  QCOMPARE(largest_commit, std::size_t{69643});
  QVERIFY(largest_commit <= kMaxPeerFrame);
  const std::size_t largest_prepare = largest_commit + 8 + 1 + kMaxNodeId;
  QCOMPARE(largest_prepare, std::size_t{69716});
  QVERIFY(largest_prepare <= kMaxPeerFrame);
  const Sample& max_commit = *std::find_if(samples().begin(), samples().end(), [](const Sample& s) {
    return s.name == "VIEW_COMMIT max members";
  });
  QCOMPARE(std::size_t(max_commit.wire.size()), 4 + largest_commit);
  // That VIEW_PREPARE, encoded and decoded (not a sample: it would double the streams' bulk).
  const ViewCommit& commit = std::get<ViewCommit>(max_commit.frame);
  const ViewPrepare prepare{commit.epoch, kMax64, std::string(kMaxNodeId, 'c'), commit.members};
  Bytes prepare_wire;
  encode_peer(prepare_wire, prepare);
  QCOMPARE(prepare_wire.size(), 4 + largest_prepare);
  PeerFrameReader prepare_reader;
  prepare_reader.feed(prepare_wire);
  PeerFrameView prepare_view;
  QCOMPARE(int(prepare_reader.next(prepare_view)), int(PeerFrameReader::State::kFrame));
  auto prepare_back = decode_peer(std::span<const std::uint8_t>(prepare_wire));
  QVERIFY2(prepare_back.is_ok(), qPrintable(status_text(prepare_back.status())));
  same_frame(*prepare_back, prepare);
  // Addresses make it larger: up to 2 × kMaxAddress bytes more per member, so a view of
  // kMaxMembers members with long addresses (591 883 bytes) would not fit. The codec bounds each
  // address and the count, not the total: keeping a proposed view's frames within kMaxPeerFrame
  // is the proposer's job (engine/cluster/reconfig.cpp), not tested here.
}

// ---------------------------------------------------------------------------------------------

namespace {

QByteArray all_samples_stream(bool include_max, QList<QByteArray>* expected) {
  QByteArray stream;
  for (int pass = 0; pass < 2; ++pass) {
    const auto& all = samples();
    for (std::size_t i = 0; i < all.size(); ++i) {
      const Sample& s = all[pass == 0 ? i : all.size() - 1 - i];
      if (!include_max && s.wire.size() > 300) continue;
      stream += s.wire;
      expected->append(s.wire.mid(4));
    }
  }
  return stream;
}

// Checks that `got` (type + body per frame) is `expected` and that each decodes and re-encodes to
// its original bytes.
void check_frames(const QList<QByteArray>& got, const QList<QByteArray>& expected) {
  QCOMPARE(got.size(), expected.size());
  for (qsizetype i = 0; i < got.size(); ++i) {
    QCOMPARE(got[i], expected[i]);
    const QByteArray whole = be(static_cast<std::uint64_t>(got[i].size()), 4) + got[i];
    auto d = decode_peer(span_of(whole));
    QVERIFY2(d.is_ok(), qPrintable(status_text(d.status())));
    Bytes again;
    encode_peer(again, *d);
    QCOMPARE(qb(again), whole);
  }
}

}  // namespace

void TstPeerCodec::streamReassembly_data() {
  QTest::addColumn<int>("chunk");  // 0 = the whole stream as one buffer
  QTest::addColumn<bool>("zeroCopy");
  for (int zc = 0; zc < 2; ++zc) {
    const char* mode = zc ? "prepare/commit" : "feed";
    QTest::addRow("%s, one buffer", mode) << 0 << bool(zc);
    for (int c = 1; c <= 17; ++c) QTest::addRow("%s, chunk %d", mode, c) << c << bool(zc);
    QTest::addRow("%s, chunk 4096", mode) << 4096 << bool(zc);
    QTest::addRow("%s, chunk 65537", mode) << 65537 << bool(zc);
  }
}

void TstPeerCodec::streamReassembly() {
  QFETCH(int, chunk);
  QFETCH(bool, zeroCopy);
  QList<QByteArray> expected;
  const QByteArray stream = all_samples_stream(/*include_max=*/true, &expected);
  PeerFrameReader::State last;
  const auto got =
      reassemble(chunk == 0 ? QList<QByteArray>{stream} : chunks(stream, chunk), zeroCopy, &last);
  QCOMPARE(int(last), int(PeerFrameReader::State::kNeedMore));
  check_frames(got, expected);
}

// The stream of every small sample, cut into two pieces at every byte boundary (and into three
// pieces around every boundary, so that a cut lands inside every field of every frame).
void TstPeerCodec::splitAtEveryBoundary() {
  QList<QByteArray> expected;
  const QByteArray stream = all_samples_stream(/*include_max=*/false, &expected);
  QVERIFY(expected.size() > 20);
  for (qsizetype cut = 0; cut <= stream.size(); ++cut) {
    const bool zero_copy = cut % 2 == 1;
    PeerFrameReader::State last;
    auto got = reassemble({stream.left(cut), stream.mid(cut)}, zero_copy, &last);
    QCOMPARE(int(last), int(PeerFrameReader::State::kNeedMore));
    QCOMPARE(got, expected);
    got =
        reassemble({stream.left(cut), stream.mid(cut, 3), stream.mid(cut + 3)}, !zero_copy, &last);
    QCOMPARE(got, expected);
  }
  // Decoding is checked once (the frames are byte-identical whatever the cuts).
  check_frames(reassemble(chunks(stream, 1), false), expected);
}

void TstPeerCodec::readerErrorIsSticky() {
  Bytes good;
  encode_peer(good, Heartbeat{1, 0, 0, 0});
  encode_peer(good, Heartbeat{2, 0, 0, 0});
  const QByteArray bad = be(kMaxPeerFrame + 1, 4);

  PeerFrameReader reader;
  reader.feed(good);
  reader.feed(span_of(bad));
  reader.feed(good);
  PeerFrameView f;
  QCOMPARE(int(reader.next(f)), int(PeerFrameReader::State::kFrame));
  QCOMPARE(std::get<Heartbeat>(*decode_peer(f)).seq, std::uint64_t{1});
  QCOMPARE(int(reader.next(f)), int(PeerFrameReader::State::kFrame));
  QCOMPARE(std::get<Heartbeat>(*decode_peer(f)).seq, std::uint64_t{2});
  QCOMPARE(int(reader.next(f)), int(PeerFrameReader::State::kError));
  for (int i = 0; i < 3; ++i) {
    reader.feed(good);
    QCOMPARE(int(reader.next(f)), int(PeerFrameReader::State::kError));
    QCOMPARE(int(reader.error()), int(protocol::ErrorCode::kFrameTooLarge));
  }
}

void TstPeerCodec::names() {
  QCOMPARE(peer_frame_name(PeerHello{}), "PEER_HELLO");
  QCOMPARE(peer_frame_name(Heartbeat{}), "HEARTBEAT");
  QCOMPARE(peer_frame_name(HeartbeatAck{}), "HEARTBEAT_ACK");
  QCOMPARE(peer_frame_name(core::RouteMessage{}), "ROUTE_MESSAGE");
  QCOMPARE(peer_frame_name(core::SendOutcome{}), "SEND_OUTCOME");
  QCOMPARE(peer_frame_name(core::PresenceRequest{}), "PRESENCE_REQUEST");
  QCOMPARE(peer_frame_name(core::PresenceNotice{}), "PRESENCE_NOTICE");
  QCOMPARE(peer_frame_name(ViewPrepare{}), "VIEW_PREPARE");
  QCOMPARE(peer_frame_name(ViewVote{}), "VIEW_VOTE");
  QCOMPARE(peer_frame_name(ViewCommit{}), "VIEW_COMMIT");
  QCOMPARE(peer_frame_name(ViewAbort{}), "VIEW_ABORT");
  QCOMPARE(peer_frame_name(ViewQuery{}), "VIEW_QUERY");
  QCOMPARE(peer_frame_name(JoinRequest{}), "JOIN_REQUEST");
  // The same C++ types as ROUTE_MESSAGE and SEND_OUTCOME: `handover` and `recipient` decide.
  QCOMPARE(peer_frame_name(handover(core::RouteMessage{})), "HANDOVER_MESSAGE");
  QCOMPARE(peer_frame_name(for_recipient(core::SendOutcome{}, "bob")), "HANDOVER_OUTCOME");
  QCOMPARE(int(peer_frame_type(handover(core::RouteMessage{}))), 0x0e);
  QCOMPARE(int(peer_frame_type(for_recipient(core::SendOutcome{}, "bob"))), 0x0f);
  QCOMPARE(int(peer_frame_type(core::SendOutcome{})), 0x05);
  QCOMPARE(to_string(PeerFrameType::kSendOutcome), "SEND_OUTCOME");
  QCOMPARE(to_string(PeerFrameType::kHandoverMessage), "HANDOVER_MESSAGE");
  QCOMPARE(to_string(PeerFrameType::kHandoverOutcome), "HANDOVER_OUTCOME");
  QCOMPARE(to_string(static_cast<PeerFrameType>(0)), "UNKNOWN");
  QCOMPARE(to_string(static_cast<PeerFrameType>(0x10)), "UNKNOWN");
  QCOMPARE(to_string(static_cast<PeerFrameType>(0xff)), "UNKNOWN");
  // Every sample's name starts with its frame's name, and peer_frame_type() is the type byte on
  // the wire (not the variant index + 1: the HANDOVER_* frames share their C++ types).
  std::set<int> sampled;
  for (const Sample& s : samples()) {
    QVERIFY2(s.name.startsWith(peer_frame_name(s.frame)), s.name.constData());
    QCOMPARE(int(peer_frame_type(s.frame)), int(static_cast<std::uint8_t>(s.wire[4])));
    sampled.insert(static_cast<std::uint8_t>(s.wire[4]));
  }
  // Every known type has samples (and so round trips, truncations and trailing-byte rows).
  for (int t = 0; t < 256; ++t) {
    const bool known = QByteArray(to_string(static_cast<PeerFrameType>(t))) != "UNKNOWN";
    QVERIFY2(known == (sampled.count(t) == 1), qPrintable(QString::number(t, 16)));
  }
  QCOMPARE(int(sampled.size()), 15);
}

// docs/cluster.md is normative for the peer protocol: its opcode table and limits must agree.
void TstPeerCodec::docMatchesCode() {
  QFile file(QStringLiteral(QT_TESTCASE_SOURCEDIR "/../../docs/cluster.md"));
  QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(file.fileName()));
  const QString doc = QString::fromUtf8(file.readAll());
  auto has_row = [&doc](const QString& first_cell, const QString& second_cell) {
    const QRegularExpression re(
        QStringLiteral("\\|\\s*%1\\s*\\|\\s*%2\\s*\\|")
            .arg(QRegularExpression::escape(first_cell), QRegularExpression::escape(second_cell)));
    return re.match(doc).hasMatch();
  };
  int types = 0;
  for (int t = 0; t < 256; ++t) {
    const char* name = to_string(static_cast<PeerFrameType>(t));
    if (QByteArray(name) == "UNKNOWN") continue;
    ++types;
    QVERIFY2(has_row(QStringLiteral("`0x%1`").arg(t, 2, 16, QLatin1Char('0')),
                     QStringLiteral("`%1`").arg(QLatin1String(name))),
             name);
  }
  QCOMPARE(types, 15);
  QVERIFY(has_row(QStringLiteral("`kMaxPeerFrame`"), QStringLiteral("131 072")));
  QVERIFY(has_row(QStringLiteral("`kMaxClusterName`"), QStringLiteral("64")));
  QVERIFY(has_row(QStringLiteral("`kMaxNodeId`"), QStringLiteral("64")));
  QVERIFY(has_row(QStringLiteral("`kMaxMembers`"), QStringLiteral("1 024")));
  QVERIFY(cluster::kMaxMembers == 1024);
  QVERIFY(has_row(QStringLiteral("`kMaxAddress`"), QString::number(cluster::kMaxAddress)));
  QVERIFY(has_row(QStringLiteral("`kMaxReason`"), QString::number(cluster::kMaxReason)));
  QVERIFY(has_row(QStringLiteral("`kPeerProtocolVersion`"), QString::number(kPeerProtocolVersion)));

  // The worked examples are these samples' bytes (whitespace aside).
  const QString flat = doc.simplified();
  for (const char* name :
       {"PEER_HELLO", "ROUTE_MESSAGE", "SEND_OUTCOME ok", "VIEW_VOTE refusal", "JOIN_REQUEST"}) {
    const Sample& s = *std::find_if(samples().begin(), samples().end(),
                                    [name](const Sample& x) { return x.name == name; });
    QVERIFY2(flat.contains(QString::fromLatin1(s.wire.toHex(' '))), name);
  }
}

QTEST_APPLESS_MAIN(TstPeerCodec)
#include "tst_peer_codec.moc"
