// The engine core (Shard) in a deterministic in-process world: real protocol bytes, manual clock,
// queued store completions. Every test checks the client-visible outcome and the store.

#include <QtTest>

#include <set>

#include "engine/auth/token.h"
#include "shard_harness.h"

using namespace iris;
using test::Harness;
using protocol::SendStatus;

namespace {

core::CoreConfig dev_config() {
  core::CoreConfig c;
  c.insecure_dev_login = true;
  c.token_secret = "test-secret-0123456789";
  return c;
}

std::size_t store_rows(Harness& h) { return h.memory.stats().messages; }

std::vector<std::string> payloads(const std::vector<client::Delivered>& ds) {
  std::vector<std::string> out;
  for (const auto& d : ds) out.push_back(d.payload);
  return out;
}

bool logged_in(Harness::TestClient& c) { return c.core->logged_in(); }

}  // namespace

class TestShard : public QObject {
  Q_OBJECT

 private slots:
  void onlineDeliveryNeverTouchesDisk_data();
  void onlineDeliveryNeverTouchesDisk();
  void offlineInboxInOrderWithIdenticalPayloads();
  void deleteAfterAckRedeliversOnlyUnacked();
  void retriedSendIsDeduplicated();
  void unackedOnlineMessageIsPersistedAfterDelay();
  void crossShardOrderPerSender();
  void signedTokenLoginAndRefusals_data();
  void signedTokenLoginAndRefusals();
  void badInputGetsErrorAndClose_data();
  void badInputGetsErrorAndClose();
  void storeFailureRefusesNewKeepsAccepted();
  void slowConsumerWindowThenDisconnect();
  void offlineMessagesLeaveMemoryOnceDurable();
  void spilledInboxDrainsInPages();
  void rateLimitAnswersRetryLater();
  void fullMailboxAnswersRetryLater();
  void presenceSubscribeNotifyAndLastSeen();
  void secondLoginReplacesFirst();
  void drainPersistsEverythingAndSaysBye();
  void clientDropsCopyStoredTwice();
  void hotRecipientGetsBucketsAndKeepsSenderOrder();
  void failedInboxLoadIsRetried();
  void onlineUserMemoryIsCappedInBytes();
  void refusedMessageIsNotOvertaken();
  void heldBackIdsStayHeldAfterTheOldestReturns();
  void orderHoldLapsesWhenTheOldestNeverReturns();
  void dedupWindowKeepsPendingAndItsCapacity();
};

void TestShard::onlineDeliveryNeverTouchesDisk_data() {
  QTest::addColumn<int>("shards");
  QTest::addColumn<int>("count");
  QTest::newRow("1 shard, 1 msg") << 1 << 1;
  QTest::newRow("2 shards, 50 msgs") << 2 << 50;
  QTest::newRow("4 shards, 200 msgs") << 4 << 200;
}

// F1: online pairs; every message delivered once, intact, with its sender; SEND_ACK carries the
// server id; the recipient's ACK arrives before the persist delay so nothing is written.
void TestShard::onlineDeliveryNeverTouchesDisk() {
  QFETCH(int, shards);
  QFETCH(int, count);
  Harness h(dev_config(), static_cast<std::uint32_t>(shards));
  auto& alice = h.connect("alice");
  auto& bob = h.connect("bob");
  h.pump();
  QVERIFY(logged_in(alice) && logged_in(bob));
  std::map<std::uint64_t, std::string> sent;
  for (int i = 0; i < count; ++i) {
    std::string payload = "msg-" + std::to_string(i) + std::string(static_cast<std::size_t>(i), 'x');
    sent[alice.core->send("bob", payload, h.now_us)] = payload;
  }
  h.pump();
  auto got = Harness::take<client::Delivered>(bob);
  QCOMPARE(got.size(), static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i) {
    QCOMPARE(got[static_cast<std::size_t>(i)].sender, std::string("alice"));
    QCOMPARE(got[static_cast<std::size_t>(i)].payload,
             "msg-" + std::to_string(i) + std::string(static_cast<std::size_t>(i), 'x'));
  }
  auto acks = Harness::take<client::SendDone>(alice);
  QCOMPARE(acks.size(), static_cast<std::size_t>(count));
  std::set<std::uint64_t> ids;
  for (std::size_t i = 0; i < acks.size(); ++i) {
    QCOMPARE(acks[i].status, SendStatus::kOk);
    QCOMPARE(acks[i].server_msg_id, got[i].server_msg_id);
    QCOMPARE(acks[i].client_msg_id, got[i].client_msg_id);  // DELIVER carries the sender's id
    ids.insert(acks[i].server_msg_id);
  }
  QCOMPARE(ids.size(), acks.size());  // distinct ids
  h.advance(20'000);
  QCOMPARE(h.memory.stats().rows_written, std::uint64_t{0});
  QCOMPARE(store_rows(h), std::size_t{0});
}

// F2: recipient offline; many messages, identical payloads among them; all delivered once, in
// order, none merged; F3: the store is empty after the ACKs.
void TestShard::offlineInboxInOrderWithIdenticalPayloads() {
  Harness h(dev_config(), 2);
  auto& alice = h.connect("alice");
  h.pump();
  std::vector<std::string> want;
  for (int i = 0; i < 300; ++i) {
    want.push_back(i % 3 == 0 ? "same" : "m" + std::to_string(i));
    alice.core->send("bob", want.back(), h.now_us);
  }
  h.pump();
  QCOMPARE(Harness::take<client::SendDone>(alice).size(), std::size_t{300});  // durable
  QCOMPARE(store_rows(h), std::size_t{300});
  auto& bob = h.connect("bob");
  h.pump();
  auto got = Harness::take<client::Delivered>(bob);
  QCOMPARE(payloads(got), want);
  h.advance(10'000);
  QCOMPARE(store_rows(h), std::size_t{0});
}

// F3: acked ones never return and are gone from the store; unacked ones are redelivered.
void TestShard::deleteAfterAckRedeliversOnlyUnacked() {
  Harness h(dev_config(), 2);
  auto& alice = h.connect("alice");
  h.pump();
  for (int i = 0; i < 10; ++i) alice.core->send("bob", "m" + std::to_string(i), h.now_us);
  h.pump();
  auto& bob = h.connect("bob", /*auto_ack=*/false);
  h.pump();
  auto got = Harness::take<client::Delivered>(bob);
  QCOMPARE(got.size(), std::size_t{10});
  std::vector<std::uint64_t> ack_ids;
  for (int i = 0; i < 4; ++i) ack_ids.push_back(got[static_cast<std::size_t>(i)].server_msg_id);
  protocol::Bytes ack;
  protocol::encode_ack(ack, ack_ids);
  h.raw(bob, ack);
  h.pump();
  h.advance(5'000);
  QCOMPARE(store_rows(h), std::size_t{6});
  h.disconnect(bob);
  h.pump();
  auto& bob2 = h.connect("bob");
  h.pump();
  auto again = Harness::take<client::Delivered>(bob2);
  QCOMPARE(again.size(), std::size_t{6});
  QCOMPARE(again.front().payload, std::string("m4"));
  QCOMPARE(again.back().payload, std::string("m9"));
  h.advance(5'000);
  QCOMPARE(store_rows(h), std::size_t{0});
}

// A client retry (same client message id) creates no second message and gets the same id.
void TestShard::retriedSendIsDeduplicated() {
  Harness h(dev_config(), 2);
  auto& alice = h.connect("alice");
  h.pump();
  protocol::Bytes two;
  std::string payload = "once";
  protocol::Send s{777, "bob",
                   {reinterpret_cast<const std::uint8_t*>(payload.data()), payload.size()}};
  protocol::encode(two, s);
  protocol::encode(two, s);
  h.raw(alice, two);
  h.pump();
  h.raw(alice, two);  // again after it completed
  h.pump();
  QCOMPARE(store_rows(h), std::size_t{1});
  auto& bob = h.connect("bob");
  h.pump();
  QCOMPARE(Harness::take<client::Delivered>(bob).size(), std::size_t{1});
  QCOMPARE(h.shards[0]->metrics().send_retries_deduped.get() +
               h.shards[1]->metrics().send_retries_deduped.get(),
           std::uint64_t{3});
}

// An online recipient that does not ACK in time: the message becomes durable, SEND_ACK follows.
void TestShard::unackedOnlineMessageIsPersistedAfterDelay() {
  auto cfg = dev_config();
  cfg.persist_delay_us = 4'000;
  Harness h(cfg, 2);
  auto& alice = h.connect("alice");
  auto& bob = h.connect("bob", /*auto_ack=*/false);
  h.pump();
  alice.core->send("bob", "hello", h.now_us);
  h.pump();
  QCOMPARE(Harness::take<client::Delivered>(bob).size(), std::size_t{1});
  QCOMPARE(Harness::take<client::SendDone>(alice).size(), std::size_t{0});  // not yet
  h.advance(6'000);
  QCOMPARE(store_rows(h), std::size_t{1});
  auto done = Harness::take<client::SendDone>(alice);
  QCOMPARE(done.size(), std::size_t{1});
  QCOMPARE(done[0].status, SendStatus::kOk);
}

// Many senders on many shards to many recipients: per-(sender, recipient) order holds.
void TestShard::crossShardOrderPerSender() {
  Harness h(dev_config(), 4);
  std::vector<Harness::TestClient*> users;
  for (int i = 0; i < 12; ++i) users.push_back(&h.connect("u" + std::to_string(i)));
  h.pump();
  for (int round = 0; round < 30; ++round) {
    for (int s = 0; s < 12; ++s) {
      int r = (s + 1 + round % 11) % 12;
      users[static_cast<std::size_t>(s)]->core->send(
          "u" + std::to_string(r), "u" + std::to_string(s) + ":" + std::to_string(round), h.now_us);
    }
    if (round % 7 == 0) h.pump();
  }
  h.pump();
  std::size_t total = 0;
  for (auto* u : users) {
    std::map<std::string, int> last;
    for (auto& d : Harness::take<client::Delivered>(*u)) {
      int seq = std::stoi(d.payload.substr(d.payload.find(':') + 1));
      QVERIFY2(last.count(d.sender) == 0 || last[d.sender] < seq, d.payload.c_str());
      last[d.sender] = seq;
      ++total;
    }
  }
  QCOMPARE(total, std::size_t{360});
}

void TestShard::signedTokenLoginAndRefusals_data() {
  QTest::addColumn<QString>("token");
  QTest::addColumn<bool>("accepted");
  const std::string secret = "test-secret-0123456789";
  const std::uint64_t now_s = 1'800'000'000ull;
  QTest::newRow("valid") << QString::fromStdString(auth::mint_token(secret, "carol", now_s + 60))
                         << true;
  QTest::newRow("expired") << QString::fromStdString(auth::mint_token(secret, "carol", now_s - 1))
                           << false;
  QTest::newRow("other secret")
      << QString::fromStdString(auth::mint_token("other-secret-xxxxxxx", "carol", now_s + 60))
      << false;
  std::string t = auth::mint_token(secret, "carol", now_s + 60);
  t.replace(3, 5, "mallo");  // user changed, MAC kept
  QTest::newRow("user swapped") << QString::fromStdString(t) << false;
  QTest::newRow("garbage") << QString("v1.x.y.z") << false;
  QTest::newRow("bare id, dev login off") << QString("carol") << false;
}

void TestShard::signedTokenLoginAndRefusals() {
  QFETCH(QString, token);
  QFETCH(bool, accepted);
  auto cfg = dev_config();
  cfg.insecure_dev_login = false;
  Harness h(cfg, 2);
  auto& c = h.connect(token.toStdString());
  h.pump();
  QCOMPARE(logged_in(c), accepted);
  if (accepted) {
    QCOMPARE(c.core->user(), std::string("carol"));  // from the token, not the client
  } else {
    auto errs = Harness::take<client::ServerError>(c);
    QCOMPARE(errs.size(), std::size_t{1});
    QCOMPARE(errs[0].code, protocol::ErrorCode::kAuthFailed);
    QVERIFY(h.conns[c.conn].closed);
  }
}

void TestShard::badInputGetsErrorAndClose_data() {
  QTest::addColumn<QByteArray>("bytes");
  QTest::addColumn<int>("code");
  QTest::addColumn<bool>("after_login");
  auto frame = [](protocol::FrameType t, QByteArray body) {
    QByteArray f;
    quint32 len = static_cast<quint32>(body.size() + 1);
    f.append(static_cast<char>(len >> 24)).append(static_cast<char>(len >> 16));
    f.append(static_cast<char>(len >> 8)).append(static_cast<char>(len));
    f.append(static_cast<char>(t)).append(body);
    return f;
  };
  QTest::newRow("garbage first") << QByteArray("\x00\x00\x00\x03\xff\xfe\xfd", 7)
                                 << int(protocol::ErrorCode::kBadFrame) << false;
  QTest::newRow("huge length") << QByteArray("\x7f\xff\xff\xff\x03", 5)
                               << int(protocol::ErrorCode::kFrameTooLarge) << false;
  QTest::newRow("ping before hello") << frame(protocol::FrameType::kPing, QByteArray(8, '\0'))
                                     << int(protocol::ErrorCode::kProtocolViolation) << false;
  QTest::newRow("wrong version") << frame(protocol::FrameType::kHello, QByteArray("\x02\x00", 2))
                                 << int(protocol::ErrorCode::kUnsupportedVersion) << false;
  QTest::newRow("truncated send") << frame(protocol::FrameType::kSend, QByteArray("\x00\x01", 2))
                                  << int(protocol::ErrorCode::kBadFrame) << true;
  QTest::newRow("hello after login")
      << frame(protocol::FrameType::kHello, QByteArray("\x01\x00", 2))
      << int(protocol::ErrorCode::kProtocolViolation) << true;
}

// Bad bytes get an ERROR and a close; other connections and stored messages are unaffected.
void TestShard::badInputGetsErrorAndClose() {
  QFETCH(QByteArray, bytes);
  QFETCH(int, code);
  QFETCH(bool, after_login);
  Harness h(dev_config(), 2);
  auto& alice = h.connect("alice");
  h.pump();
  alice.core->send("bob", "kept", h.now_us);
  h.pump();
  Harness::TestClient* bad = nullptr;
  if (after_login) {
    bad = &h.connect("mallory");
    h.pump();
    QVERIFY(logged_in(*bad));
  } else {
    bad = &h.connect("mallory");
    bad->core->take_output();  // drop HELLO/LOGIN: the raw bytes are the first thing sent
  }
  h.raw(*bad, protocol::Bytes(bytes.begin(), bytes.end()));
  h.pump();
  auto errs = Harness::take<client::ServerError>(*bad);
  QCOMPARE(errs.size(), std::size_t{1});
  QCOMPARE(int(errs[0].code), code);
  QVERIFY(h.conns[bad->conn].closed);
  auto& bob = h.connect("bob");
  h.pump();
  auto got = Harness::take<client::Delivered>(bob);
  QCOMPARE(got.size(), std::size_t{1});
  QCOMPARE(got[0].payload, std::string("kept"));
}

// R3 in miniature: while the store refuses writes, accepted messages are kept (no SEND_ACK, no
// loss) and new ones are refused with STORE_UNAVAILABLE; when it recovers, all is acked once.
void TestShard::storeFailureRefusesNewKeepsAccepted() {
  auto cfg = dev_config();
  cfg.store_retry_us = 50'000;
  Harness h(cfg, 2);
  auto& alice = h.connect("alice");
  h.pump();
  h.memory.set_fail_writes(Status::disk_full("no space"));
  auto first = alice.core->send("bob", "accepted-before-failure-known", h.now_us);
  h.pump();
  QCOMPARE(Harness::take<client::SendDone>(alice).size(), std::size_t{0});
  protocol::Bytes raw;
  std::string p = "refused";
  protocol::encode(raw, protocol::Send{42, "bob", {reinterpret_cast<const std::uint8_t*>(p.data()),
                                                   p.size()}});
  h.raw(alice, raw);
  h.pump();
  // The refusal is a SEND_ACK the client core treats as "retry later": it stays pending there.
  QCOMPARE(h.shards[0]->metrics().send_rejected_store.get() +
               h.shards[1]->metrics().send_rejected_store.get(),
           std::uint64_t{1});
  h.advance(200'000, 10'000);
  QCOMPARE(store_rows(h), std::size_t{0});
  h.memory.set_fail_writes(Status::ok());
  h.advance(200'000, 10'000);
  auto done = Harness::take<client::SendDone>(alice);
  QCOMPARE(done.size(), std::size_t{1});
  QCOMPARE(done[0].client_msg_id, first);
  auto& bob = h.connect("bob");
  h.pump();
  auto got = Harness::take<client::Delivered>(bob);
  QCOMPARE(got.size(), std::size_t{1});
  QCOMPARE(got[0].payload, std::string("accepted-before-failure-known"));
}

// R2 in miniature: a reader that never ACKs gets at most its window; the rest waits; after the
// timeout it is disconnected with BYE; everything is delivered at the next login.
void TestShard::slowConsumerWindowThenDisconnect() {
  auto cfg = dev_config();
  cfg.max_inflight_per_session = 16;
  cfg.slow_consumer_timeout_us = 100'000;
  Harness h(cfg, 2);
  auto& alice = h.connect("alice");
  auto& bob = h.connect("bob", /*auto_ack=*/false);
  h.pump();
  for (int i = 0; i < 100; ++i) alice.core->send("bob", "m" + std::to_string(i), h.now_us);
  h.pump();
  QCOMPARE(Harness::take<client::Delivered>(bob).size(), std::size_t{16});
  h.advance(300'000, 10'000);  // timeouts are checked every 100 ms
  auto byes = Harness::take<client::ServerBye>(bob);
  QCOMPARE(byes.size(), std::size_t{1});
  QCOMPARE(byes[0].reason, protocol::ByeReason::kSlowConsumer);
  QCOMPARE(Harness::take<client::SendDone>(alice).size(), std::size_t{100});
  auto& bob2 = h.connect("bob");
  h.pump();
  h.advance(10'000);
  auto got = Harness::take<client::Delivered>(bob2);
  QCOMPARE(got.size(), std::size_t{100});
  QCOMPARE(got.front().payload, std::string("m0"));
  QCOMPARE(got.back().payload, std::string("m99"));
  QCOMPARE(store_rows(h), std::size_t{0});
}

// Node memory stays bounded: messages for offline users leave memory once durable.
void TestShard::offlineMessagesLeaveMemoryOnceDurable() {
  Harness h(dev_config(), 2);
  auto& alice = h.connect("alice");
  h.pump();
  for (int i = 0; i < 500; ++i) alice.core->send("u" + std::to_string(i % 50), "x", h.now_us);
  h.pump();
  QCOMPARE(store_rows(h), std::size_t{500});
  std::int64_t in_memory = 0;
  for (auto* s : h.shards) in_memory += s->metrics().inbox_messages.get();
  QCOMPARE(in_memory, std::int64_t{0});
}

// An inbox larger than one load batch drains in pages, in order, with live messages after it.
void TestShard::spilledInboxDrainsInPages() {
  auto cfg = dev_config();
  cfg.inbox_load_batch = 32;
  cfg.max_inflight_per_session = 10;
  Harness h(cfg, 2);
  auto& alice = h.connect("alice");
  h.pump();
  for (int i = 0; i < 200; ++i) alice.core->send("bob", std::to_string(i), h.now_us);
  h.pump();
  auto& bob = h.connect("bob");
  h.pump();
  alice.core->send("bob", "live", h.now_us);
  h.pump();
  auto got = Harness::take<client::Delivered>(bob);
  QCOMPARE(got.size(), std::size_t{201});
  for (int i = 0; i < 200; ++i) QCOMPARE(got[static_cast<std::size_t>(i)].payload, std::to_string(i));
  QCOMPARE(got.back().payload, std::string("live"));
  QVERIFY(h.shards[0]->metrics().inbox_loads.get() + h.shards[1]->metrics().inbox_loads.get() >= 7);
}

void TestShard::rateLimitAnswersRetryLater() {
  auto cfg = dev_config();
  cfg.max_msgs_per_s = 10;
  Harness h(cfg, 1);
  auto& alice = h.connect("alice");
  auto& bob = h.connect("bob");
  h.pump();
  for (int i = 0; i < 25; ++i) alice.core->send("bob", "m" + std::to_string(i), h.now_us);
  h.pump();
  QCOMPARE(Harness::take<client::Delivered>(bob).size(), std::size_t{10});
  // One refused by the rate limit, the 14 after it held back so they cannot overtake it.
  QCOMPARE(h.shards[0]->metrics().send_rejected_rate.get(), std::uint64_t{1});
  QCOMPARE(h.shards[0]->metrics().send_rejected_order.get(), std::uint64_t{14});
  h.advance(3'000'000, 100'000);  // the client resends after the hint; all arrive, in order
  auto rest = Harness::take<client::Delivered>(bob);
  QCOMPARE(rest.size(), std::size_t{15});
  for (int i = 0; i < 15; ++i) QCOMPARE(rest[static_cast<std::size_t>(i)].payload, "m" + std::to_string(i + 10));
  // Sending on while refused: nothing overtakes the refused ones.
  for (int i = 25; i < 60; ++i) alice.core->send("bob", "m" + std::to_string(i), h.now_us);
  h.advance(5'000'000, 50'000);
  auto more = Harness::take<client::Delivered>(bob);
  QCOMPARE(more.size(), std::size_t{35});
  for (int i = 0; i < 35; ++i) QCOMPARE(more[static_cast<std::size_t>(i)].payload, "m" + std::to_string(i + 25));
}

void TestShard::fullMailboxAnswersRetryLater() {
  Harness h(dev_config(), 2);
  // Pick users on different shards.
  std::string a = "a0", b;
  for (int i = 0; b.empty(); ++i) {
    std::string u = "b" + std::to_string(i);
    if (core::shard_of(u, 2) != core::shard_of(a, 2)) b = u;
  }
  auto& sender = h.connect(a);
  h.pump();
  h.mailbox_full = true;
  std::string p = "x";
  protocol::Bytes raw;
  protocol::encode(raw, protocol::Send{5, b, {reinterpret_cast<const std::uint8_t*>(p.data()), 1}});
  h.raw(sender, raw);
  h.pump();
  std::uint64_t refused = 0;
  for (auto* s : h.shards) refused += s->metrics().send_rejected_retry_later.get();
  QCOMPARE(refused, std::uint64_t{1});
  h.mailbox_full = false;
  h.raw(sender, raw);  // the retry with the same id is accepted as new
  h.pump();
  QCOMPARE(store_rows(h), std::size_t{1});
}

// F4: subscribers see every transition; last-seen is reported for offline users.
void TestShard::presenceSubscribeNotifyAndLastSeen() {
  auto cfg = dev_config();
  cfg.presence_coalesce_us = 10'000;
  Harness h(cfg, 2);
  auto& alice = h.connect("alice");
  h.pump();
  alice.core->subscribe("bob");
  h.pump();
  auto p = Harness::take<client::PresenceChanged>(alice);
  QCOMPARE(p.size(), std::size_t{1});
  QCOMPARE(p[0].state, protocol::PresenceState::kOffline);
  QCOMPARE(p[0].last_seen_ms, std::uint64_t{0});  // never seen
  auto& bob = h.connect("bob");
  h.pump();
  h.advance(20'000);
  p = Harness::take<client::PresenceChanged>(alice);
  QCOMPARE(p.size(), std::size_t{1});
  QCOMPARE(p[0].state, protocol::PresenceState::kOnline);
  std::uint64_t left_ms = h.now_us / 1000;
  h.disconnect(bob);
  h.advance(20'000);
  p = Harness::take<client::PresenceChanged>(alice);
  QCOMPARE(p.size(), std::size_t{1});
  QCOMPARE(p[0].state, protocol::PresenceState::kOffline);
  QCOMPARE(p[0].last_seen_ms, left_ms);
  QCOMPARE(h.memory.stats().rows_written, std::uint64_t{0});
  // Coalescing: a flap within the window yields at most one notice per window.
  for (int i = 0; i < 5; ++i) {
    auto& b = h.connect("bob");
    h.pump();
    h.disconnect(b);
    h.pump();
  }
  h.advance(30'000);
  p = Harness::take<client::PresenceChanged>(alice);
  QVERIFY2(p.size() <= 2, std::to_string(p.size()).c_str());
  QCOMPARE(p.back().state, protocol::PresenceState::kOffline);
}

void TestShard::secondLoginReplacesFirst() {
  Harness h(dev_config(), 2);
  auto& first = h.connect("bob");
  h.pump();
  auto& second = h.connect("bob");
  h.pump();
  auto byes = Harness::take<client::ServerBye>(first);
  QCOMPARE(byes.size(), std::size_t{1});
  QCOMPARE(byes[0].reason, protocol::ByeReason::kReplaced);
  QVERIFY(logged_in(second));
  auto& alice = h.connect("alice");
  h.pump();
  alice.core->send("bob", "to the new one", h.now_us);
  h.pump();
  QCOMPARE(Harness::take<client::Delivered>(second).size(), std::size_t{1});
}

// SIGTERM drain: delivered-but-unacked messages become durable and their sender gets its
// SEND_ACKs before the BYE; new messages are refused meanwhile.
void TestShard::drainPersistsEverythingAndSaysBye() {
  Harness h(dev_config(), 2);
  auto& alice = h.connect("alice");
  auto& bob = h.connect("bob", /*auto_ack=*/false);
  h.pump();
  for (int i = 0; i < 5; ++i) alice.core->send("bob", "m", h.now_us);
  h.pump();
  QCOMPARE(store_rows(h), std::size_t{0});
  QCOMPARE(Harness::take<client::SendDone>(alice).size(), std::size_t{0});
  for (auto* s : h.shards) s->begin_drain();
  h.pump();
  QCOMPARE(store_rows(h), std::size_t{5});
  QCOMPARE(Harness::take<client::SendDone>(alice).size(), std::size_t{5});  // before any BYE
  QCOMPARE(Harness::take<client::ServerBye>(alice).size(), std::size_t{0});
  for (auto* s : h.shards) s->finish_drain();
  h.pump();
  QCOMPARE(Harness::take<client::ServerBye>(bob).size(), std::size_t{1});
  QVERIFY(h.conns[alice.conn].closed && h.conns[bob.conn].closed);
}

// The client library drops a redelivery (same server id) and a second stored copy (same sender
// and client id, new server id), and ACKs both so the node can delete them.
void TestShard::clientDropsCopyStoredTwice() {
  client::ClientCore c(client::ClientOptions{}, 1);
  c.on_connected(1);
  c.take_output();
  protocol::Bytes in;
  std::string p = "once";
  std::span<const std::uint8_t> payload(reinterpret_cast<const std::uint8_t*>(p.data()), p.size());
  protocol::encode(in, protocol::Deliver{100, "alice", 7, 1, payload});
  protocol::encode(in, protocol::Deliver{100, "alice", 7, 1, payload});  // redelivery
  protocol::encode(in, protocol::Deliver{200, "alice", 7, 2, payload});  // stored twice
  protocol::encode(in, protocol::Deliver{300, "alice", 8, 3, payload});  // a new message
  protocol::encode(in, protocol::Deliver{400, "carol", 7, 4, payload});  // other sender, same id
  c.on_bytes(in, 10);
  std::size_t delivered = 0;
  for (auto& e : c.take_events()) delivered += std::holds_alternative<client::Delivered>(e);
  QCOMPARE(delivered, std::size_t{3});
  QCOMPARE(c.duplicates_dropped(), std::uint64_t{2});
  auto out = c.take_output();
  auto split = protocol::split_frame(out);
  QCOMPARE(split.status, protocol::SplitStatus::kFrame);
  auto ack = protocol::decode_client(split.frame);
  QVERIFY(ack.is_ok());
  QCOMPARE(std::get<protocol::Ack>(*ack).count(), std::size_t{5});
}

// F6 in miniature: a recipient over the threshold is promoted to N buckets; every sender keeps
// one bucket; the rows carry it (the partitioned store spreads buckets over files); delivery
// merges all buckets with per-sender order intact; quiet windows demote it.
void TestShard::hotRecipientGetsBucketsAndKeepsSenderOrder() {
  auto cfg = dev_config();
  cfg.hot_threshold_msgs_per_s = 100;
  cfg.hot_buckets = 4;
  cfg.hot_cooldown_windows = 2;
  Harness h(cfg, 2);
  std::vector<Harness::TestClient*> fans;
  for (int i = 0; i < 20; ++i) fans.push_back(&h.connect("fan" + std::to_string(i)));
  h.pump();
  h.advance(1'000);
  for (int round = 0; round < 20; ++round) {
    for (int f = 0; f < 20; ++f) {
      fans[static_cast<std::size_t>(f)]->core->send(
          "messi", "fan" + std::to_string(f) + ":" + std::to_string(round), h.now_us);
    }
  }
  h.pump();
  auto sum = [&](auto member) {
    std::uint64_t n = 0;
    for (auto* s : h.shards) n += (s->metrics().*member).get();
    return n;
  };
  QCOMPARE(sum(&core::ShardMetrics::hot_promotions), std::uint64_t{1});
  QVERIFY(sum(&core::ShardMetrics::bucketed_messages) >= 290);  // all after the 101st
  std::vector<store::StoredMessage> rows;
  h.memory.load_inbox("messi", 0, 1000, [&](const Result<std::vector<store::StoredMessage>>& r) {
    if (r.is_ok()) rows = r.value();
  });
  QCOMPARE(rows.size(), std::size_t{400});
  std::map<std::string, std::set<std::uint32_t>> buckets_of;  // sender -> buckets after promotion
  std::set<std::uint32_t> used;
  for (std::size_t i = 110; i < rows.size(); ++i) {
    buckets_of[rows[i].sender].insert(rows[i].bucket);
    used.insert(rows[i].bucket);
  }
  QVERIFY2(used.size() >= 3, "20 senders over 4 buckets use most of them");
  for (auto& [sender, b] : buckets_of) QCOMPARE(b.size(), std::size_t{1});
  auto& messi = h.connect("messi");
  h.pump();
  auto got = Harness::take<client::Delivered>(messi);
  QCOMPARE(got.size(), std::size_t{400});
  std::map<std::string, int> last;
  for (auto& d : got) {
    int seq = std::stoi(d.payload.substr(d.payload.find(':') + 1));
    QVERIFY2(last.count(d.sender) == 0 || last[d.sender] == seq - 1, d.payload.c_str());
    last[d.sender] = seq;
  }
  h.advance(3'500'000, 100'000);  // quiet: demoted by the idle sweep or the next message
  fans[0]->core->send("messi", "after", h.now_us);
  h.pump();
  QCOMPARE(sum(&core::ShardMetrics::hot_demotions), std::uint64_t{1});
  QCOMPARE(sum(&core::ShardMetrics::hot_users), std::uint64_t{0});
}

// The store cannot be read when the recipient logs in: nothing is lost or skipped, the load is
// retried after store_retry_us, and everything arrives in order once reads work again.
void TestShard::failedInboxLoadIsRetried() {
  auto cfg = dev_config();
  cfg.store_retry_us = 50'000;
  Harness h(cfg, 2);
  auto& alice = h.connect("alice");
  h.pump();
  for (int i = 0; i < 5; ++i) alice.core->send("bob", "m" + std::to_string(i), h.now_us);
  h.pump();
  h.memory.set_fail_reads(Status::io_error("read error"));
  auto& bob = h.connect("bob");
  h.pump();
  h.advance(100'000, 10'000);
  QCOMPARE(Harness::take<client::Delivered>(bob).size(), std::size_t{0});
  alice.core->send("bob", "live", h.now_us);  // must not overtake the stored ones
  h.pump();
  QCOMPARE(Harness::take<client::Delivered>(bob).size(), std::size_t{0});
  h.memory.set_fail_reads(Status::ok());
  h.advance(100'000, 10'000);
  auto got = Harness::take<client::Delivered>(bob);
  QCOMPARE(payloads(got), (std::vector<std::string>{"m0", "m1", "m2", "m3", "m4", "live"}));
}

// A reader that does not ACK keeps at most its window plus the per-user byte cap in memory;
// the rest spills to the store once durable, and arrives later in order.
void TestShard::onlineUserMemoryIsCappedInBytes() {
  auto cfg = dev_config();
  cfg.max_inflight_per_session = 4;
  cfg.user_memory_cap_bytes = 64 * 1024;
  Harness h(cfg, 1);
  auto& alice = h.connect("alice");
  auto& bob = h.connect("bob", /*auto_ack=*/false);
  h.pump();
  std::string big(16 * 1024, 'b');
  for (int i = 0; i < 40; ++i) alice.core->send("bob", big + std::to_string(i), h.now_us);
  h.pump();
  h.advance(10'000);  // not ACKed within the persist delay: durable, then spilled
  QCOMPARE(store_rows(h), std::size_t{40});
  auto in_memory = h.shards[0]->metrics().memory_bytes.get();
  QVERIFY2(in_memory <= 64 * 1024 + 16 * 1024 + 4 * 17 * 1024, std::to_string(in_memory).c_str());
  h.disconnect(bob);
  h.pump();
  auto& bob2 = h.connect("bob");
  h.pump();
  h.advance(10'000);
  auto got = Harness::take<client::Delivered>(bob2);
  QCOMPARE(got.size(), std::size_t{40});
  for (int i = 0; i < 40; ++i) QCOMPARE(got[static_cast<std::size_t>(i)].payload, big + std::to_string(i));
}

// The node's side of order under refusals, with raw frames (no client library help): once id 3
// is refused for memory, id 4 is refused too even when memory is free again, until 3 is back.
void TestShard::refusedMessageIsNotOvertaken() {
  auto cfg = dev_config();
  std::string payload(1000, 'p');
  // Room for two messages and a bit (footprint = payload + sender + 128 bytes of bookkeeping).
  cfg.shard_memory_limit = 2 * (payload.size() + 5 + 128) + 500;
  Harness h(cfg, 1);
  auto& alice = h.connect("alice");
  h.pump();
  auto send = [&](std::uint64_t cid) {
    protocol::Bytes b;
    protocol::encode(b, protocol::Send{cid, "bob", {reinterpret_cast<const std::uint8_t*>(payload.data()), payload.size()}});
    h.raw(alice, b);
  };
  for (std::uint64_t cid = 1; cid <= 3; ++cid) send(cid);  // 1, 2 fit; 3 does not
  send(4);
  h.pump();
  QCOMPARE(store_rows(h), std::size_t{2});  // bob offline: persisted, then evicted from memory
  send(5);  // memory is free now, but 3 was refused: 5 must wait
  h.pump();
  QCOMPARE(store_rows(h), std::size_t{2});
  send(3);
  send(4);
  send(5);  // two fit in memory per turn: 5 is refused again (and held)
  h.pump();
  QCOMPARE(store_rows(h), std::size_t{4});
  send(5);
  h.pump();
  QCOMPARE(store_rows(h), std::size_t{5});
  auto& bob = h.connect("bob");
  h.pump();
  std::vector<std::uint64_t> order;
  for (auto& d : Harness::take<client::Delivered>(bob)) order.push_back(d.client_msg_id);
  QCOMPARE(order, (std::vector<std::uint64_t>{1, 2, 3, 4, 5}));
  QVERIFY(h.shards[0]->metrics().send_rejected_order.get() >= 2);
}

// Found under load in a real node: 4 is refused for rate, 5 and 6 are held back; 4 returns and
// is accepted while the client still believes 5 and 6 are on the wire (their refusals not read
// yet) and sends a new 7. The node must refuse 7 until 5 and 6 are back, not only until 4 is.
void TestShard::heldBackIdsStayHeldAfterTheOldestReturns() {
  auto cfg = dev_config();
  cfg.max_msgs_per_s = 3;  // burst 3, then one more per 333 ms
  Harness h(cfg, 1);
  auto& alice = h.connect("alice");
  h.pump();
  auto send = [&](std::uint64_t cid) {
    protocol::Bytes b;
    std::string payload = "m" + std::to_string(cid);
    protocol::encode(b, protocol::Send{cid, "bob", {reinterpret_cast<const std::uint8_t*>(payload.data()), payload.size()}});
    h.raw(alice, b);
    h.pump();
  };
  for (std::uint64_t cid = 1; cid <= 3; ++cid) send(cid);
  send(4);  // rate: refused
  send(5);  // held back
  send(6);  // held back
  QCOMPARE(h.shards[0]->metrics().send_rejected_rate.get(), std::uint64_t{1});
  QCOMPARE(h.shards[0]->metrics().send_rejected_order.get(), std::uint64_t{2});
  h.advance(1'000'000, 100'000);  // the bucket refills (the raw connection resends nothing)
  send(4);  // back and accepted
  send(7);  // new, but 5 and 6 are still out: held back
  QCOMPARE(h.shards[0]->metrics().send_rejected_order.get(), std::uint64_t{3});
  send(5);
  send(6);
  h.advance(1'000'000, 100'000);
  send(7);
  QCOMPARE(h.shards[0]->metrics().sends_accepted.get(), std::uint64_t{7});
  auto& bob = h.connect("bob");
  h.pump();
  std::vector<std::uint64_t> order;
  for (auto& d : Harness::take<client::Delivered>(bob)) order.push_back(d.client_msg_id);
  QCOMPARE(order, (std::vector<std::uint64_t>{1, 2, 3, 4, 5, 6, 7}));
}

// A sender that gives up on a refused id (a restarted client never sends it again) is held back
// for order_hold_us after that id was last seen, then accepted again, however often it retries.
void TestShard::orderHoldLapsesWhenTheOldestNeverReturns() {
  auto cfg = dev_config();
  cfg.max_msgs_per_s = 1;
  cfg.order_hold_us = 2'000'000;
  Harness h(cfg, 1);
  auto& alice = h.connect("alice");
  h.pump();
  auto send = [&](std::uint64_t cid) {
    protocol::Bytes b;
    protocol::encode(b, protocol::Send{cid, "bob", {reinterpret_cast<const std::uint8_t*>("x"), 1}});
    h.raw(alice, b);
    h.pump();
  };
  send(1);  // accepted
  send(2);  // rate: refused, never sent again
  std::uint64_t cid = 3;
  for (int i = 0; i < 15; ++i) {  // 1.5 s of retries of later ids: all held back
    h.advance(100'000, 100'000);
    send(cid++);
  }
  QCOMPARE(h.shards[0]->metrics().sends_accepted.get(), std::uint64_t{1});
  h.advance(600'000, 100'000);  // 2.1 s after 2 was refused: the hold lapsed
  send(cid);
  QCOMPARE(h.shards[0]->metrics().sends_accepted.get(), std::uint64_t{2});
}

// The retry window never drops a pending id (a resend would be stored twice), keeps `capacity`
// completed ids however many refused ids were forgotten in between, and forgets the oldest.
void TestShard::dedupWindowKeepsPendingAndItsCapacity() {
  core::DedupWindow w(100);
  for (std::uint64_t id = 1; id <= 50; ++id) w.add_pending(id);  // 50 pending, never completed
  std::uint64_t next = 1000;
  for (int round = 0; round < 300; ++round) {  // churn: refused ids, forgotten at once
    w.add_pending(next);
    w.forget(next++);
  }
  for (std::uint64_t id = 2000; id < 2300; ++id) {
    w.add_pending(id);
    w.complete(id, id * 10);
  }
  for (std::uint64_t id = 1; id <= 50; ++id) QVERIFY(w.find(id) != nullptr && !w.find(id)->done);
  QCOMPARE(w.pending(), std::size_t{50});
  for (std::uint64_t id = 2200; id < 2300; ++id) {  // the newest 100 completed are all kept
    QVERIFY(w.find(id) != nullptr);
    QCOMPARE(w.find(id)->server_msg_id, id * 10);
  }
  QVERIFY(w.find(2199) == nullptr);  // older completed ones are forgotten
  QVERIFY(w.find(1000) == nullptr);
}

QTEST_APPLESS_MAIN(TestShard)
#include "tst_shard.moc"
