// The topology view over real snapshots of a simulated cluster (no source thread): one item per
// node and a link per pair, kept across snapshots; cuts that come with a partition and go with the
// heal; link and node health; only the links that are not healthy in a large cluster; and context
// menus whose actions send the right fault values to the source. Also writes screenshots
// (/tmp/topology-healthy.png, /tmp/topology-broken.png, /tmp/topology-100.png) to look at.

#include <spdlog/spdlog.h>

#include <QAction>
#include <QGraphicsItem>
#include <QGraphicsScene>
#include <QMenu>
#include <QToolTip>
#include <QtTest>
#include <memory>

#include "simulator/live.h"
#include "simulator/sim_cluster.h"
#include "ui/topology_view.h"

using namespace iris;
using namespace iris::sim;
using namespace iris::ui;
using std::chrono::milliseconds;

namespace {

// Records every command instead of running a cluster.
class FakeSource : public ClusterSource {
 public:
  struct Call {
    Fault fault;
    milliseconds duration;
  };
  void applyFault(const Fault& fault, milliseconds duration) override {
    calls.push_back({fault, duration});
  }
  void recoverAll() override { ++recovers; }
  void setSpeed(Speed) override {}
  void step() override {}
  void setWorkload(const WorkloadSettings&) override {}
  SnapshotPtr latest() const override { return nullptr; }

  QString last() const {
    return calls.empty() ? QString() : QString::fromStdString(describe(calls.back().fault));
  }

  std::vector<Call> calls;
  int recovers = 0;
};

QString text(const Fault& fault) {
  return QString::fromStdString(describe(fault));
}

// The world's clock starts at a fixed epoch; the console shows time since the cluster started.
SnapshotPtr snapshotOf(const SimCluster& c, std::uint64_t start_us = 0) {
  auto s = std::make_shared<LiveSnapshot>();
  s->cluster = c.snapshot();
  s->time_s = static_cast<double>(c.now_us() - start_us) / 1e6;
  s->seed = s->cluster.seed;
  s->name = QStringLiteral("test");
  return s;
}

void runFor(SimCluster& c, double seconds) {
  c.world().run_until(c.world().now_us() + static_cast<std::uint64_t>(seconds * 1e6));
}

SimConfig config(std::uint32_t nodes, std::uint32_t shards = 2) {
  SimConfig cfg;
  cfg.nodes = nodes;
  cfg.shards_per_node = shards;
  return cfg;
}

QAction* find(QMenu* menu, const char* name) {
  return menu->findChild<QAction*>(QString::fromLatin1(name));
}

void trigger(QMenu* menu, const char* name) {
  QAction* a = find(menu, name);
  QVERIFY2(a, name);
  QVERIFY2(a->isEnabled(), name);
  a->trigger();
}

QPoint viewPos(const TopologyView& view, int node) {
  return view.mapFromScene(view.nodeItem(node)->scenePos());
}

}  // namespace

class TestTopology : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() { spdlog::set_level(spdlog::level::err); }  // faults log warnings
  void itemsFollowTheNodeCount();
  void layoutFitsEveryClusterSize();
  void cutShowsAndHeals();
  void deadNodeAndFaultFlags();
  void nodeMenuSendsFaults_data();
  void nodeMenuSendsFaults();
  void nodeMenuFollowsLiveness();
  void durationChoiceApplies();
  void selectionMenuPartitions();
  void rightClickKeepsTheSelection();
  void linkAndBackgroundMenus();
  void screenshots();
  void linksAboveTheThreshold();
  void hundredNodes();
};

// One node item per node and one link per pair; a snapshot of the same size keeps the items.
void TestTopology::itemsFollowTheNodeCount() {
  FakeSource source;
  TopologyView view(&source);
  QCOMPARE(view.nodeCount(), 0);
  view.setSnapshot(nullptr);  // ignored
  SimCluster c3(config(3), 1);
  runFor(c3, 2);
  view.setSnapshot(snapshotOf(c3));
  QCOMPARE(view.nodeCount(), 3);
  QCOMPARE(view.linkCount(), 3);
  QCOMPARE(view.drawnLinkCount(), 3);
  QCOMPARE(view.visibleCutCount(), 0);
  for (auto [a, b] : std::initializer_list<std::pair<int, int>>{{0, 1}, {0, 2}, {1, 2}}) {
    QCOMPARE(view.linkHealth(a, b), TopologyView::LinkHealth::kUp);
    QVERIFY(view.linkDrawn(a, b));
  }
  QVERIFY(!view.linkDrawn(0, 0));
  QVERIFY(!view.linkDrawn(0, 3));
  QCOMPARE(view.status().split(QLatin1Char('\n')).size(), 2);  // nothing left out to count
  QGraphicsItem* first = view.nodeItem(0);
  const auto items = view.scene()->items().size();
  runFor(c3, 0.5);
  view.setSnapshot(snapshotOf(c3));
  QCOMPARE(view.nodeItem(0), first);
  QCOMPARE(view.scene()->items().size(), items);

  SimCluster c5(config(5), 2);
  runFor(c5, 2);
  view.setSnapshot(snapshotOf(c5));
  QCOMPARE(view.nodeCount(), 5);
  QCOMPARE(view.linkCount(), 10);
  int selectable = 0;
  for (auto* item : view.scene()->items())
    selectable += (item->flags() & QGraphicsItem::ItemIsSelectable) ? 1 : 0;
  QCOMPARE(selectable, 5);  // the old nodes are gone
  QVERIFY(view.nodeItem(5) == nullptr);
}

// From one node to nine: no two nodes (with their heat strips) overlap, and everything lies
// inside the scene rectangle the view fits. IRIS_TOPOLOGY_SHOTS=1 saves /tmp/topology-n<N>.png.
void TestTopology::layoutFitsEveryClusterSize() {
  FakeSource source;
  TopologyView view(&source);
  view.resize(1000, 700);
  for (std::uint32_t n = 1; n <= 9; ++n) {
    SimCluster c(config(n), 20 + n);
    runFor(c, 1.5);
    view.setSnapshot(snapshotOf(c));
    QCOMPARE(view.nodeCount(), static_cast<int>(n));
    QCOMPARE(view.linkCount(), static_cast<int>(n * (n - 1) / 2));
    QCOMPARE(view.drawnLinkCount(), view.linkCount());  // small clusters: every link
    const QRectF scene = view.sceneRect();
    for (int i = 0; i < view.nodeCount(); ++i) {
      const QRectF a = view.nodeItem(i)->sceneBoundingRect();
      QVERIFY(scene.contains(a));
      for (int j = i + 1; j < view.nodeCount(); ++j)
        QVERIFY2(!a.intersects(view.nodeItem(j)->sceneBoundingRect()),
                 qPrintable(QStringLiteral("%1 nodes").arg(n)));
    }
    if (qEnvironmentVariableIsSet("IRIS_TOPOLOGY_SHOTS"))
      view.grab().save(QStringLiteral("/tmp/topology-n%1.png").arg(n));
  }
}

// A two-way partition shows a cut on every link it crosses, a one-way one names its direction;
// the heal removes them and the links come back up.
void TestTopology::cutShowsAndHeals() {
  FakeSource source;
  TopologyView view(&source);
  SimCluster c(config(3), 3);
  runFor(c, 2);
  view.setSnapshot(snapshotOf(c));
  QCOMPARE(view.visibleCutCount(), 0);

  c.apply(Partition{{0}, {1, 2}, false});
  runFor(c, 2.5);  // the failure detector gives up after 1 s of silence
  view.setSnapshot(snapshotOf(c));
  QCOMPARE(view.visibleCutCount(), 2);
  QVERIFY(view.cutItem(0, 1)->isVisible());
  QVERIFY(view.cutItem(2, 0)->isVisible());
  QVERIFY(!view.cutItem(1, 2)->isVisible());
  QCOMPARE(view.linkHealth(0, 1), TopologyView::LinkHealth::kDown);
  QCOMPARE(view.linkHealth(1, 2), TopologyView::LinkHealth::kUp);

  c.apply(Heal{});
  runFor(c, 8);  // reconnect backoff
  view.setSnapshot(snapshotOf(c));
  QCOMPARE(view.visibleCutCount(), 0);
  QCOMPARE(view.linkHealth(0, 1), TopologyView::LinkHealth::kUp);

  c.apply(Partition{{2}, {1}, true});
  view.setSnapshot(snapshotOf(c));
  QCOMPARE(view.visibleCutCount(), 1);
  QGraphicsItem* cut = view.cutItem(1, 2);
  QVERIFY(cut->isVisible());
  QVERIFY2(cut->toolTip().contains(QStringLiteral("nothing from n02 reaches n01")),
           qPrintable(cut->toolTip()));
}

// A dead node's links are down, the others stay up; fault flags show on the node.
void TestTopology::deadNodeAndFaultFlags() {
  FakeSource source;
  TopologyView view(&source);
  SimCluster c(config(3), 4);
  runFor(c, 2);
  c.apply(KillNode{1});
  c.apply(SlowDisk{2, 20'000});
  c.apply(CpuBurn{2, 1'000});
  runFor(c, 0.5);
  view.setSnapshot(snapshotOf(c));
  QCOMPARE(view.linkHealth(0, 1), TopologyView::LinkHealth::kDown);
  QCOMPARE(view.linkHealth(1, 2), TopologyView::LinkHealth::kDown);
  QCOMPARE(view.linkHealth(0, 2), TopologyView::LinkHealth::kUp);
  QVERIFY(view.nodeItem(1)->toolTip().contains(QStringLiteral("n01: down")));
  const QString tip = view.nodeItem(2)->toolTip();
  QVERIFY2(tip.contains(QStringLiteral("disk slow")) && tip.contains(QStringLiteral("CPU +1 ms")),
           qPrintable(tip));
}

void TestTopology::nodeMenuSendsFaults_data() {
  QTest::addColumn<QString>("action");
  QTest::addColumn<QString>("fault");
  QTest::addColumn<int>("ms");
  const auto row = [](const char* name, const Fault& f, int ms) {
    QTest::newRow(name) << QString::fromLatin1(name) << text(f) << ms;
  };
  row("kill", KillNode{1}, 10'000);
  row("drain", DrainNode{1}, 0);
  row("isolate", Partition{{1}, {0, 2}, false}, 10'000);
  row("slowDisk", SlowDisk{1, 20'000}, 10'000);
  row("stallDisk", StallDisk{1, 2'000'000}, 2'000);
  row("diskFull", DiskFull{1, true}, 10'000);
  row("diskErrors", DiskErrors{1, true}, 10'000);
  row("cpuBurn", CpuBurn{1, 10'000}, 10'000);
  row("memoryPressure", MemoryPressure{1, 64 * 1024}, 10'000);
  row("clog", ClogNode{1, 50'000}, 10'000);
}

// Each action of a live node's menu sends its fault for that node, with the default 10 s.
void TestTopology::nodeMenuSendsFaults() {
  QFETCH(QString, action);
  QFETCH(QString, fault);
  QFETCH(int, ms);
  FakeSource source;
  TopologyView view(&source);
  SimCluster c(config(3), 5);
  runFor(c, 1);
  view.setSnapshot(snapshotOf(c));
  std::unique_ptr<QMenu> menu(view.menuForNode(1));
  trigger(menu.get(), action.toLatin1().constData());
  QCOMPARE(source.calls.size(), std::size_t{1});
  QCOMPARE(source.last(), fault);
  QCOMPARE(source.calls.back().duration, milliseconds(ms));
}

// Restart only for a dead node; kill and drain only for a live one.
void TestTopology::nodeMenuFollowsLiveness() {
  FakeSource source;
  TopologyView view(&source);
  SimCluster c(config(3), 6);
  runFor(c, 1);
  c.apply(KillNode{2});
  view.setSnapshot(snapshotOf(c));
  std::unique_ptr<QMenu> live(view.menuForNode(0));
  for (const char* name : {"kill", "restart", "drain", "isolate", "slowDisk", "stallDisk",
                           "diskFull", "diskErrors", "cpuBurn", "memoryPressure", "clog",
                           "duration10s", "duration30s", "durationUntilRecovered"})
    QVERIFY2(find(live.get(), name), name);
  QVERIFY(find(live.get(), "kill")->isEnabled());
  QVERIFY(!find(live.get(), "restart")->isEnabled());
  std::unique_ptr<QMenu> dead(view.menuForNode(2));
  QVERIFY(!find(dead.get(), "kill")->isEnabled());
  QVERIFY(!find(dead.get(), "drain")->isEnabled());
  trigger(dead.get(), "restart");
  QCOMPARE(source.last(), text(RestartNode{2}));
  QCOMPARE(source.calls.back().duration, milliseconds(0));
}

// The duration chosen in one menu applies to the faults of the next ones.
void TestTopology::durationChoiceApplies() {
  QCOMPARE(TopologyView::durationOf(TopologyView::FaultDuration::k10s), milliseconds(10'000));
  QCOMPARE(TopologyView::durationOf(TopologyView::FaultDuration::k30s), milliseconds(30'000));
  QCOMPARE(TopologyView::durationOf(TopologyView::FaultDuration::kUntilRecovered), milliseconds(0));
  FakeSource source;
  TopologyView view(&source);
  SimCluster c(config(3), 7);
  view.setSnapshot(snapshotOf(c));
  std::unique_ptr<QMenu> first(view.menuForNode(0));
  QVERIFY(find(first.get(), "duration10s")->isChecked());
  trigger(first.get(), "durationUntilRecovered");
  QCOMPARE(view.faultDuration(), TopologyView::FaultDuration::kUntilRecovered);
  QVERIFY(source.calls.empty());
  std::unique_ptr<QMenu> second(view.menuForNode(0));
  QVERIFY(find(second.get(), "durationUntilRecovered")->isChecked());
  trigger(second.get(), "kill");
  QCOMPARE(source.last(), text(KillNode{0}));
  QCOMPARE(source.calls.back().duration, milliseconds(0));
  trigger(second.get(), "duration30s");
  std::unique_ptr<QMenu> third(view.menuForNode(1));
  trigger(third.get(), "diskFull");
  QCOMPARE(source.calls.back().duration, milliseconds(30'000));
}

// Two selected nodes: partition them from the rest, from each other, or one way.
void TestTopology::selectionMenuPartitions() {
  FakeSource source;
  TopologyView view(&source);
  SimCluster c(config(3), 8);
  runFor(c, 1);
  view.setSnapshot(snapshotOf(c));
  view.nodeItem(2)->setSelected(true);
  view.nodeItem(0)->setSelected(true);
  QCOMPARE(view.selectedNodes(), (std::vector<int>{0, 2}));
  std::unique_ptr<QMenu> menu(view.menuForSelection());
  trigger(menu.get(), "partitionSelected");
  QCOMPARE(source.last(), text(Partition{{0, 2}, {1}, false}));
  QCOMPARE(source.calls.back().duration, milliseconds(10'000));
  trigger(menu.get(), "partitionPair");
  QCOMPARE(source.last(), text(Partition{{0}, {2}, false}));
  trigger(menu.get(), "oneWayAB");
  QCOMPARE(source.last(), text(Partition{{0}, {2}, true}));
  trigger(menu.get(), "oneWayBA");
  QCOMPARE(source.last(), text(Partition{{2}, {0}, true}));
  trigger(menu.get(), "killSelected");
  QCOMPARE(source.calls.size(), std::size_t{6});
  QCOMPARE(text(source.calls[4].fault), text(KillNode{0}));
  QCOMPARE(source.last(), text(KillNode{2}));

  // Three selected: no pair actions, but "from the rest" still works.
  view.nodeItem(1)->setSelected(true);
  std::unique_ptr<QMenu> three(view.menuForSelection());
  QVERIFY(!find(three.get(), "partitionPair")->isEnabled());
  QVERIFY(!find(three.get(), "oneWayAB")->isEnabled());
  QVERIFY(!find(three.get(), "partitionSelected")->isEnabled());  // nobody left on the other side
}

// Ctrl+click selects several nodes; a right press (the context menu's) does not clear them.
void TestTopology::rightClickKeepsTheSelection() {
  FakeSource source;
  TopologyView view(&source);
  SimCluster c(config(3), 9);
  runFor(c, 1);
  view.resize(1000, 700);
  view.show();
  QVERIFY(QTest::qWaitForWindowExposed(&view));
  view.setSnapshot(snapshotOf(c));
  QTest::mouseClick(view.viewport(), Qt::LeftButton, {}, viewPos(view, 0));
  QTest::mouseClick(view.viewport(), Qt::LeftButton, Qt::ControlModifier, viewPos(view, 1));
  QCOMPARE(view.selectedNodes(), (std::vector<int>{0, 1}));
  QTest::mousePress(view.viewport(), Qt::RightButton, {}, viewPos(view, 1));
  QTest::mouseRelease(view.viewport(), Qt::RightButton, {}, viewPos(view, 1));
  QCOMPARE(view.selectedNodes(), (std::vector<int>{0, 1}));
  QTest::mouseClick(view.viewport(), Qt::LeftButton, {}, viewPos(view, 2));
  QCOMPARE(view.selectedNodes(), (std::vector<int>{2}));
}

void TestTopology::linkAndBackgroundMenus() {
  FakeSource source;
  TopologyView view(&source);
  SimCluster c(config(3), 10);
  runFor(c, 1);
  view.setSnapshot(snapshotOf(c));
  std::unique_ptr<QMenu> link(view.menuForLink(1, 0));
  trigger(link.get(), "partitionLink");
  QCOMPARE(source.last(), text(Partition{{0}, {1}, false}));
  trigger(link.get(), "oneWayAB");
  QCOMPARE(source.last(), text(Partition{{0}, {1}, true}));
  trigger(link.get(), "oneWayBA");
  QCOMPARE(source.last(), text(Partition{{1}, {0}, true}));
  trigger(link.get(), "latency100");
  QCOMPARE(source.last(), text(DegradeLink{0, 1, 100'000, 0, false}));
  trigger(link.get(), "loss5");
  QCOMPARE(source.last(), text(DegradeLink{0, 1, 0, 0.05, false}));
  trigger(link.get(), "clogLink");
  QCOMPARE(source.last(), text(DegradeLink{0, 1, 2'000'000, 0, false}));
  QVERIFY(!find(link.get(), "restoreLink")->isEnabled());  // nothing to restore yet

  // A degraded link: drawn slow with what was done to it, and its menu can restore it.
  c.apply(DegradeLink{1, 0, 100'000, 0.05, true});
  view.setSnapshot(snapshotOf(c));
  QCOMPARE(view.linkHealth(0, 1), TopologyView::LinkHealth::kSlow);
  QVERIFY2(view.linkToolTip(0, 1).contains(QStringLiteral("+100 ms")), qPrintable(view.linkToolTip(0, 1)));
  link.reset(view.menuForLink(0, 1));
  trigger(link.get(), "restoreLink");
  QCOMPARE(source.last(), text(DegradeLink{0, 1, 0, 0, false}));

  std::unique_ptr<QMenu> background(view.menuForBackground());
  trigger(background.get(), "heal");
  QCOMPARE(source.last(), text(Heal{}));
  QCOMPARE(source.calls.back().duration, milliseconds(0));
  trigger(background.get(), "recoverAll");
  QCOMPARE(source.recovers, 1);
}

// (a) three healthy nodes with traffic; (b) five nodes: a two-way and a one-way partition, a dead
// node, faulty disks and CPU, a clogged node (slow links) and a hot recipient.
void TestTopology::screenshots() {
  FakeSource source;
  {
    SimCluster c(config(3, 4), 11);
    const std::uint64_t start = c.now_us();
    LiveWorkload load(c, 11);
    runFor(c, 5);
    TopologyView view(&source);
    view.resize(1000, 700);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.setSnapshot(snapshotOf(c, start));
    QCOMPARE(view.visibleCutCount(), 0);
    const QImage image = view.grab().toImage();
    QCOMPARE(image.size(), QSize(1000, 700) * view.devicePixelRatio());
    QVERIFY(image.save(QStringLiteral("/tmp/topology-healthy.png")));
  }
  SimConfig cfg = config(5, 4);
  cfg.core.hot_threshold_msgs_per_s = 15;
  SimCluster c(cfg, 12);
  const std::uint64_t start = c.now_us();
  WorkloadSettings w;
  w.hot_share = 0.3;  // about 45 messages/s to u0000
  LiveWorkload load(c, 12, w);
  runFor(c, 3);
  const auto hot = c.owner_of(LiveWorkload::user(0));
  const std::uint32_t dead = hot == 4 ? 3 : 4;
  c.apply(KillNode{dead});
  c.apply(Partition{{0}, {2}, false});
  c.apply(Partition{{1}, {3}, true});
  c.apply(SlowDisk{hot, 20'000});
  c.apply(CpuBurn{(hot + 1) % 5 == dead ? (hot + 2) % 5 : (hot + 1) % 5, 2'000});
  c.apply(ClogNode{(hot + 4) % 5 == dead ? (hot + 3) % 5 : (hot + 4) % 5, 15'000});
  c.apply(DegradeLink{0, 1, 100'000, 0.05, false});
  runFor(c, 2);
  TopologyView view(&source);
  view.resize(1000, 700);
  view.show();
  QVERIFY(QTest::qWaitForWindowExposed(&view));
  const SnapshotPtr s = snapshotOf(c, start);
  view.setSnapshot(s);
  QVERIFY(view.visibleCutCount() >= 2);
  QCOMPARE(view.linkHealth(0, 1), TopologyView::LinkHealth::kSlow);
  bool hot_shown = false;
  for (const auto& sh : s->cluster.nodes[hot].shards) hot_shown |= !sh.hot_users.empty();
  QVERIFY2(hot_shown, "no hot recipient in the snapshot");
  QVERIFY(view.grab().save(QStringLiteral("/tmp/topology-broken.png")));

  // The same in a dark palette, with a node selected (/tmp/topology-broken-dark.png).
  QPalette dark;
  dark.setColor(QPalette::Window, QColor(0x2b, 0x2b, 0x2b));
  dark.setColor(QPalette::Base, QColor(0x1e, 0x1e, 0x1e));
  dark.setColor(QPalette::AlternateBase, QColor(0x2a, 0x2a, 0x2a));
  dark.setColor(QPalette::Text, QColor(0xe6, 0xe6, 0xe6));
  dark.setColor(QPalette::WindowText, QColor(0xe6, 0xe6, 0xe6));
  dark.setColor(QPalette::Mid, QColor(0x55, 0x55, 0x55));
  dark.setColor(QPalette::PlaceholderText, QColor(0x8a, 0x8a, 0x8a));
  dark.setColor(QPalette::Highlight, QColor(0x3d, 0x8e, 0xe8));
  view.setPalette(dark);
  view.nodeItem(static_cast<int>(hot))->setSelected(true);
  QVERIFY(view.grab().save(QStringLiteral("/tmp/topology-broken-dark.png")));
}

// Up to kAllLinksMaxNodes nodes every link is drawn; one more and only those that are not healthy
// (a dead node's). Links are found under the pointer, and say what both ends see in a tooltip.
void TestTopology::linksAboveTheThreshold() {
  FakeSource source;
  TopologyView view(&source);
  view.resize(1000, 700);
  view.show();
  QVERIFY(QTest::qWaitForWindowExposed(&view));
  const auto n = static_cast<std::uint32_t>(TopologyView::kAllLinksMaxNodes);
  const auto mid = [&](int a, int b) {
    return view.mapFromScene((view.nodeItem(a)->scenePos() + view.nodeItem(b)->scenePos()) / 2);
  };
  SimCluster all(config(n), 30);
  runFor(all, 1.5);
  view.setSnapshot(snapshotOf(all));
  QCOMPARE(view.linkCount(), static_cast<int>(n * (n - 1) / 2));
  QCOMPARE(view.drawnLinkCount(), view.linkCount());
  QCOMPARE(view.linkHealth(0, 1), TopologyView::LinkHealth::kUp);
  QCOMPARE(view.linkAt(mid(0, 1)), std::make_pair(0, 1));
  QCOMPARE(view.linkAt(QPoint(1, 1)), std::make_pair(-1, -1));
  QHelpEvent help(QEvent::ToolTip, mid(0, 1), view.viewport()->mapToGlobal(mid(0, 1)));
  QApplication::sendEvent(view.viewport(), &help);
  QVERIFY2(QToolTip::text().contains(QStringLiteral("n00 sees n01 up")) &&
               QToolTip::text().contains(QStringLiteral("n01 sees n00 up")),
           qPrintable(QToolTip::text()));
  QToolTip::hideText();

  SimCluster more(config(n + 1), 31);
  runFor(more, 1.5);
  more.apply(KillNode{3});
  runFor(more, 0.5);
  view.setSnapshot(snapshotOf(more));
  QCOMPARE(view.linkCount(), static_cast<int>((n + 1) * n / 2));
  QCOMPARE(view.drawnLinkCount(), static_cast<int>(n));  // the dead node's
  for (int a = 0; a <= static_cast<int>(n); ++a) {
    for (int b = a + 1; b <= static_cast<int>(n); ++b) {
      QCOMPARE(view.linkDrawn(a, b), a == 3 || b == 3);
      QCOMPARE(view.linkHealth(a, b) == TopologyView::LinkHealth::kUp, a != 3 && b != 3);
    }
  }
  QCOMPARE(view.linkAt(mid(0, 1)), std::make_pair(-1, -1));  // healthy: not drawn, not found
  QCOMPARE(view.linkAt(mid(3, 9)), std::make_pair(3, 9));
  const QString hidden = QStringLiteral("healthy links not drawn: %1").arg((n + 1) * n / 2 - n);
  QVERIFY2(view.status().endsWith(hidden), qPrintable(view.status()));

  // The partition's links are drawn while still up, before the failure detector gives up.
  more.apply(Partition{{0}, {1}, false});
  view.setSnapshot(snapshotOf(more));
  QCOMPARE(view.linkHealth(0, 1), TopologyView::LinkHealth::kUp);
  QVERIFY(view.cutItem(0, 1)->isVisible());
  QVERIFY(view.linkDrawn(0, 1));
  QCOMPARE(view.drawnLinkCount(), static_cast<int>(n) + 1);
  if (qEnvironmentVariableIsSet("IRIS_TOPOLOGY_SHOTS"))
    view.grab().save(QStringLiteral("/tmp/topology-n%1.png").arg(n + 1));
}

// A 100-node cluster with traffic, a partitioned pair and a dead node: only the links that are not
// healthy are drawn (the cut one and the dead node's), the legend counts the others. Prints what
// a snapshot and a repaint cost (figures, not assertions) and saves /tmp/topology-100.png
// (1200x800).
void TestTopology::hundredNodes() {
  FakeSource source;
  SimCluster c(config(100), 13);
  const std::uint64_t start = c.now_us();
  LiveWorkload load(c, 13);
  runFor(c, 3);
  c.apply(Partition{{0}, {1}, false});
  c.apply(KillNode{50});
  runFor(c, 2.5);  // the failure detector gives up after 1 s of silence
  TopologyView view(&source);
  view.resize(1200, 800);
  view.show();
  QVERIFY(QTest::qWaitForWindowExposed(&view));
  QElapsedTimer timer;
  timer.start();
  view.setSnapshot(snapshotOf(c, start));
  const double first_ms = static_cast<double>(timer.nsecsElapsed()) / 1e6;
  QCOMPARE(view.nodeCount(), 100);
  QCOMPARE(view.linkCount(), 4950);
  QCOMPARE(view.linkHealth(0, 1), TopologyView::LinkHealth::kDown);
  QCOMPARE(view.linkHealth(50, 60), TopologyView::LinkHealth::kDown);
  QCOMPARE(view.linkHealth(2, 3), TopologyView::LinkHealth::kUp);
  QVERIFY(view.cutItem(0, 1)->isVisible());
  QCOMPARE(view.visibleCutCount(), 1);
  QVERIFY(view.linkDrawn(0, 1));  // cut
  QVERIFY(view.linkDrawn(1, 0));
  QVERIFY(view.linkDrawn(50, 60));  // down: a dead end
  QVERIFY(!view.linkDrawn(2, 3));   // healthy
  QVERIFY(!view.linkDrawn(0, 99));
  int drawn = 0, healthy = 0;
  for (int a = 0; a < 100; ++a) {
    for (int b = a + 1; b < 100; ++b) {
      const bool up = view.linkHealth(a, b) == TopologyView::LinkHealth::kUp;
      QCOMPARE(view.linkDrawn(a, b), !up || (a == 0 && b == 1));
      drawn += view.linkDrawn(a, b) ? 1 : 0;
      healthy += up ? 1 : 0;
    }
  }
  QVERIFY2(drawn >= 100, qPrintable(QString::number(drawn)));  // 0-1 and the 99 of n50
  QCOMPARE(view.drawnLinkCount(), drawn);
  QCOMPARE(healthy, 4950 - drawn);
  // The legend says how many are not drawn; a drawn link is found under the pointer, a hidden
  // one is not.
  QVERIFY2(view.status().contains(
               QStringLiteral("healthy links not drawn: %1").arg(QLocale().toString(4950 - drawn))),
           qPrintable(view.status()));
  const auto mid = [&](int a, int b) {
    return view.mapFromScene((view.nodeItem(a)->scenePos() + view.nodeItem(b)->scenePos()) / 2);
  };
  QCOMPARE(view.linkAt(mid(50, 60)), std::make_pair(50, 60));
  QCOMPARE(view.linkAt(mid(98, 99)), std::make_pair(-1, -1));  // its neighbours: 50-98, 50-99

  // Steady state: snapshots of the same cluster 100 ms apart, as the console gets them.
  std::vector<SnapshotPtr> snapshots;
  for (int i = 0; i < 10; ++i) {
    runFor(c, 0.1);
    snapshots.push_back(snapshotOf(c, start));
  }
  timer.restart();
  for (const auto& s : snapshots) view.setSnapshot(s);
  const double steady_ms = static_cast<double>(timer.nsecsElapsed()) / 1e6 / 10;
  QApplication::processEvents();
  timer.restart();
  for (int i = 0; i < 10; ++i) view.viewport()->repaint();
  const double repaint_ms = static_cast<double>(timer.nsecsElapsed()) / 1e6 / 10;
  qInfo("100 nodes: first setSnapshot %.2f ms, setSnapshot %.3f ms, viewport repaint %.2f ms",
        first_ms, steady_ms, repaint_ms);
  QVERIFY(view.grab().save(QStringLiteral("/tmp/topology-100.png")));

  // The worst case: half the cluster cut from the other half, 2,500 cut links: too many for a
  // marker each, the links show them.
  std::vector<std::uint32_t> left, right;
  for (std::uint32_t i = 0; i < 100; ++i) (i < 50 ? left : right).push_back(i);
  c.apply(Heal{});
  c.apply(Partition{left, right, false});
  runFor(c, 2.5);
  timer.restart();
  view.setSnapshot(snapshotOf(c, start));
  const double split_ms = static_cast<double>(timer.nsecsElapsed()) / 1e6;
  QCOMPARE(view.visibleCutCount(), 0);
  QVERIFY2(view.status().contains(QStringLiteral("cut links: 2500")), qPrintable(view.status()));
  QVERIFY(view.drawnLinkCount() >= 2500);
  QVERIFY(view.linkDrawn(0, 99));
  QVERIFY(!view.linkDrawn(0, 1));
  QApplication::processEvents();
  timer.restart();
  for (int i = 0; i < 5; ++i) view.viewport()->repaint();
  qInfo("100 nodes split in two: setSnapshot %.2f ms, viewport repaint %.2f ms", split_ms,
        static_cast<double>(timer.nsecsElapsed()) / 1e6 / 5);
  if (qEnvironmentVariableIsSet("IRIS_TOPOLOGY_SHOTS"))
    view.grab().save(QStringLiteral("/tmp/topology-100-split.png"));
}

QTEST_MAIN(TestTopology)
#include "tst_topology.moc"
