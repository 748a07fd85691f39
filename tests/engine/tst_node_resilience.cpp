// Real iris-node processes under abuse: a reader that never reads, SIGKILL mid-burst, wrong
// tokens, garbage floods, SIGTERM drain. Nothing acknowledged may be lost.

#include <QtTest>

#include "node_test_support.h"

class TestNodeResilience : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase();
  void slowConsumerBoundedMemory();
  void restartKeepsEveryAckedMessage();
  void wrongTokenRefused_data();
  void wrongTokenRefused();
  void garbageFlood();
  void sigtermDrain_data();
  void sigtermDrain();
};

void TestNodeResilience::initTestCase() {
  QVERIFY2(QFileInfo(NodeProcess::binary()).isExecutable(),
           qPrintable("iris-node not found at " + NodeProcess::binary()));
}

// ---------------------------------------------------------------------------------------------
// F1: two users online over TCP, N messages each way.


void TestNodeResilience::slowConsumerBoundedMemory() {
  NodeProcess node;
  QVERIFY2(node.start({"--slow-consumer-timeout-s", "1"}), qPrintable(node.error()));
  LOGIN(alice, node, "alice", {Transport::kTcp, true, /*max_pending=*/64});
  RawConn bob;
  QVERIFY2(bob.connect(node.tcp_port(), /*rcvbuf=*/16 * 1024), bob.error().c_str());
  QVERIFY(bob.write(hello_login(node.token("bob"))));
  QVERIFY(bob.read_until([&] { return bob.frames().size() >= 2; }, 5s));
  QVERIFY(as<protocol::LoginOk>(bob.frames()[1].decode()) != nullptr);
  // From here on bob's socket is never read until the flood is over.

  pump_for({alice.get()}, 200ms);
  const qint64 base_kib = node.rss_kib();
  const std::size_t base_sockets = open_sockets(node.pid());
  QVERIFY(base_kib > 0);
  // 4000 x 60 KiB = 234 MiB flooded. The engine keeps at most user_memory_cap_bytes (4 MiB) of
  // an online recipient's messages in memory beyond its 1 MiB ACK window (docs/architecture.md,
  // bounds table); the rest waits in the store. 32 MiB more for the store's page caches and the
  // allocator: far below the flood, so nothing may accumulate per message sent.
  const std::size_t n = 4000, size = 60 * 1024;
  const double bound_mib = 4.0 + 1.0 + 32.0;
  std::map<std::uint64_t, std::size_t> index_of;
  std::size_t next = 0;
  qint64 peak_kib = base_kib;
  auto last_sample = Clock::now();
  auto t0 = Clock::now();
  auto deadline = t0 + 30s;
  while (alice->done.size() < n && Clock::now() < deadline) {
    while (next < n && alice->c->core().pending_sends() < 64) {
      auto id = alice->c->send("bob", big_payload(next, size));
      QVERIFY(id != 0);
      index_of[id] = next++;
    }
    alice->c->pump(2ms);
    alice->drain();
    if (Clock::now() - last_sample >= 20ms) {
      peak_kib = std::max(peak_kib, node.rss_kib());
      last_sample = Clock::now();
    }
  }
  double flood_ms = ms_since(t0);
  QVERIFY2(alice->done.size() == n,
           qPrintable(QString("%1 of %2 SEND_ACKs in 30 s").arg(alice->done.size()).arg(n)));
  const qint64 end_kib = node.rss_kib();
  peak_kib = std::max(peak_kib, end_kib);
  const std::size_t flood_sockets = open_sockets(node.pid());
  const double growth_mib = static_cast<double>(peak_kib - base_kib) / 1024.0;
  qInfo(
      "slow consumer: %zu x %zu B flooded in %.0f ms; node RSS base %.1f MiB, peak %.1f MiB "
      "(+%.1f MiB), at end %.1f MiB; node sockets %zu before, %zu after the flood",
      n, size, flood_ms, base_kib / 1024.0, peak_kib / 1024.0, growth_mib, end_kib / 1024.0,
      base_sockets, flood_sockets);

  // Now read what the node pushed to bob: at most its ACK window (1 MiB of payload), then BYE.
  bob.read_to_eof(5s);
  bool tail_ok = false;
  auto frames = bob.frames(&tail_ok);
  QVERIFY(tail_ok);
  std::size_t delivered = 0, delivered_bytes = 0;
  std::optional<protocol::ByeReason> bye;
  for (std::size_t i = 2; i < frames.size(); ++i) {
    auto f = frames[i].decode();
    QVERIFY2(f, protocol::to_string(frames[i].type));
    if (const auto* d = as<protocol::Deliver>(f)) {
      QCOMPARE(std::string(reinterpret_cast<const char*>(d->payload.data()), d->payload.size()),
               big_payload(delivered, size));
      ++delivered;
      delivered_bytes += d->payload.size();
    } else if (const auto* b = as<protocol::Bye>(f)) {
      bye = b->reason;
    }
  }
  qInfo("slow consumer: bob's socket held %zu DELIVERs (%zu payload bytes), BYE %s, closed: %s",
        delivered, delivered_bytes, bye ? protocol::to_string(*bye) : "none",
        bob.closed() ? bob.close_reason().c_str() : "no");
  QVERIFY2(delivered_bytes <= (1u << 20) + size,
           qPrintable(QString("node pushed %1 bytes past a full window").arg(delivered_bytes)));
  QVERIFY2(bye.has_value(), "no BYE after the 1 s slow-consumer timeout");
  QCOMPARE(*bye, protocol::ByeReason::kSlowConsumer);
  QVERIFY2(bob.closed(), "node did not close the slow consumer's connection");

  // A normal bob now receives every message alice got SEND_ACK(OK) for, once, intact, in the
  // order the node accepted them (ascending server id: the protocol's per-sender order).
  std::map<std::uint64_t, std::size_t> acked;  // server id -> message index
  for (const auto& d : alice->done) {
    if (d.status == SendStatus::kOk) acked[d.server_msg_id] = index_of[d.client_msg_id];
  }
  QCOMPARE(acked.size(), n);
  std::vector<std::pair<std::uint64_t, std::size_t>> expect(acked.begin(), acked.end());
  LOGIN(bob2, node, "bob");
  std::size_t checked = 0, overtaken = 0, max_index = 0;
  QString first_bad;
  auto t1 = Clock::now();
  pump(
      {bob2.get()},
      [&] {
        for (; checked < bob2->got.size(); ++checked) {
          auto& d = bob2->got[checked];
          if (first_bad.isEmpty()) {
            if (checked >= expect.size()) {
              first_bad = QString("delivery #%1 is one too many").arg(checked);
            } else if (d.server_msg_id != expect[checked].first ||
                       d.payload != big_payload(expect[checked].second, size)) {
              first_bad = QString("delivery #%1: server id %2, expected %3 (message %4)")
                              .arg(checked)
                              .arg(d.server_msg_id)
                              .arg(expect[checked].first)
                              .arg(expect[checked].second);
            }
          }
          if (checked < expect.size()) {
            if (expect[checked].second < max_index) ++overtaken;
            max_index = std::max(max_index, expect[checked].second);
          }
          d.payload.clear();  // keep the test's own memory small
          d.payload.shrink_to_fit();
        }
        return checked >= expect.size() || !first_bad.isEmpty();
      },
      30s);
  pump_for({bob2.get()}, 100ms);
  QVERIFY2(first_bad.isEmpty(), qPrintable(first_bad));
  QCOMPARE(bob2->got.size(), expect.size());
  // The flood runs into the per-session byte rate (RETRY_LATER); the node holds later ids back
  // until every refused one is resent, and the client resends in order: acceptance order is send
  // order. (Under CPU load this once broke when a held-back id was still on its way back to the
  // client as the refused one returned; tst_shard heldBackIdsStayHeldAfterTheOldestReturns.)
  qInfo("slow consumer: %zu of %zu messages accepted after one alice sent later", overtaken,
        expect.size());
  QCOMPARE(overtaken, std::size_t{0});
  qInfo("slow consumer: the next login drained %zu messages in %.0f ms", expect.size(),
        ms_since(t1));
  QVERIFY2(growth_mib < bound_mib,
           qPrintable(QString("RSS grew by %1 MiB (bound %2 MiB)").arg(growth_mib).arg(bound_mib)));
  QCOMPARE(node.stop(), 0);
}

// ---------------------------------------------------------------------------------------------
// SIGKILL mid-burst (guaranteed durability): every SEND_ACK(OK) survives, nothing twice.

void TestNodeResilience::restartKeepsEveryAckedMessage() {
  NodeProcess node;
  QVERIFY2(node.start({"--durability", "guaranteed"}), qPrintable(node.error()));
  LOGIN(alice, node, "alice", {Transport::kTcp, true, /*max_pending=*/1024});
  std::vector<std::string> sent;
  std::map<std::uint64_t, std::size_t> index_of;
  auto t0 = Clock::now();
  auto refill = [&] {
    while (alice->c->core().pending_sends() < 1024) {
      std::string p = "burst-" + std::to_string(sent.size()) + "-" + std::string(64, 'k');
      auto id = alice->c->send("bob", p);
      if (id == 0) return false;
      index_of[id] = sent.size();
      sent.push_back(p);
    }
    return true;
  };
  QVERIFY(refill());
  while (Clock::now() - t0 < 500ms && sent.size() < 200'000) {
    alice->c->pump(2ms);
    alice->drain();
    QVERIFY(refill());  // last before the kill: the newest sends are in flight when it lands
  }
  node.kill();  // SIGKILL: no drain, no flush
  alice->drain();
  std::map<std::size_t, std::uint64_t> acked;  // index -> server id
  for (const auto& d : alice->done) {
    QCOMPARE(d.status, SendStatus::kOk);
    acked[index_of[d.client_msg_id]] = d.server_msg_id;
  }
  QVERIFY2(!acked.empty(), "nothing acked within 0.5 s");
  QVERIFY2(acked.size() < sent.size(), "the kill did not land mid-burst");
  alice->c->close();

  QVERIFY2(node.start({"--durability", "guaranteed"}), qPrintable(node.error()));
  LOGIN(bob, node, "bob");
  // Drain until nothing new arrives for 500 ms (bounded).
  std::size_t last_count = 0;
  auto last_change = Clock::now();
  pump(
      {bob.get()},
      [&] {
        if (bob->got.size() != last_count) {
          last_count = bob->got.size();
          last_change = Clock::now();
        }
        return bob->got.size() >= acked.size() && Clock::now() - last_change > 500ms;
      },
      30s);
  std::map<std::string, std::size_t> sent_index;
  for (std::size_t i = 0; i < sent.size(); ++i) sent_index[sent[i]] = i;
  std::set<std::uint64_t> ids;
  std::set<std::string> seen_payloads;
  std::map<std::size_t, std::uint64_t> received;  // index -> server id
  for (const auto& d : bob->got) {
    QVERIFY2(ids.insert(d.server_msg_id).second, "a server id delivered twice");
    QVERIFY2(seen_payloads.insert(d.payload).second,
             qPrintable("payload twice: " + QString::fromStdString(d.payload)));
    auto it = sent_index.find(d.payload);
    QVERIFY2(it != sent_index.end(), "a payload that was never sent");
    received[it->second] = d.server_msg_id;
  }
  QCOMPARE(bob->c->core().duplicates_dropped(), std::uint64_t{0});
  std::size_t lost = 0;
  for (const auto& [i, sid] : acked) {
    auto it = received.find(i);
    if (it == received.end()) {
      ++lost;
    } else {
      QCOMPARE(it->second, sid);
    }
  }
  qInfo(
      "SIGKILL after 0.5 s: %zu sent, %zu SEND_ACK(OK), %zu delivered after restart, %zu acked "
      "lost",
      sent.size(), acked.size(), bob->got.size(), lost);
  QCOMPARE(lost, std::size_t{0});
  QCOMPARE(node.stop(), 0);
}

// ---------------------------------------------------------------------------------------------
// Wrong tokens: refused with "authentication failed"; the node keeps serving others.

void TestNodeResilience::wrongTokenRefused_data() {
  QTest::addColumn<QString>("kind");
  QTest::newRow("other secret") << "other secret";
  QTest::newRow("expired") << "expired";
  QTest::newRow("garbage") << "garbage";
  QTest::newRow("user swapped") << "user swapped";
  QTest::newRow("bare user id (dev login off)") << "bare";
}

void TestNodeResilience::wrongTokenRefused() {
  QFETCH(QString, kind);
  NodeProcess node;
  QVERIFY2(node.start(), qPrintable(node.error()));
  std::string token;
  const std::string secret = node.secret();
  QVERIFY(secret.size() >= 16);
  if (kind == "other secret") {
    token = auth::mint_token("some-other-secret-0123456789abcdef", "carol", wall_s() + 3600);
  } else if (kind == "expired") {
    token = auth::mint_token(secret, "carol", wall_s() - 5);
  } else if (kind == "garbage") {
    token = "v1.carol.notanumber.zzzz";
  } else if (kind == "user swapped") {
    token = auth::mint_token(secret, "carol", wall_s() + 3600);
    token.replace(3, 5, "mallo");
  } else {
    token = "carol";
  }
  // On the wire: HELLO_OK, then ERROR(AUTH_FAILED, "authentication failed"), then the close.
  RawConn raw;
  QVERIFY2(raw.connect(node.tcp_port()), raw.error().c_str());
  QVERIFY(raw.write(hello_login(token)));
  QVERIFY2(raw.read_to_eof(5s), "the node did not close the connection");
  bool tail_ok = false;
  auto frames = raw.frames(&tail_ok);
  QVERIFY(tail_ok);
  QCOMPARE(frames.size(), std::size_t{2});
  QVERIFY(as<protocol::HelloOk>(frames[0].decode()) != nullptr);
  auto f1 = frames[1].decode();
  const auto* err = as<protocol::Error>(f1);
  QVERIFY2(err != nullptr, protocol::to_string(frames[1].type));
  QCOMPARE(err->code, protocol::ErrorCode::kAuthFailed);
  QCOMPARE(std::string(err->text), std::string("authentication failed"));

  // Over WebSocket (the test's driver): refused the same way.
  client::ClientOptions co;
  co.token = token;
  std::string ws_err;
  QVERIFY2(TestWsConn::connect(node.ws_port(), co, 5s, ws_err) == nullptr, "accepted over WS");
  QCOMPARE(ws_err, std::string("authentication failed"));

  // Still serving: a valid pair exchanges a message.
  LOGIN(alice, node, "alice");
  LOGIN(carol, node, "carol");
  QVERIFY(alice->c->send("carol", "still here") != 0);
  QVERIFY(pump(
      {alice.get(), carol.get()}, [&] { return !carol->got.empty() && !alice->done.empty(); }, 5s));
  QCOMPARE(carol->got[0].payload, std::string("still here"));
  QVERIFY2(node.log().contains("login_refused"), qPrintable(node.log()));

  // iris::client::Client::connect must fail with the server's ERROR text (client.h says so).
  auto r = Client::connect("127.0.0.1", node.tcp_port(), co, Transport::kTcp, 5s);
  QVERIFY2(!r, "a bad token was accepted");
  QVERIFY2(r.status().message().find("authentication failed") != std::string::npos,
           qPrintable(QString("Client::connect failed with '%1'")
                          .arg(QString::fromStdString(r.status().message()))));
  QCOMPARE(node.stop(), 0);
}

// ---------------------------------------------------------------------------------------------
// Garbage: raw sockets send random bytes / impossible lengths; each gets ERROR and a close while
// a legitimate pair keeps talking without loss.

void TestNodeResilience::garbageFlood() {
  NodeProcess node;
  QVERIFY2(node.start(), qPrintable(node.error()));
  LOGIN(alice, node, "alice");
  LOGIN(bob, node, "bob");
  pump_for({alice.get(), bob.get()}, 100ms);
  const qint64 base_kib = node.rss_kib();

  struct Garbage {
    std::string name;
    protocol::Bytes bytes;
    std::optional<protocol::ErrorCode> code;  // expected code, if determined
    std::size_t ok_frames_first = 0;          // HELLO_OK, LOGIN_OK before the ERROR
    std::unique_ptr<RawConn> conn;
  };
  auto random_bytes = [](std::uint32_t seed, std::size_t n) {
    std::mt19937 rng(seed);
    protocol::Bytes b(n);
    for (auto& x : b) x = static_cast<std::uint8_t>(rng());
    return b;
  };
  const std::size_t mib = 1 << 20;
  std::vector<Garbage> g;
  g.push_back({"random seed 1", random_bytes(1, mib), std::nullopt, 0, nullptr});
  g.push_back({"random seed 2", random_bytes(2, mib), std::nullopt, 0, nullptr});
  {
    auto b = hello_login(node.token("mallory"));
    auto r = random_bytes(3, mib);
    b.insert(b.end(), r.begin(), r.end());
    g.push_back({"random after login", std::move(b), std::nullopt, 2, nullptr});
  }
  {
    std::mt19937 rng(4);
    protocol::Bytes b;
    while (b.size() < mib) {  // well-framed, random type and body
      std::uint32_t len = 1 + rng() % 300;
      b.push_back(static_cast<std::uint8_t>(len >> 24));
      b.push_back(static_cast<std::uint8_t>(len >> 16));
      b.push_back(static_cast<std::uint8_t>(len >> 8));
      b.push_back(static_cast<std::uint8_t>(len));
      for (std::uint32_t i = 0; i < len; ++i) b.push_back(static_cast<std::uint8_t>(rng()));
    }
    g.push_back({"random frames", std::move(b), std::nullopt, 0, nullptr});
  }
  {
    protocol::Bytes b = {0xff, 0xff, 0xff, 0xff, 0x01};
    b.resize(mib, 0);
    g.push_back(
        {"length 0xffffffff", std::move(b), protocol::ErrorCode::kFrameTooLarge, 0, nullptr});
  }
  {
    protocol::Bytes b = hello_login(node.token("mallory2"));
    std::uint32_t len = protocol::kMaxFrameLength + 1;
    b.push_back(static_cast<std::uint8_t>(len >> 24));
    b.push_back(static_cast<std::uint8_t>(len >> 16));
    b.push_back(static_cast<std::uint8_t>(len >> 8));
    b.push_back(static_cast<std::uint8_t>(len));
    b.push_back(static_cast<std::uint8_t>(protocol::FrameType::kSend));
    b.resize(b.size() + len, 'x');
    g.push_back({"length max+1 after login", std::move(b), protocol::ErrorCode::kFrameTooLarge, 2,
                 nullptr});
  }
  for (auto& x : g) {
    x.conn = std::make_unique<RawConn>();
    QVERIFY2(x.conn->connect(node.tcp_port()), x.conn->error().c_str());
    x.conn->start_write(x.bytes);
  }

  // Interleave: garbage I/O, and alice <-> bob traffic.
  const std::size_t n = 300;
  std::size_t sent = 0;
  auto t0 = Clock::now();
  auto garbage_done = [&] {
    return std::all_of(g.begin(), g.end(), [](const Garbage& x) { return x.conn->closed(); });
  };
  while (Clock::now() - t0 < 20s) {
    for (auto& x : g) x.conn->poll_for(1ms);
    if (sent < n) {
      for (int k = 0; k < 10 && sent < n; ++k, ++sent) {
        QVERIFY(alice->c->send("bob", "a" + std::to_string(sent)) != 0);
        QVERIFY(bob->c->send("alice", "b" + std::to_string(sent)) != 0);
      }
    }
    alice->c->pump(1ms);
    bob->c->pump(1ms);
    alice->drain();
    bob->drain();
    if (garbage_done() && bob->got.size() >= n && alice->got.size() >= n) break;
  }
  double elapsed = ms_since(t0);
  for (auto& x : g) {
    QVERIFY2(x.conn->closed(),
             qPrintable(QString::fromStdString(x.name + ": not closed by the node")));
    bool tail_ok = false;
    auto frames = x.conn->frames(&tail_ok);
    QVERIFY2(tail_ok, x.name.c_str());
    QVERIFY2(
        frames.size() == x.ok_frames_first + 1,
        qPrintable(QString::fromStdString(x.name) + QString(": %1 frames").arg(frames.size())));
    auto last = frames.back().decode();
    const auto* err = as<protocol::Error>(last);
    QVERIFY2(err != nullptr,
             qPrintable(QString::fromStdString(x.name + ": last frame is not ERROR")));
    if (x.code) QCOMPARE(err->code, *x.code);
    if (x.ok_frames_first == 2) QVERIFY(as<protocol::LoginOk>(frames[1].decode()) != nullptr);
    qInfo("garbage '%s': ERROR %s (%s) after %zu of %zu bytes written; close: %s", x.name.c_str(),
          protocol::to_string(err->code), std::string(err->text).c_str(), x.conn->written(),
          x.bytes.size(), x.conn->close_reason().c_str());
  }
  // The legitimate pair lost nothing.
  QVERIFY(pump(
      {alice.get(), bob.get()},
      [&] {
        return bob->got.size() >= n && alice->got.size() >= n && alice->done.size() >= n &&
               bob->done.size() >= n;
      },
      10s));
  for (std::size_t i = 0; i < n; ++i) {
    QCOMPARE(bob->got[i].payload, "a" + std::to_string(i));
    QCOMPARE(alice->got[i].payload, "b" + std::to_string(i));
  }
  QCOMPARE(alice->ok_count(), n);
  QCOMPARE(bob->ok_count(), n);
  QVERIFY(node.running());
  const qint64 end_kib = node.rss_kib();
  qInfo("garbage flood: %zu sockets handled in %.0f ms; node RSS %.1f -> %.1f MiB", g.size(),
        elapsed, base_kib / 1024.0, end_kib / 1024.0);
  QVERIFY2(end_kib - base_kib < 32 * 1024,
           qPrintable(QString("RSS grew %1 KiB").arg(end_kib - base_kib)));
  LOGIN(carol, node, "carol");  // and it still accepts logins
  QVERIFY(sync(*carol, 5));
  QCOMPARE(node.stop(), 0);
}

// ---------------------------------------------------------------------------------------------
// SIGTERM with sessions open and unacked deliveries in flight: BYE(shutdown), exit 0 within 5 s,
// and the unacked messages come back after the restart.

void TestNodeResilience::sigtermDrain_data() {
  QTest::addColumn<QStringList>("args");
  QTest::addColumn<bool>("volatile_at_sigterm");
  QTest::newRow("in memory only (persist delay 60 s)")
      << QStringList{"--persist-delay-ms", "60000"} << true;
  QTest::newRow("already durable (persist delay 4 ms)") << QStringList{} << false;
}

void TestNodeResilience::sigtermDrain() {
  QFETCH(QStringList, args);
  QFETCH(bool, volatile_at_sigterm);
  NodeProcess node;
  QVERIFY2(node.start(args), qPrintable(node.error()));
  LOGIN(alice, node, "alice");
  LOGIN(bob, node, "bob", {Transport::kTcp, /*auto_ack=*/false});
  const std::size_t n = 50;
  std::vector<std::string> want;
  for (std::size_t i = 0; i < n; ++i) {
    want.push_back("drain-" + std::to_string(i));
    QVERIFY(alice->c->send("bob", want.back()) != 0);
  }
  QVERIFY(pump(
      {alice.get(), bob.get()},
      [&] { return bob->got.size() >= n && (volatile_at_sigterm || alice->done.size() >= n); },
      10s));
  pump_for({alice.get(), bob.get()}, 50ms);
  QCOMPARE(payloads(bob->got), want);
  // Volatile: unacked and not yet persisted, so the sender has no SEND_ACK yet.
  QCOMPARE(alice->done.size(), volatile_at_sigterm ? std::size_t{0} : n);

  auto t0 = Clock::now();
  int code = node.stop(5s);
  double stop_ms = ms_since(t0);
  QVERIFY2(
      code == 0,
      qPrintable(
          QString("exit code %1 after %2 ms; log:\n%3").arg(code).arg(stop_ms).arg(node.log())));
  QVERIFY(stop_ms < 5000);
  QVERIFY(pump(
      {alice.get(), bob.get()},
      [&] {
        return !alice->byes.empty() && !bob->byes.empty() && !alice->c->connected() &&
               !bob->c->connected();
      },
      3s));
  QCOMPARE(alice->byes.size(), std::size_t{1});
  QCOMPARE(bob->byes.size(), std::size_t{1});
  QCOMPARE(alice->byes[0].reason, protocol::ByeReason::kShutdown);
  QCOMPARE(bob->byes[0].reason, protocol::ByeReason::kShutdown);
  qInfo("SIGTERM drain: node exited 0 in %.1f ms", stop_ms);

  QVERIFY2(node.start(args), qPrintable(node.error()));
  LOGIN(bob2, node, "bob");
  QVERIFY(pump(
      {bob2.get()}, [&] { return bob2->got.size() >= n; }, 10s));
  pump_for({bob2.get()}, 100ms);
  QCOMPARE(payloads(bob2->got), want);
  for (std::size_t i = 0; i < n; ++i)
    QCOMPARE(bob2->got[i].server_msg_id, bob->got[i].server_msg_id);
  QCOMPARE(node.stop(), 0);
}

QTEST_GUILESS_MAIN(TestNodeResilience)
#include "tst_node_resilience.moc"
