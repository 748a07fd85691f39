// Real processes: three iris-node processes on loopback form one cluster over their peer links.
// Clients log in at their home node (a login elsewhere is redirected there), messages cross
// nodes, and a node killed with SIGKILL under load and restarted loses no acknowledged message
// and delivers none twice (docs/cluster.md).

#include "engine/cluster/members.h"
#include "node_test_support.h"

using iris::test::free_port;

namespace {


struct ClusterUnderTest {
  std::vector<std::unique_ptr<NodeProcess>> nodes;
  std::vector<std::uint16_t> client_ports, peer_ports;
  std::string seeds;
  cluster::View view;  // what the nodes compute: who owns whom

  std::string id(std::size_t i) const { return "node" + std::to_string(i); }
  QStringList args(std::size_t i) const {
    return {"--node-id",
            QString::fromStdString(id(i)),
            "--listen",
            QString("127.0.0.1:%1").arg(client_ports[i]),
            "--seeds",
            QString::fromStdString(seeds),
            "--insecure-dev-login",
            "--peer-down-after-ms",
            "500",
            "--shards",
            "2",
            "--persist-delay-ms",
            "1"};
  }
  bool start(std::size_t n, QString& error) {
    for (std::size_t i = 0; i < n; ++i) {
      client_ports.push_back(free_port());
      peer_ports.push_back(free_port());
      seeds += (i ? "," : "") + id(i) + "@127.0.0.1:" + std::to_string(peer_ports[i]) +
               "@127.0.0.1:" + std::to_string(client_ports[i]);
    }
    auto v = cluster::parse_members(seeds, id(0));
    if (!v) {
      error = QString::fromStdString(v.status().message());
      return false;
    }
    view = *v;
    for (std::size_t i = 0; i < n; ++i) {
      nodes.push_back(std::make_unique<NodeProcess>());
      if (!nodes.back()->start(args(i))) {
        error = nodes.back()->error();
        return false;
      }
    }
    return true;
  }
  std::size_t home(const std::string& user) const {
    // Member ids sort as node0 < node1 < ...: the view index is the node number.
    return view.owner_of(user);
  }
  // Every node's log shows a link up to every other node.
  bool all_linked(std::chrono::milliseconds timeout) {
    auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline) {
      bool ok = true;
      for (auto& n : nodes) ok &= n->log().count("peer_up") >= static_cast<int>(nodes.size()) - 1;
      if (ok) return true;
      QTest::qWait(50);
    }
    return false;
  }
};

Result<std::unique_ptr<Client>> connect_as(std::uint16_t port, const std::string& user) {
  client::ClientOptions co;
  co.token = user;
  co.client_name = "tst_cluster";
  return Client::connect("127.0.0.1", port, co, Transport::kTcp, 5s);
}

}  // namespace

class TestClusterNodes : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() {
    QVERIFY2(QFileInfo(NodeProcess::binary()).isExecutable(),
             qPrintable("iris-node not found at " + NodeProcess::binary()));
  }
  void crossNodeMessagesAndRedirect();
  void sigkillUnderLoadLosesNothingAcked();
};

void TestClusterNodes::crossNodeMessagesAndRedirect() {
  ClusterUnderTest c;
  QString err;
  QVERIFY2(c.start(3, err), qPrintable(err));
  QVERIFY2(c.all_linked(10s), qPrintable(c.nodes[0]->log()));
  // Users on three different homes.
  std::vector<std::string> users;
  std::set<std::size_t> homes;
  for (int i = 0; users.size() < 3; ++i) {
    std::string u = "user" + std::to_string(i);
    if (homes.insert(c.home(u)).second) users.push_back(u);
  }
  // A login at a node that is not the user's home is redirected to the home's client address.
  std::size_t away = (c.home(users[0]) + 1) % 3;
  auto wrong = connect_as(c.client_ports[away], users[0]);
  QVERIFY(!wrong);
  const std::string expect = "127.0.0.1:" + std::to_string(c.client_ports[c.home(users[0])]);
  QVERIFY2(wrong.status().message().find(expect) != std::string::npos,
           wrong.status().message().c_str());

  std::vector<std::unique_ptr<Peer>> peers;
  for (auto& u : users) {
    auto r = connect_as(c.client_ports[c.home(u)], u);
    QVERIFY2(r, r ? "" : r.status().message().c_str());
    peers.push_back(std::make_unique<Peer>());
    peers.back()->c = std::make_unique<LibConn>(std::move(*r));
  }
  std::vector<Peer*> all;
  for (auto& p : peers) all.push_back(p.get());
  const int n = 200;
  for (int i = 0; i < n; ++i) {
    for (std::size_t a = 0; a < 3; ++a) {
      QVERIFY(peers[a]->c->send(users[(a + 1) % 3], users[a] + ":" + std::to_string(i)) != 0);
    }
  }
  bool ok = pump(
      all,
      [&] {
        for (auto* p : all) {
          if (p->got.size() < static_cast<std::size_t>(n) ||
              p->ok_count() < static_cast<std::size_t>(n))
            return false;
        }
        return true;
      },
      20s);
  if (!ok) {
    for (std::size_t i = 0; i < 3; ++i) {
      QFile f(QString("/tmp/cl-node%1.log").arg(i));
      f.open(QIODevice::WriteOnly);
      f.write(c.nodes[i]->log().toUtf8());
    }
    for (std::size_t a = 0; a < 3; ++a) {
      qWarning("%s home %zu: got %zu, ok %zu, done %zu, byes %zu errors %zu failures %zu",
               users[a].c_str(), c.home(users[a]), peers[a]->got.size(), peers[a]->ok_count(),
               peers[a]->done.size(), peers[a]->byes.size(), peers[a]->errors.size(),
               peers[a]->failures.size());
      for (auto& d : peers[a]->done)
        qWarning("  done %llu status %d", (unsigned long long)d.client_msg_id, (int)d.status);
    }
  }
  QVERIFY2(ok, qPrintable(QString("got %1/%2/%3")
                              .arg(peers[0]->got.size())
                              .arg(peers[1]->got.size())
                              .arg(peers[2]->got.size())));
  for (std::size_t a = 0; a < 3; ++a) {
    auto& got = peers[(a + 1) % 3]->got;
    QCOMPARE(got.size(), static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) {
      QCOMPARE(got[static_cast<std::size_t>(i)].payload, users[a] + ":" + std::to_string(i));
      QCOMPARE(got[static_cast<std::size_t>(i)].sender, users[a]);
    }
  }
  for (auto& node : c.nodes) QCOMPARE(node->stop(), 0);
}

// Senders on every node keep sending to recipients on every node while one node is killed with
// SIGKILL and restarted on its data. Every SEND_ACK(OK) is delivered after the restart, once, in
// order per (sender, recipient).
void TestClusterNodes::sigkillUnderLoadLosesNothingAcked() {
  ClusterUnderTest c;
  QString err;
  QVERIFY2(c.start(3, err), qPrintable(err));
  QVERIFY2(c.all_linked(10s), qPrintable(c.nodes[0]->log()));
  const std::size_t victim = 2;
  // Two users per home.
  std::vector<std::string> users;
  std::map<std::size_t, int> per_home;
  for (int i = 0; users.size() < 6; ++i) {
    std::string u = "load" + std::to_string(i);
    if (per_home[c.home(u)]++ < 2) users.push_back(u);
  }
  std::map<std::string, std::unique_ptr<Peer>> peers;
  auto connect_user = [&](const std::string& u) -> bool {
    auto r = connect_as(c.client_ports[c.home(u)], u);
    if (!r) return false;
    peers[u] = std::make_unique<Peer>();
    peers[u]->c = std::make_unique<LibConn>(std::move(*r));
    return true;
  };
  for (auto& u : users) QVERIFY(connect_user(u));
  // (sender, client id) -> (recipient, payload) of everything acked.
  std::map<std::pair<std::string, std::uint64_t>, std::pair<std::string, std::string>> sent;
  std::map<std::pair<std::string, std::uint64_t>, std::pair<std::string, std::string>> acked;
  std::map<std::string, std::vector<client::Delivered>> received;
  auto live = [&] {
    std::vector<Peer*> v;
    for (auto& [u, p] : peers) {
      if (p) v.push_back(p.get());
    }
    return v;
  };
  auto collect = [&] {
    for (auto& [u, p] : peers) {
      if (!p) continue;
      p->drain();
      for (auto& d : p->done) {
        if (d.status == SendStatus::kOk) acked[{u, d.client_msg_id}] = sent[{u, d.client_msg_id}];
      }
      p->done.clear();
      for (auto& d : p->got) received[u].push_back(std::move(d));
      p->got.clear();
    }
  };
  int counter = 0;
  auto send_round = [&] {
    for (std::size_t a = 0; a < users.size(); ++a) {
      auto& p = peers[users[a]];
      if (!p || !p->c->connected() || p->c->core().pending_sends() > 200) continue;
      const std::string& to = users[(a + 1 + static_cast<std::size_t>(counter) % 5) % users.size()];
      std::string payload = users[a] + ">" + to + "#" + std::to_string(counter);
      auto id = p->c->send(to, payload);
      if (id) sent[{users[a], id}] = {to, payload};
    }
    ++counter;
  };
  auto run_for = [&](std::chrono::milliseconds d) {
    auto end = Clock::now() + d;
    while (Clock::now() < end) {
      send_round();
      for (auto* p : live()) p->c->pump(1ms);
      collect();
    }
  };
  run_for(1500ms);
  const std::size_t acked_before_kill = acked.size();
  c.nodes[victim]->kill();
  for (auto& u : users) {
    if (c.home(u) == victim) peers[u].reset();  // their node is gone
  }
  run_for(2000ms);  // senders on the other nodes keep going: hinted hand-off
  const std::size_t acked_while_down = acked.size() - acked_before_kill;
  QVERIFY2(c.nodes[victim]->start(c.args(victim)), qPrintable(c.nodes[victim]->error()));
  QVERIFY2(c.all_linked(10s), "the restarted node did not rejoin");
  for (auto& u : users) {
    if (c.home(u) == victim) QVERIFY(connect_user(u));
  }
  run_for(1000ms);
  // Stop sending; wait until every acked message has been received.
  auto all_received = [&] {
    std::size_t n = 0;
    for (auto& [u, v] : received) n += v.size();
    return n;
  };
  auto deadline = Clock::now() + 20s;
  while (Clock::now() < deadline) {
    for (auto* p : live()) p->c->pump(2ms);
    collect();
    std::set<std::pair<std::string, std::uint64_t>> seen;
    for (auto& [u, v] : received) {
      for (auto& d : v) seen.insert({d.sender, d.client_msg_id});
    }
    bool done = true;
    for (auto& [key, val] : acked) done &= seen.count(key) != 0;
    if (done) break;
  }
  qInfo(
      "cluster SIGKILL: %zu acked before the kill, %zu while node down, %zu in all; %zu "
      "delivered",
      acked_before_kill, acked_while_down, acked.size(), all_received());
  QVERIFY(acked_before_kill > 100);
  QVERIFY2(acked_while_down > 50, "no sends were acknowledged while a node was down");
  // Every acked message delivered, to its recipient, intact, once, in order per pair.
  std::set<std::pair<std::string, std::uint64_t>> seen;
  std::map<std::pair<std::string, std::string>, std::uint64_t> last;
  for (auto& [u, v] : received) {
    for (auto& d : v) {
      auto key = std::make_pair(d.sender, d.client_msg_id);
      QVERIFY2(seen.insert(key).second,
               qPrintable(QString("duplicate %1#%2").arg(d.sender.c_str()).arg(d.client_msg_id)));
      auto s = sent.find(key);
      QVERIFY2(s != sent.end(), "phantom delivery");
      QCOMPARE(s->second.first, u);
      QCOMPARE(s->second.second, d.payload);
      auto& l = last[{d.sender, u}];
      QVERIFY2(d.client_msg_id > l, "reordered delivery");
      l = d.client_msg_id;
    }
  }
  std::size_t lost = 0;
  for (auto& [key, val] : acked) lost += seen.count(key) ? 0 : 1;
  QCOMPARE(lost, std::size_t{0});
  for (auto& node : c.nodes) QCOMPARE(node->stop(), 0);
}

QTEST_MAIN(TestClusterNodes)
#include "tst_cluster_nodes.moc"
