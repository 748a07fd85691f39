// The real driver in-process: NodeServer with several worker threads, real loopback sockets,
// cross-shard forwarding, the outbound-queue guard, drain. Also the ThreadSanitizer target for
// the threaded code (preset tsan).

#include <QtTest>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <thread>

#include "engine/client/client.h"
#include "engine/net/node_server.h"
#include "engine/net/peer_links.h"
#include "engine/net/worker.h"
#include "engine/store/memory_store.h"

using namespace iris;
using namespace std::chrono_literals;

namespace {

net::ServerOptions options(std::uint32_t shards) {
  net::ServerOptions o;
  o.core.shards = shards;
  o.core.insecure_dev_login = true;
  o.listen = "127.0.0.1:0";
  o.ws_listen = "127.0.0.1:0";
  o.tick_us = 1000;
  return o;
}

std::unique_ptr<client::Client> login(std::uint16_t port, const std::string& user,
                                      client::Transport t = client::Transport::kTcp) {
  client::ClientOptions o;
  o.token = user;
  auto c = client::Client::connect("127.0.0.1", port, o, t, 5s);
  if (!c) qFatal("login %s failed: %s", user.c_str(), c.status().message().c_str());
  return std::move(c.value());
}

// Pumps every client until `done` or the deadline.
bool pump_all(std::vector<client::Client*> cs, const std::function<bool()>& done,
              std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    for (auto* c : cs) c->pump(1ms);
  }
  return true;
}

}  // namespace

class TestNet : public QObject {
  Q_OBJECT

 private slots:
  void crossShardTrafficOverTcpAndWebSocket_data();
  void crossShardTrafficOverTcpAndWebSocket();
  void readerThatNeverReadsIsCutOff_data();
  void readerThatNeverReadsIsCutOff();
  void stopDrainsWithByeAndPersists();
  void bindFailureIsAClearError();
  void peerFloodIntoABusyWorkerIsBounded();
};

void TestNet::crossShardTrafficOverTcpAndWebSocket_data() {
  QTest::addColumn<int>("shards");
  QTest::addColumn<bool>("websocket");
  QTest::newRow("2 shards tcp") << 2 << false;
  QTest::newRow("3 shards websocket") << 3 << true;
  QTest::newRow("2 shards websocket") << 2 << true;
  QTest::newRow("3 shards tcp") << 3 << false;
  QTest::newRow("1 shard websocket") << 1 << true;
}

void TestNet::crossShardTrafficOverTcpAndWebSocket() {
  QFETCH(int, shards);
  QFETCH(bool, websocket);
  store::MemoryStore store;
  net::NodeServer server(options(static_cast<std::uint32_t>(shards)), store, 1);
  QVERIFY(server.start().is_ok());
  const int users = 8, per_pair = 25;
  std::vector<std::unique_ptr<client::Client>> cs;
  for (int i = 0; i < users; ++i) {
    bool ws = websocket && i % 2 == 0;
    cs.push_back(login(ws ? server.ws_port() : server.tcp_port(), "u" + std::to_string(i),
                       ws ? client::Transport::kWebSocket : client::Transport::kTcp));
  }
  std::vector<client::Client*> raw;
  for (auto& c : cs) raw.push_back(c.get());
  for (int k = 0; k < per_pair; ++k) {
    for (int i = 0; i < users; ++i) {
      for (int j = 0; j < users; ++j) {
        if (i != j)
          cs[i]->send("u" + std::to_string(j), "u" + std::to_string(i) + ":" + std::to_string(k));
      }
    }
  }
  std::vector<std::vector<client::Delivered>> got(users);
  const std::size_t want = static_cast<std::size_t>((users - 1) * per_pair);
  bool ok = pump_all(
      raw,
      [&] {
        for (int i = 0; i < users; ++i) {
          for (auto& d : cs[i]->take_deliveries()) got[i].push_back(std::move(d));
        }
        for (auto& g : got)
          if (g.size() < want) return false;
        return true;
      },
      20s);
  QVERIFY2(ok, "not everything was delivered in time");
  for (int i = 0; i < users; ++i) {
    QCOMPARE(got[i].size(), want);
    std::map<std::string, int> last;
    for (auto& d : got[i]) {
      int seq = std::stoi(d.payload.substr(d.payload.find(':') + 1));
      QVERIFY(last.count(d.sender) == 0 || last[d.sender] == seq - 1);  // per-sender order
      last[d.sender] = seq;
    }
  }
  QVERIFY(pump_all(
      raw,
      [&] {
        for (auto& c : cs)
          if (c->core().pending_sends() != 0) return false;
        return true;
      },
      10s));
  auto st = server.stats();
  QCOMPARE(st.accepted, std::uint64_t(users * want));
  QCOMPARE(st.logins, std::uint64_t(users));
  server.stop();
}

void TestNet::readerThatNeverReadsIsCutOff_data() {
  QTest::addColumn<bool>("socket_guard");
  QTest::newRow("ACK window full too long") << false;
  QTest::newRow("outbound queue over its bound") << true;
}

// A client that logs in and never reads is cut off — by the session's slow-consumer timeout
// (its ACK window stays full), or, with a window too large to protect the node, by the
// connection's outbound bound. Node memory stays bounded; every acked message is kept.
void TestNet::readerThatNeverReadsIsCutOff() {
  QFETCH(bool, socket_guard);
  store::MemoryStore store;
  auto o = options(2);
  if (socket_guard) {
    o.max_outbound_bytes = 256 * 1024;
    o.core.max_inflight_per_session = 100'000;
    o.core.max_inflight_bytes_per_session = 1ull << 30;
  } else {
    o.core.slow_consumer_timeout_us = 500'000;
  }
  net::NodeServer server(o, store, 1);
  QVERIFY(server.start().is_ok());
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket raw(io);
  raw.connect({boost::asio::ip::make_address("127.0.0.1"), server.tcp_port()});
  protocol::Bytes hello;
  protocol::encode(hello, protocol::Hello{1, "lazy"});
  protocol::encode(hello, protocol::Login{"lazy"});
  boost::asio::write(raw, boost::asio::buffer(hello));
  auto alice = login(server.tcp_port(), "alice");
  std::string payload(60 * 1024, 'x');
  std::size_t acked = 0;
  for (int i = 0; i < 300; ++i) {
    while (alice->send("lazy", payload) == 0) alice->pump(1ms);  // respect backpressure
    alice->pump(0ms);
  }
  QVERIFY(alice->pump_until([&] { return alice->core().pending_sends() == 0; }, 20s));
  for (auto& e : alice->events()) acked += std::holds_alternative<client::SendDone>(e);
  QCOMPARE(acked, std::size_t{300});
  QVERIFY(server.stats().memory_bytes < 64ull << 20);  // bounded whatever the reader does
  // The node gave up on the lazy reader: only alice's connection is left open.
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (server.stats().connections > 1 && std::chrono::steady_clock::now() < deadline) {
    alice->pump(10ms);
  }
  QCOMPARE(server.stats().connections, std::uint64_t{1});
  if (socket_guard) {  // with this deliberately unsafe window the next login would be cut too:
    server.stop();     // check the store instead — the drain persists what is in memory
    QCOMPARE(store.stats().messages, std::uint64_t{300});
    return;
  }
  // Every acknowledged message is still there for the next login.
  auto lazy = login(server.tcp_port(), "lazy");
  std::size_t delivered = 0;
  QVERIFY(lazy->pump_until(
      [&] {
        delivered += lazy->take_deliveries().size();
        return delivered >= 300;
      },
      20s));
  QCOMPARE(delivered, std::size_t{300});
  server.stop();
}

void TestNet::stopDrainsWithByeAndPersists() {
  store::MemoryStore store;
  net::NodeServer server(options(2), store, 1);
  QVERIFY(server.start().is_ok());
  auto alice = login(server.tcp_port(), "alice");
  client::ClientOptions o;
  o.token = "bob";
  o.auto_ack = false;  // bob receives but never ACKs: the messages are in flight at SIGTERM
  auto bob = std::move(client::Client::connect("127.0.0.1", server.tcp_port(), o).value());
  for (int i = 0; i < 10; ++i) alice->send("bob", "m" + std::to_string(i));
  std::size_t got = 0;
  QVERIFY(pump_all(
      {alice.get(), bob.get()},
      [&] {
        got += bob->take_deliveries().size();
        return got == 10;
      },
      10s));
  server.stop();
  QCOMPARE(store.stats().messages, std::uint64_t{10});
  bool bye = false;
  bob->pump_until(
      [&] {
        for (auto& e : bob->events()) {
          if (auto* b = std::get_if<client::ServerBye>(&e))
            bye = b->reason == protocol::ByeReason::kShutdown;
        }
        return bye;
      },
      2s);
  QVERIFY(bye);
}

void TestNet::bindFailureIsAClearError() {
  store::MemoryStore store;
  net::NodeServer first(options(1), store, 1);
  QVERIFY(first.start().is_ok());
  auto o = options(1);
  o.listen = "127.0.0.1:" + std::to_string(first.tcp_port());
  net::NodeServer second(o, store, 1);
  auto st = second.start();
  QVERIFY(!st.is_ok());
  QVERIFY2(st.message().find("cannot listen on 127.0.0.1:") != std::string::npos,
           st.message().c_str());
  o.listen = "not-an-address";
  net::NodeServer third(o, store, 1);
  QVERIFY(!third.start().is_ok());
  first.stop();
}

// Two in-process nodes of one cluster. Node B's only worker is busy for 700 ms while node A
// forwards a flood to B's user: B's peer-links thread keeps at most max_pending_per_shard frames
// (plus one read) waiting for the worker, stops reading meanwhile (TCP pushes back on A), and
// everything arrives once the worker is free.
void TestNet::peerFloodIntoABusyWorkerIsBounded() {
  auto free_port = [] {
    boost::asio::io_context io;
    boost::asio::ip::tcp::acceptor a(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
    return a.local_endpoint().port();
  };
  const std::uint16_t pa = free_port(), pb = free_port();
  cluster::View view;
  view.members = {{"a", "127.0.0.1:" + std::to_string(pa), ""},
                  {"b", "127.0.0.1:" + std::to_string(pb), ""}};
  auto node_options = [&](cluster::NodeIndex self) {
    net::ServerOptions o = options(1);
    o.core.node_id = view.members[self].id;
    o.mailbox_route_capacity = 1024;  // the smallest ring
    o.cluster.view = view;
    o.cluster.view.self = self;
    o.cluster.peer_listen = view.members[self].peer_address;
    o.cluster.max_pending_per_shard = 2048;
    o.cluster.membership.down_after_us = 5'000'000;  // the busy worker must not look like a failure
    return o;
  };
  store::MemoryStore store_a, store_b;
  net::NodeServer a(node_options(0), store_a, 1), b(node_options(1), store_b, 1);
  QVERIFY(a.start());
  QVERIFY(b.start());
  std::string sender, recipient;
  for (int i = 0; sender.empty() || recipient.empty(); ++i) {
    std::string u = "u" + std::to_string(i);
    (view.owner_of(u) == 0 ? sender : recipient) = u;
  }
  auto deadline = std::chrono::steady_clock::now() + 5s;
  while ((a.peer_links()->peers().empty() || !a.peer_links()->peers()[0].up) &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(10ms);
  }
  QVERIFY2(!a.peer_links()->peers().empty() && a.peer_links()->peers()[0].up, "link not up");
  client::ClientOptions wide;  // a sender with a window far over the limit
  wide.token = sender;
  wide.max_pending_sends = 20'000;
  auto sc = client::Client::connect("127.0.0.1", a.tcp_port(), wide, client::Transport::kTcp, 5s);
  QVERIFY(sc);
  auto s = std::move(sc.value());
  auto r = login(b.tcp_port(), recipient);
  // Occupy B's worker.
  boost::asio::post(b.worker(0).io(), [] { std::this_thread::sleep_for(700ms); });
  const int n = 20'000;
  int sent = 0;
  std::size_t got = 0;
  auto start = std::chrono::steady_clock::now();
  bool ok = pump_all(
      {s.get(), r.get()},
      [&] {
        while (sent < n && s->core().pending_sends() < 15'000) {
          if (s->send(recipient, "flood " + std::to_string(sent)) == 0) break;
          ++sent;
        }
        got += r->take_deliveries().size();
        return got >= static_cast<std::size_t>(n);
      },
      30s);
  qInfo(
      "peer flood: %d messages through a worker busy for 700 ms in %.0f ms; B's peer links "
      "held at most %zu frames for it (limit 2048)",
      n,
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count(),
      b.peer_links()->pending_high_water());
  QVERIFY2(ok, qPrintable(QString("%1 of %2 delivered").arg(got).arg(n)));
  QVERIFY2(b.peer_links()->pending_high_water() >= 2048, "the limit was never reached: no test");
  // One read (64 KiB, some 1,300 of these frames) may land after the limit is reached.
  QVERIFY2(b.peer_links()->pending_high_water() <= 2048 + 1600,
           qPrintable(QString("%1 frames waited").arg(b.peer_links()->pending_high_water())));
  s->close();
  r->close();
  a.stop();
  b.stop();
}

QTEST_GUILESS_MAIN(TestNet)
#include "tst_net.moc"
