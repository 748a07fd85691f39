// The console on real nodes: RemoteSource merges the nodes' admin streams into the snapshot every
// view reads; three iris-node processes started here are attached to, shown, partitioned through
// the admin API (the cut shows, and goes when its TTL ends); a wrong token, a node without
// --enable-chaos and an unreachable address each get a clear message.

#include <spdlog/spdlog.h>

#include <QJsonArray>
#include <QJsonDocument>
#include <QSettings>
#include <QtTest>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "../engine/node_process.h"
#include <boost/json/parse.hpp>

#include "simulator/admin_snapshot.h"
#include "ui/main_window.h"
#include "ui/models.h"
#include "ui/recent_clusters.h"
#include "ui/remote_source.h"
#include "ui/topology_view.h"

using namespace iris;
using namespace iris::ui;

using iris::test::free_port;

namespace {

constexpr char kViewer[] = "viewer-token-0123456789abcdef";
constexpr char kOperator[] = "operator-token-0123456789abcdef";


QJsonObject doc(const QString& self, const QJsonArray& links, const QJsonArray& link_faults = {},
                double sends = 0) {
  QJsonArray members;
  for (const QString& id : {QString("n0"), QString("n1"), QString("n2")}) {
    QJsonObject m{{"id", id}};
    for (const auto& l : links) {
      if (l.toObject().value("peer").toString() == id)
        m["link"] = QJsonObject{{"state", "closed"}, {"up", l.toObject().value("up").toBool()},
                                {"rtt_us", 300}};
    }
    members.append(m);
  }
  return QJsonObject{
      {"node", QJsonObject{{"id", self}, {"incarnation", 2}, {"sessions", 5},
                           {"shards", QJsonArray{QJsonObject{{"id", 0}, {"users", 7}}}},
                           {"faults", QJsonObject{{"cpu_burn_percent", 0}, {"memory_limit", 0}}}}},
      {"cluster", QJsonObject{{"self", self}, {"members", members}, {"link_faults", link_faults}}},
      {"metrics", QJsonObject{{"counters", QJsonObject{{"sends", sends}, {"delivered", sends}}}}},
      {"faults", QJsonArray{}}};
}

// The nodes' documents as the stream sends them, merged as the source merges them.
sim::ClusterSnapshot merge(const std::vector<QJsonObject>& docs) {
  std::vector<boost::json::object> parsed;
  for (const auto& d : docs)
    parsed.push_back(boost::json::parse(QJsonDocument(d).toJson().toStdString()).as_object());
  return sim::merge_admin_documents(parsed);
}

QJsonObject link(const QString& peer, bool up) {
  return {{"peer", peer}, {"up", up}};
}

// Three nodes with the admin API; node i chaos-enabled unless told otherwise.
struct RealCluster {
  QTemporaryDir dir;
  std::vector<std::unique_ptr<test::NodeProcess>> nodes;
  std::vector<std::uint16_t> admin;

  bool start(QString& error, bool chaos = true) {
    const QString tokens = dir.filePath("tokens");
    QFile f(tokens);
    if (!f.open(QIODevice::WriteOnly)) return false;
    f.write(QByteArray("viewer v ") + kViewer + "\noperator o " + kOperator + "\n");
    f.close();
    std::vector<std::uint16_t> peer, client;
    std::string seeds;
    for (int i = 0; i < 3; ++i) {
      peer.push_back(free_port());
      client.push_back(free_port());
      admin.push_back(free_port());
      seeds += (i ? "," : "") + std::string("n") + std::to_string(i) + "@127.0.0.1:" +
               std::to_string(peer[i]) + "@127.0.0.1:" + std::to_string(client[i]);
    }
    for (int i = 0; i < 3; ++i) {
      QStringList args{"--node-id", QString("n%1").arg(i), "--listen",
                       QString("127.0.0.1:%1").arg(client[i]), "--seeds", QString::fromStdString(seeds),
                       "--shards", "1", "--peer-down-after-ms", "500", "--admin-listen",
                       QString("127.0.0.1:%1").arg(admin[i]), "--admin-tokens", tokens};
      if (chaos) args << "--enable-chaos";
      nodes.push_back(std::make_unique<test::NodeProcess>());
      if (!nodes.back()->start(args)) {
        error = nodes.back()->error();
        return false;
      }
    }
    return true;
  }
  QStringList addresses() const {
    QStringList out;
    for (auto p : admin) out << QString("127.0.0.1:%1").arg(p);
    return out;
  }
};

bool all_up(const SnapshotPtr& s, std::size_t n) {
  if (!s || s->cluster.nodes.size() != n) return false;
  for (const auto& node : s->cluster.nodes) {
    if (!node.alive || node.peers.size() != n - 1) return false;
    for (const auto& p : node.peers) {
      if (!p.up) return false;
    }
  }
  return true;
}

struct Events {
  QStringList texts;
  void watch(ClusterSource& s) {
    QObject::connect(&s, &ClusterSource::eventLogged,
                     [this](double, EventKind, const QString& t) { texts << t; });
  }
  bool any(const QString& part) const {
    for (const QString& t : texts) {
      if (t.contains(part)) return true;
    }
    return false;
  }
};

}  // namespace

class TestRemote : public QObject {
  Q_OBJECT
 private slots:
  void initTestCase() {
    spdlog::set_level(spdlog::level::err);
    QCoreApplication::setOrganizationName("IrisTest");
    QCoreApplication::setApplicationName("tst_remote");
    QSettings().clear();
  }
  void mergeBuildsOneClusterFromTheNodes();
  void attachShowsThreeNodesAndAPartitionThatExpires();
  void clearMessagesForWrongTokenNoChaosUnreachable();
  void attachIsRememberedWithoutItsToken();
  void attachOverTls();
};

void TestRemote::mergeBuildsOneClusterFromTheNodes() {
  // Attached to n0 and n1 only; n0 drops what goes to n1 (one way) and delays n2.
  const auto s = merge(
      {doc("n0", {link("n1", false), link("n2", true)},
           {QJsonObject{{"kind", "peer_drop"}, {"peer", "n1"}, {"direction", "out"}},
            QJsonObject{{"kind", "peer_delay"}, {"peer", "n2"}, {"direction", "both"}, {"delay_ms", 100}}},
           10),
       doc("n1", {link("n0", false), link("n2", true)}, {}, 5)});
  QCOMPARE(s.nodes.size(), std::size_t{3});
  QCOMPARE(s.nodes[0].id, std::string("n0"));
  QVERIFY(s.nodes[0].alive && s.nodes[1].alive);
  QVERIFY(s.nodes[2].alive);  // no stream of its own, but n0 and n1 see it up
  QVERIFY(s.nodes[2].shards.empty());
  QCOMPARE(s.nodes[0].users, std::uint64_t{7});
  QCOMPARE(s.nodes[0].peers.size(), std::size_t{2});
  QCOMPARE(s.cuts.size(), std::size_t{1});
  QCOMPARE(s.cuts[0].from, 0u);
  QCOMPARE(s.cuts[0].to, 1u);
  QCOMPARE(s.degraded.size(), std::size_t{2});  // both ways
  QCOMPARE(s.degraded[0].extra_us, std::uint64_t{100'000});
  QCOMPARE(s.sent, std::uint64_t{15});
  // Nobody reachable: an empty cluster, not a crash.
  QVERIFY(merge({}).nodes.empty());
}

void TestRemote::attachShowsThreeNodesAndAPartitionThatExpires() {
  RealCluster c;
  QString error;
  QVERIFY2(c.start(error), qPrintable(error));
  RemoteOptions o;
  o.nodes = c.addresses();
  o.token = kOperator;
  MainWindow* w = MainWindow::openAttached(o);
  QPointer<MainWindow> guard(w);
  w->resize(1400, 900);
  auto* source = qobject_cast<RemoteSource*>(w->source());
  QVERIFY(source);
  Events events;
  events.watch(*source);
  QTRY_VERIFY_WITH_TIMEOUT(all_up(source->latest(), 3), 15000);
  QTRY_COMPARE_WITH_TIMEOUT(w->topology()->nodeCount(), 3, 2000);
  QCOMPARE(w->nodesModel()->rowCount(), 3);
  QCOMPARE(source->connectedCount(), 3);
  QVERIFY(w->windowTitle().contains(c.addresses().front()));
  // A partition n0 | n1 through the admin API (as the link menu sends it), for 3 s.
  source->applyFault(sim::Partition{{0}, {1}, false}, std::chrono::seconds(3));
  QTRY_VERIFY_WITH_TIMEOUT(w->topology()->visibleCutCount() == 1, 3000);
  QTRY_VERIFY_WITH_TIMEOUT(w->topology()->linkHealth(0, 1) == TopologyView::LinkHealth::kDown, 4000);
  QCOMPARE(w->topology()->linkHealth(0, 2), TopologyView::LinkHealth::kUp);
  QVERIFY(w->faultsModel()->rowCount() >= 1);
  QVERIFY(events.any("partition n0 | n1"));
  const QImage shot = w->grab().toImage();
  QVERIFY(!shot.isNull());
  shot.save("/tmp/console-attached.png");  // to look at
  // It ends by itself on the node: the cut goes, the link comes back.
  QTRY_VERIFY_WITH_TIMEOUT(w->topology()->visibleCutCount() == 0, 6000);
  QTRY_VERIFY_WITH_TIMEOUT(w->topology()->linkHealth(0, 1) == TopologyView::LinkHealth::kUp, 8000);
  QTRY_VERIFY_WITH_TIMEOUT(events.any("n0 sees n1 up"), 3000);
  // What a real node cannot do is refused with a reason; nothing is sent.
  source->applyFault(sim::KillNode{2}, std::chrono::seconds(10));
  QVERIFY(events.any("service manager"));
  // Recover all through the toolbar's action clears a fault in force.
  source->applyFault(sim::CpuBurn{1, 10'000}, std::chrono::seconds(60));
  QTRY_VERIFY_WITH_TIMEOUT(w->faultsModel()->rowCount() == 1, 3000);
  w->recoverAllAction()->trigger();
  QTRY_VERIFY_WITH_TIMEOUT(w->faultsModel()->rowCount() == 0, 3000);
  w->close();
  QTRY_VERIFY(guard.isNull());  // deleted on close
}

namespace {
// A source attached to `nodes` with `token`, and the events it logs.
struct Attached {
  std::unique_ptr<RemoteSource> source;
  Events events;
};
std::unique_ptr<Attached> attach(const QStringList& nodes, const QString& token) {
  auto a = std::make_unique<Attached>();
  RemoteOptions o;
  o.nodes = nodes;
  o.token = token;
  a->source = std::make_unique<RemoteSource>(o);
  a->events.watch(*a->source);
  return a;
}
}  // namespace

void TestRemote::clearMessagesForWrongTokenNoChaosUnreachable() {
  RealCluster c;
  QString error;
  QVERIFY2(c.start(error, /*chaos=*/false), qPrintable(error));
  auto wrong = attach(c.addresses(), "not-the-token-0123456789");
  QTRY_VERIFY_WITH_TIMEOUT(wrong->events.any("wrong or missing token"), 5000);
  QCOMPARE(wrong->source->connectedCount(), 0);
  QVERIFY(!wrong->events.any("not-the-token"));  // never echoed
  // A fault on a node without --enable-chaos, by an operator, then by a viewer.
  for (const auto& [token, expected] : {std::pair{kOperator, "chaos is disabled"},
                                        std::pair{kViewer, "operator token"}}) {
    auto a = attach(c.addresses(), token);
    QTRY_VERIFY_WITH_TIMEOUT(all_up(a->source->latest(), 3), 15000);
    a->source->applyFault(sim::DiskFull{0, true}, std::chrono::seconds(10));
    QTRY_VERIFY_WITH_TIMEOUT(a->events.any(expected), 5000);
  }
  auto nobody = attach({QString("127.0.0.1:%1").arg(free_port())}, kViewer);
  QTRY_VERIFY_WITH_TIMEOUT(nobody->events.any("unreachable"), 5000);
}

void TestRemote::attachIsRememberedWithoutItsToken() {
  RemoteOptions o;
  o.nodes = {"127.0.0.1:7480", "127.0.0.1:7481"};
  o.token = "secret-token-0123456789";
  o.tls = true;
  RemoteSource s(o);
  const QString spec = s.spec();
  QVERIFY(!spec.contains("secret"));
  const auto back = RecentClusters::parseAttach(spec);
  QVERIFY(back);
  QCOMPARE(back->nodes, o.nodes);
  QVERIFY(back->tls);
  QVERIFY(back->token.isEmpty());
  QCOMPARE(RecentClusters::label(spec), QString("Attached: 127.0.0.1:7480, 127.0.0.1:7481 (TLS)"));
  RecentClusters::add(spec);
  QVERIFY(!QSettings().value("clusters/recent").toString().contains("secret"));
  for (const QString& key : QSettings().allKeys())
    QVERIFY(!QSettings().value(key).toString().contains("secret"));
}

// A node whose admin API speaks only TLS, with a self-signed certificate: attached with that
// certificate as the CA; refused (and said so) without it.
void TestRemote::attachOverTls() {
  QTemporaryDir dir;
  const QString key = dir.filePath("k.pem"), cert = dir.filePath("c.pem");
  QProcess openssl;
  openssl.setProcessChannelMode(QProcess::MergedChannels);
  openssl.start("openssl", {"req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out",
                            cert, "-days", "1", "-subj", "/CN=localhost", "-addext",
                            "subjectAltName=IP:127.0.0.1"});
  QVERIFY(openssl.waitForFinished(30000));
  QVERIFY2(openssl.exitCode() == 0, openssl.readAll().constData());
  const QString tokens = dir.filePath("tokens");
  {
    QFile f(tokens);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(QByteArray("viewer v ") + kViewer + "\n");
  }
  const std::uint16_t port = free_port();
  test::NodeProcess node;
  QVERIFY2(node.start({"--admin-listen", QString("127.0.0.1:%1").arg(port), "--admin-tokens", tokens,
                       "--admin-tls-cert", cert, "--admin-tls-key", key}),
           qPrintable(node.error()));
  RemoteOptions o;
  o.nodes = {QString("127.0.0.1:%1").arg(port)};
  o.token = kViewer;
  o.tls = true;
  o.ca_file = cert;
  {
    RemoteSource s(o);
    QTRY_COMPARE_WITH_TIMEOUT(s.connectedCount(), 1, 10000);
    QTRY_VERIFY_WITH_TIMEOUT(s.latest() && s.latest()->cluster.nodes.size() == 1 &&
                                 s.latest()->cluster.nodes[0].alive,
                             5000);
  }
  o.ca_file.clear();  // the self-signed certificate is not trusted now
  RemoteOptions plain = o;
  plain.tls = false;  // and plain HTTP to a TLS port does not get through either
  RemoteSource s(o), p(plain);
  Events e, pe;
  e.watch(s);
  pe.watch(p);
  QTRY_VERIFY_WITH_TIMEOUT(e.any("unreachable"), 10000);
  QTRY_VERIFY_WITH_TIMEOUT(pe.any("failed"), 10000);
  QCOMPARE(s.connectedCount(), 0);
  QCOMPARE(p.connectedCount(), 0);
}

QTEST_MAIN(TestRemote)
#include "tst_remote.moc"
