// The console's data path: EmbeddedSource (a simulated cluster on a worker thread) publishes
// snapshots, takes faults and undoes them; the item models over those snapshots pass
// QAbstractItemModelTester and show what the cluster does.

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QtTest>

#include "simulator/live.h"
#include "simulator/sim_cluster.h"
#include "ui/embedded_source.h"
#include "ui/models.h"

using namespace iris;
using namespace iris::ui;

namespace {

// Waits (running the event loop) until a published snapshot satisfies `ok`.
SnapshotPtr wait_for(EmbeddedSource& source, const std::function<bool(const LiveSnapshot&)>& ok,
                     int timeout_ms = 10000) {
  QElapsedTimer t;
  t.start();
  while (t.elapsed() < timeout_ms) {
    QTest::qWait(20);
    if (auto s = source.latest(); s && ok(*s)) return s;
  }
  return nullptr;
}

// Snapshots from a simulated cluster stepped here, on this thread (no worker).
class Stepper {
 public:
  explicit Stepper(std::uint32_t nodes)
      : cluster_(config(nodes), 3), workload_(cluster_, 3, {40, 2.0, 0.5, 2.0, true}),
        meter_(cluster_.now_us()), start_(cluster_.now_us()) {}
  sim::SimCluster& cluster() { return cluster_; }
  SnapshotPtr next(double seconds = 0.1) {
    cluster_.world().run_until(cluster_.now_us() + static_cast<std::uint64_t>(seconds * 1e6));
    auto s = std::make_shared<LiveSnapshot>();
    s->cluster = cluster_.snapshot();
    s->interval = meter_.next(cluster_.checker(), cluster_.now_us());
    s->time_s = static_cast<double>(cluster_.now_us() - start_) / 1e6;
    return s;
  }

 private:
  static sim::SimConfig config(std::uint32_t nodes) {
    sim::SimConfig c;
    c.nodes = nodes;
    c.core.hot_threshold_msgs_per_s = 10;
    return c;
  }
  sim::SimCluster cluster_;
  sim::LiveWorkload workload_;
  sim::IntervalMeter meter_;
  std::uint64_t start_;
};

}  // namespace

class TestSourceModels : public QObject {
  Q_OBJECT
 private slots:
  void modelsPassTheTesterThroughChanges();
  void nodesModelShowsDeadAndDegradedNodes();
  void usersModelShowsHotUsersAndSlowConsumers();
  void eventLogIsBounded();
  void embeddedSourcePublishesAtAboutTenHertz();
  void faultAppliedShowsAndExpires();
  void recoverAllClearsEveryFault();
  void pausedSourceStandsStillAndSteps();
  void restartGivesANewClusterAndDropsTheOld();
};

void TestSourceModels::modelsPassTheTesterThroughChanges() {
  NodesModel nodes;
  FaultsModel faults;
  UsersModel users;
  QAbstractItemModelTester t1(&nodes, QAbstractItemModelTester::FailureReportingMode::QtTest);
  QAbstractItemModelTester t2(&faults, QAbstractItemModelTester::FailureReportingMode::QtTest);
  QAbstractItemModelTester t3(&users, QAbstractItemModelTester::FailureReportingMode::QtTest);
  Stepper st(3);
  for (int i = 0; i < 30; ++i) {
    if (i == 5) st.cluster().apply(sim::KillNode{1});
    if (i == 10) st.cluster().apply(sim::SlowConsumer{"u0000", true});
    if (i == 15) st.cluster().apply(sim::Partition{{0}, {2}});
    if (i == 20) st.cluster().apply(sim::RecoverAll{});
    auto s = st.next(0.25);
    nodes.setSnapshot(s);
    faults.setSnapshot(s);
    users.setSnapshot(s);
  }
  nodes.setSnapshot(nullptr);  // a source gone: empty
  QCOMPARE(nodes.rowCount(), 0);
}

void TestSourceModels::nodesModelShowsDeadAndDegradedNodes() {
  NodesModel nodes;
  Stepper st(3);
  st.cluster().apply(sim::KillNode{1});
  st.cluster().apply(sim::SlowDisk{2, 20'000});
  nodes.setSnapshot(st.next(1.0));
  QCOMPARE(nodes.rowCount(), 3);
  QCOMPARE(nodes.columnCount(), int{NodesModel::kColumns});
  auto cell = [&](int row, int col) { return nodes.data(nodes.index(row, col)).toString(); };
  QCOMPARE(cell(0, NodesModel::kNode), QString("n00"));
  QCOMPARE(cell(0, NodesModel::kState), QString("healthy"));
  QCOMPARE(cell(1, NodesModel::kState), QString("down"));
  QCOMPARE(cell(2, NodesModel::kState), QString("degraded"));
  QVERIFY(cell(2, NodesModel::kFaults).contains("slow disk"));
  QVERIFY(nodes.data(nodes.index(0, NodesModel::kSessions), kSortRole).toULongLong() > 0);
  QVERIFY(!nodes.alive(1));
}

void TestSourceModels::usersModelShowsHotUsersAndSlowConsumers() {
  UsersModel users;
  Stepper st(3);  // half of all messages go to u0000, over a threshold of 10/s
  SnapshotPtr s;
  for (int i = 0; i < 30 && users.rowCount() == 0; ++i) users.setSnapshot(s = st.next(0.5));
  QVERIFY(users.rowCount() >= 1);
  QCOMPARE(users.user(0), QString("u0000"));
  QVERIFY(users.data(users.index(0, UsersModel::kCondition)).toString().contains("hot"));
  QVERIFY(users.data(users.index(0, UsersModel::kBuckets)).toInt() >= 2);
  st.cluster().apply(sim::SlowConsumer{"u0007", true});
  users.setSnapshot(st.next(0.1));
  bool slow = false;
  for (int r = 0; r < users.rowCount(); ++r) {
    slow = slow || (users.user(r) == "u0007" &&
                    users.data(users.index(r, UsersModel::kCondition)).toString() == "slow consumer");
  }
  QVERIFY(slow);
}

void TestSourceModels::eventLogIsBounded() {
  EventLogModel log(100);
  QAbstractItemModelTester tester(&log, QAbstractItemModelTester::FailureReportingMode::QtTest);
  for (int i = 0; i < 250; ++i) log.add(i, EventKind::kInfo, QString("event %1").arg(i));
  QCOMPARE(log.rowCount(), 100);
  QVERIFY(log.data(log.index(0, 0)).toString().endsWith("event 150"));
  QVERIFY(log.data(log.index(99, 0)).toString().endsWith("event 249"));
}

void TestSourceModels::embeddedSourcePublishesAtAboutTenHertz() {
  EmbeddedSource source({3, 7, {60, 1.0, 0.1, 1.0, true}, 10});
  QSignalSpy spy(&source, &ClusterSource::snapshotReady);
  QTest::qWait(1500);
  // About 10 Hz (plus one at start): a loaded CI machine may lag, never race ahead.
  QVERIFY2(spy.count() >= 5 && spy.count() <= 20, qPrintable(QString::number(spy.count())));
  auto s = source.latest();
  QVERIFY(s);
  QCOMPARE(s->cluster.nodes.size(), std::size_t{3});
  QCOMPARE(s->seed, std::uint64_t{7});
  QVERIFY(s->time_s > 0.5);  // real-time pacing: cluster time moves with the clock
  QVERIFY(wait_for(source, [](const LiveSnapshot& l) { return l.cluster.delivered > 0; }));
}

void TestSourceModels::faultAppliedShowsAndExpires() {
  EmbeddedSource source({3, 1, {30, 1.0, 0.1, 0.0, true}, 10});
  QSignalSpy events(&source, &ClusterSource::eventLogged);
  FaultsModel faults;
  connect(&source, &ClusterSource::snapshotReady, &faults, &FaultsModel::setSnapshot);
  source.applyFault(sim::KillNode{2}, std::chrono::milliseconds(800));
  auto down = wait_for(source, [](const LiveSnapshot& l) { return !l.cluster.nodes[2].alive; });
  QVERIFY(down);
  QCOMPARE(down->faults.size(), std::size_t{1});
  QCOMPARE(down->faults[0].label, QString("KillNode 2"));
  QCOMPARE(down->faults[0].target, QString("n02"));
  QVERIFY(down->faults[0].expires_s.has_value());
  QTRY_VERIFY(faults.rowCount() >= 1);
  QVERIFY(faults.data(faults.index(0, FaultsModel::kFault)).toString().startsWith("KillNode"));
  // 0.8 s of cluster time later the worker restarts it by itself.
  auto up = wait_for(source, [](const LiveSnapshot& l) {
    return l.cluster.nodes[2].alive && l.faults.empty();
  });
  QVERIFY(up);
  QTRY_COMPARE(faults.rowCount(), 0);
  bool expired = false;
  for (const auto& e : events) expired = expired || e.at(2).toString().contains("expired");
  QVERIFY(expired);
}

void TestSourceModels::recoverAllClearsEveryFault() {
  EmbeddedSource source({3, 2, {30, 1.0, 0.1, 0.0, true}, 10});
  source.applyFault(sim::Partition{{0}, {1, 2}}, {});
  source.applyFault(sim::DiskFull{1, true}, {});
  source.applyFault(sim::CpuBurn{2, 5000}, std::chrono::seconds(60));
  QVERIFY(wait_for(source, [](const LiveSnapshot& l) {
    return l.faults.size() == 3 && !l.cluster.cuts.empty() && l.cluster.nodes[1].disk_full;
  }));
  source.recoverAll();
  QVERIFY(wait_for(source, [](const LiveSnapshot& l) {
    return l.faults.empty() && l.cluster.cuts.empty() && l.cluster.active_faults.empty();
  }));
}

void TestSourceModels::pausedSourceStandsStillAndSteps() {
  EmbeddedSource source({3, 3, {30, 1.0, 0.1, 0.0, true}, 10});
  source.setSpeed(Speed::kPaused);
  auto paused = wait_for(source, [](const LiveSnapshot& l) { return l.speed == Speed::kPaused; });
  QVERIFY(paused);
  QTest::qWait(300);
  const double t = source.latest()->time_s;
  QTest::qWait(300);
  QCOMPARE(source.latest()->time_s, t);
  source.step();
  QVERIFY(wait_for(source, [t](const LiveSnapshot& l) {
    return l.time_s > t && l.time_s < t + 0.01;  // one step: 1 ms of cluster time
  }));
  source.setSpeed(Speed::kFastest);
  QVERIFY(wait_for(source, [t](const LiveSnapshot& l) { return l.time_s > t + 5; }));
}

void TestSourceModels::restartGivesANewClusterAndDropsTheOld() {
  EmbeddedSource source({3, 4, {30, 1.0, 0.1, 0.0, true}, 10});
  QVERIFY(wait_for(source, [](const LiveSnapshot& l) { return l.time_s > 0.3; }));
  std::vector<std::size_t> sizes;
  connect(&source, &ClusterSource::snapshotReady, this,
          [&sizes](const SnapshotPtr& s) { sizes.push_back(s->cluster.nodes.size()); });
  source.restart({5, 9, {40, 1.0, 0.1, 0.0, true}, 10});
  QVERIFY(!source.latest() || source.latest()->cluster.nodes.size() == 5);
  auto s = wait_for(source, [](const LiveSnapshot& l) { return l.cluster.nodes.size() == 5; });
  QVERIFY(s);
  QCOMPARE(s->seed, std::uint64_t{9});
  QTest::qWait(300);
  // Nothing of the old cluster arrives once restart() has returned.
  for (std::size_t n : sizes) QCOMPARE(n, std::size_t{5});
}

QTEST_MAIN(TestSourceModels)
#include "tst_source_models.moc"
