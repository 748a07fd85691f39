// The console's live charts (ui/charts_panel.h, ui/live_chart.h), fed real snapshots of a simulated
// cluster built on this thread: one series per metric or node, rings that stay bounded and reach
// the chart through replace(), fault windows shaded, per-node charts capped at the busiest nodes
// of a 100-node cluster, light and dark palettes, latency on a log axis. Prints the cost of feeding
// 600 snapshots of 100 nodes. Screenshots: /tmp/charts.png (3 nodes, 30 s, KillNode n01 from 10 s
// to 18 s), charts_dock.png (the same in a side dock), charts_100.png, charts_dark.png,
// charts_log.png and charts_linear.png (latency on either axis).

#include <spdlog/spdlog.h>

#include <QElapsedTimer>
#include <QImage>
#include <QPalette>
#include <QPixmap>
#include <QtTest>
#include <array>
#include <cmath>
#include <memory>

#include "simulator/live.h"
#include "simulator/sim_cluster.h"
#include "ui/charts_panel.h"
#include "ui/cluster_source.h"
#include "ui/live_chart.h"

using namespace iris;
using namespace iris::ui;
using Chart = ChartsPanel::Chart;

namespace {

constexpr std::array<Chart, 4> kNodeCharts = {Chart::kSessions, Chart::kMemory, Chart::kQueue,
                                              Chart::kStore};
constexpr std::array<Chart, 6> kAllCharts = {Chart::kMessages, Chart::kLatency, Chart::kSessions,
                                             Chart::kMemory,   Chart::kQueue,   Chart::kStore};

sim::SimConfig withNodes(std::uint32_t nodes) {
  sim::SimConfig c;
  c.nodes = nodes;
  return c;
}

// An embedded cluster without the worker thread: one tick is 100 ms of cluster time and one
// snapshot, as the console's EmbeddedSource publishes them.
struct LiveRun {
  explicit LiveRun(std::uint32_t nodes, std::uint64_t seed = 1)
      : cluster(withNodes(nodes), seed), workload(cluster, seed), meter(cluster.world().now_us()) {}

  SnapshotPtr tick() {
    sim::World& w = cluster.world();
    w.run_until(w.now_us() + 100'000);
    auto s = std::make_shared<LiveSnapshot>();
    s->cluster = cluster.snapshot();
    s->interval = meter.next(cluster.checker(), w.now_us());
    s->faults = faults;
    s->workload = workload.settings();
    s->time_s = s->interval.t_s;
    return s;
  }

  sim::SimCluster cluster;
  sim::LiveWorkload workload;
  sim::IntervalMeter meter;
  std::vector<ConsoleFault> faults;
};

QStringList seriesNames(const LiveChart* c) {
  QStringList out;
  for (int i = 0; i < c->seriesCount(); ++i) out << c->seriesName(i);
  return out;
}

QStringList nodeIds(const LiveSnapshot& s) {
  QStringList out;
  for (const auto& n : s.cluster.nodes) out << QString::fromStdString(n.id);
  return out;
}

// Every series of every chart: ring within capacity and exactly what the chart plots.
void checkRingsPlotted(const ChartsPanel& panel) {
  for (Chart which : kAllCharts) {
    const LiveChart* c = panel.chart(which);
    for (int i = 0; i < c->seriesCount(); ++i) {
      QVERIFY2(c->ringSize(i) <= c->capacity(), qPrintable(c->seriesName(i)));
      QCOMPARE(static_cast<std::size_t>(c->plottedCount(i)), c->ringSize(i));
    }
  }
}

}  // namespace

class TestCharts : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() { spdlog::set_level(spdlog::level::err); }  // faults log warnings
  void seriesPerMetricAndNode();
  void ringsStayBoundedAndArePlottedWhole();
  void faultWindowsAreShaded();
  void nodeAppearingLaterGetsASeries();
  void hiddenPanelCatchesUpWhenShown();
  void manyNodesShowTheBusiestAndTheRest();
  void followsPalette();
  void latencyOnLogScale();
  void feedTiming100Nodes();
};

void TestCharts::seriesPerMetricAndNode() {
  LiveRun run(3);
  ChartsPanel panel;
  panel.resize(1200, 800);
  panel.show();
  SnapshotPtr s;
  for (int i = 0; i < 20; ++i) {
    s = run.tick();
    panel.setSnapshot(s);
  }
  for (Chart which : kAllCharts) QVERIFY(panel.chart(which) != nullptr);
  QCOMPARE(seriesNames(panel.chart(Chart::kMessages)), (QStringList{"sent", "delivered"}));
  QCOMPARE(seriesNames(panel.chart(Chart::kLatency)), (QStringList{"p99.9", "p99", "p50"}));
  QCOMPARE(nodeIds(*s).size(), 3);
  for (Chart which : kNodeCharts) {
    QCOMPARE(seriesNames(panel.chart(which)), nodeIds(*s));
    for (int i = 0; i < 3; ++i) QCOMPARE(panel.chart(which)->ringSize(i), std::size_t{20});
  }
  QCOMPARE(panel.chart(Chart::kMessages)->ringSize(0), std::size_t{20});
  QVERIFY(panel.chart(Chart::kLatency)->ringSize(0) > 10);  // intervals without a delivery: none
  checkRingsPlotted(panel);
  // The time axis starts at 0 and shows a full window before it scrolls.
  QCOMPARE(panel.chart(Chart::kMessages)->timeMin(), 0.0);
  QCOMPARE(panel.chart(Chart::kMessages)->timeMax(), LiveChart::kDefaultWindowSeconds);
  // The value axis holds the data with headroom.
  QVERIFY(panel.chart(Chart::kMessages)->valueMax() > s->interval.sent_per_s);
  QCOMPARE(panel.columns(), 3);
}

void TestCharts::ringsStayBoundedAndArePlottedWhole() {
  LiveRun run(3);
  ChartsPanel panel;
  panel.resize(1200, 800);
  panel.show();
  SnapshotPtr s;
  for (int i = 1; i <= 2000; ++i) {
    s = run.tick();
    panel.setSnapshot(s);
    if (i == 100 || i == 601) checkRingsPlotted(panel);
  }
  checkRingsPlotted(panel);
  const LiveChart* messages = panel.chart(Chart::kMessages);
  QCOMPARE(messages->ringSize(0), messages->capacity());
  QCOMPARE(messages->plottedCount(0), static_cast<int>(LiveChart::kDefaultCapacity));
  for (Chart which : kNodeCharts) {
    for (int i = 0; i < panel.chart(which)->seriesCount(); ++i) {
      QCOMPARE(panel.chart(which)->ringSize(i), LiveChart::kDefaultCapacity);
    }
  }
  // Scrolled: the axis ends at the newest point and spans the window.
  QCOMPARE(messages->timeMax(), s->time_s);
  QCOMPARE(messages->timeMin(), s->time_s - LiveChart::kDefaultWindowSeconds);
}

// KillNode n01 at 10 s, RestartNode at 18 s (as the console applies it: a ConsoleFault while it
// lasts); 30 s in all. Also the screenshot.
void TestCharts::faultWindowsAreShaded() {
  LiveRun run(3);
  ChartsPanel panel;
  panel.resize(1200, 800);
  panel.show();
  for (int i = 1; i <= 300; ++i) {
    if (i == 100) {
      run.cluster.apply(sim::KillNode{1});
      run.faults.push_back({1, "KillNode n01", "n01", 10.0, 18.0});
    }
    if (i == 180) {
      run.cluster.apply(sim::RestartNode{1});
      run.faults.clear();
    }
    SnapshotPtr s = run.tick();
    panel.setSnapshot(s);
    if (i < 100) {
      for (Chart which : kAllCharts) {
        QCOMPARE(panel.chart(which)->faultWindowCount(), 0);
        QVERIFY(!panel.chart(which)->legendLabels().contains("fault"));
      }
    }
    if (i == 140) {
      QVERIFY(!s->cluster.active_faults.empty());
      for (Chart which : kAllCharts) {
        const LiveChart* c = panel.chart(which);
        QVERIFY(c->faultActive());
        QCOMPARE(c->faultWindowCount(), 1);
        QCOMPARE(c->faultBandPointCount(), 4);
        QCOMPARE(c->faultWindows().front().second, s->time_s);  // open: follows the newest point
        QCOMPARE(c->legendLabels(), seriesNames(c) << "fault");
      }
      // The killed node's sessions went elsewhere.
      QCOMPARE(s->cluster.nodes[1].sessions, std::uint64_t{0});
    }
  }
  for (Chart which : kAllCharts) {
    const LiveChart* c = panel.chart(which);
    QVERIFY(!c->faultActive());
    QCOMPARE(c->faultWindowCount(), 1);
    QCOMPARE(c->faultBandPointCount(), 4);
    const auto w = c->faultWindows().front();
    QVERIFY2(w.first > 9.9 && w.first < 10.2, qPrintable(QString::number(w.first)));
    QVERIFY2(w.second > 17.9 && w.second < 18.2, qPrintable(QString::number(w.second)));
  }
  checkRingsPlotted(panel);

  QCoreApplication::processEvents();  // the charts' layout (legend, label widths) is posted
  const QImage shot = panel.grab().toImage();
  QCOMPARE(shot.size(), QSize(1200, 800) * shot.devicePixelRatio());
  QVERIFY(shot.save("/tmp/charts.png"));
  qInfo("screenshot: /tmp/charts.png");

  // In a side dock of a 1280x800 window: one column, scrolling.
  panel.resize(460, 420);
  QCoreApplication::processEvents();  // one pass of the event loop, as after a dock resize
  QCOMPARE(panel.columns(), 1);
  QVERIFY(panel.grab().save("/tmp/charts_dock.png"));
}

// A node that joins later gets its own series in every per-node chart; the others keep theirs.
void TestCharts::nodeAppearingLaterGetsASeries() {
  LiveRun run(3);
  ChartsPanel panel;
  panel.show();
  SnapshotPtr s = run.tick();
  panel.setSnapshot(s);
  s = run.tick();
  panel.setSnapshot(s);
  auto grown = std::make_shared<LiveSnapshot>(*run.tick());
  sim::NodeSnapshot extra = grown->cluster.nodes.back();
  extra.id = "n03";
  grown->cluster.nodes.push_back(extra);
  panel.setSnapshot(grown);
  for (Chart which : kNodeCharts) {
    const LiveChart* c = panel.chart(which);
    QCOMPARE(seriesNames(c), (QStringList{"n00", "n01", "n02", "n03"}));
    QCOMPARE(c->ringSize(0), std::size_t{3});
    QCOMPARE(c->ringSize(3), std::size_t{1});
  }
  checkRingsPlotted(panel);
}

// Hidden (a closed dock), the panel records points but leaves the charts alone; shown, it pushes
// them all at once.
void TestCharts::hiddenPanelCatchesUpWhenShown() {
  LiveRun run(3);
  ChartsPanel panel;
  for (int i = 0; i < 30; ++i) panel.setSnapshot(run.tick());
  const LiveChart* sessions = panel.chart(Chart::kSessions);
  QCOMPARE(sessions->ringSize(0), std::size_t{30});
  QCOMPARE(sessions->plottedCount(0), 0);
  panel.show();
  checkRingsPlotted(panel);
  QCOMPARE(sessions->plottedCount(0), 30);
}

// 100 nodes: each per-node chart draws its 8 busiest nodes and one aggregate of the 92 others; a
// node that becomes the busiest takes a slot and brings its history.
void TestCharts::manyNodesShowTheBusiestAndTheRest() {
  LiveRun run(100);
  ChartsPanel panel;
  panel.resize(1200, 800);
  panel.show();
  SnapshotPtr s;
  for (int i = 0; i < 30; ++i) {
    s = run.tick();
    panel.setSnapshot(s);
  }
  const QStringList ids = nodeIds(*s);
  for (Chart which : kNodeCharts) {
    const LiveChart* c = panel.chart(which);
    QCOMPARE(c->seriesCount(), ChartsPanel::kTopNodes + 1);
    QStringList drawn;
    for (int i = 0; i < ChartsPanel::kTopNodes; ++i) {
      QVERIFY2(ids.contains(c->seriesName(i)), qPrintable(c->seriesName(i)));
      QVERIFY(!drawn.contains(c->seriesName(i)));
      drawn << c->seriesName(i);
    }
    QVERIFY2(c->seriesName(ChartsPanel::kTopNodes).contains("92"),
             qPrintable(c->seriesName(ChartsPanel::kTopNodes)));
    QCOMPARE(c->ringSize(ChartsPanel::kTopNodes), std::size_t{30});
    QCOMPARE(c->legendLabels(), seriesNames(c));
  }
  const QStringList queue_before = seriesNames(panel.chart(Chart::kQueue));
  QVERIFY(!queue_before.contains("n57"));

  // n57's inbox backs up (nothing else changes): within a few snapshots it is drawn, with its
  // past, in the slot of the least busy node.
  for (int i = 0; i < 10; ++i) {
    auto busy = std::make_shared<LiveSnapshot>(*s);
    busy->time_s = s->time_s + 0.1 * (i + 1);
    busy->cluster.nodes[57].inbox_messages = 5000;
    panel.setSnapshot(busy);
  }
  const LiveChart* queue = panel.chart(Chart::kQueue);
  const QStringList queue_after = seriesNames(queue);
  const auto slot = queue_after.indexOf("n57");
  QVERIFY2(slot >= 0 && slot < ChartsPanel::kTopNodes, qPrintable(queue_after.join(' ')));
  QCOMPARE(queue->ringSize(static_cast<int>(slot)), std::size_t{40});
  QVERIFY(queue->valueMax() >= 5000);
  // The other slots stayed put (sticky: same node, same colour).
  int kept = 0;
  for (int i = 0; i < ChartsPanel::kTopNodes; ++i) kept += queue_after[i] == queue_before[i];
  QCOMPARE(kept, ChartsPanel::kTopNodes - 1);
  // Sessions did not change: the same nodes as before.
  checkRingsPlotted(panel);
}

void TestCharts::followsPalette() {
  ChartsPanel panel;
  panel.resize(1200, 800);
  panel.show();
  QPalette light;
  light.setColor(QPalette::Window, Qt::white);
  light.setColor(QPalette::WindowText, Qt::black);
  light.setColor(QPalette::Base, Qt::white);
  light.setColor(QPalette::Text, Qt::black);
  panel.setPalette(light);
  QVERIFY(!panel.chart(Chart::kMemory)->darkTheme());
  LiveRun run(3);
  for (int i = 0; i < 150; ++i) {
    if (i == 50) run.cluster.apply(sim::KillNode{2});
    if (i == 100) run.cluster.apply(sim::RestartNode{2});
    panel.setSnapshot(run.tick());
  }
  QPalette dark;
  dark.setColor(QPalette::Window, QColor(0x2b, 0x2b, 0x2b));
  dark.setColor(QPalette::WindowText, QColor(0xe0, 0xe0, 0xe0));
  dark.setColor(QPalette::Base, QColor(0x1e, 0x1e, 0x1e));
  dark.setColor(QPalette::Text, QColor(0xe0, 0xe0, 0xe0));
  panel.setPalette(dark);
  for (Chart which : kAllCharts) QVERIFY(panel.chart(which)->darkTheme());
  // A theme change keeps the data, the axes' ranges and the fault bands.
  panel.setSnapshot(run.tick());
  checkRingsPlotted(panel);
  QCOMPARE(panel.chart(Chart::kSessions)->faultWindowCount(), 1);
  QCOMPARE(panel.chart(Chart::kSessions)->timeMax(), LiveChart::kDefaultWindowSeconds);
  QCoreApplication::processEvents();
  QVERIFY(panel.grab().save("/tmp/charts_dark.png"));
}

// Latency percentiles span decades, so the panel shows them on a log axis: every point above zero
// is plotted, the axis covers whole decades from the lowest to the highest, nothing is off scale.
// Back to linear (the context menu's toggle) and the same points are plotted again.
void TestCharts::latencyOnLogScale() {
  LiveRun run(3);
  ChartsPanel panel;
  panel.resize(1200, 800);
  panel.show();
  LiveChart* latency = panel.chart(Chart::kLatency);
  QVERIFY(latency->logScale());  // the panel's default for latency
  QVERIFY(!panel.chart(Chart::kMessages)->logScale());
  double lowest = 1e9, highest = 0;
  for (int i = 1; i <= 300; ++i) {
    if (i == 100) run.cluster.apply(sim::KillNode{1});
    if (i == 180) run.cluster.apply(sim::RestartNode{1});
    SnapshotPtr s = run.tick();
    panel.setSnapshot(s);
    if (s->time_s > 300 * 0.1 - LiveChart::kDefaultWindowSeconds && s->interval.p50_ms > 0) {
      lowest = std::min(lowest, s->interval.p50_ms);
      highest = std::max(highest, s->interval.p999_ms);
    }
  }
  QVERIFY(latency->logScale());
  checkRingsPlotted(panel);  // latency points are positive: all of them plotted
  QVERIFY2(latency->valueMin() > 0 && latency->valueMin() <= lowest,
           qPrintable(QString::number(latency->valueMin())));
  QVERIFY2(latency->valueMax() >= highest, qPrintable(QString::number(latency->valueMax())));
  const double decades = std::log10(latency->valueMax() / latency->valueMin());
  QCOMPARE(decades, std::round(decades));
  QCOMPARE(latency->faultBandPointCount(), 4);
  QCoreApplication::processEvents();
  QVERIFY(panel.grab().save("/tmp/charts_log.png"));

  latency->setLogScale(false);
  QVERIFY(!latency->logScale());
  QCOMPARE(latency->valueMin(), 0.0);
  checkRingsPlotted(panel);
  QCoreApplication::processEvents();
  QVERIFY(panel.grab().save("/tmp/charts_linear.png"));
}

// Not an assertion: what 600 snapshots (a minute at 10 Hz) of a 100-node cluster cost the UI
// thread — the panel's setSnapshot() only, each with its refresh(), then one full paint.
void TestCharts::feedTiming100Nodes() {
  LiveRun run(100);
  ChartsPanel panel;
  panel.resize(1200, 800);
  panel.show();
  QElapsedTimer timer;
  qint64 feed_ns = 0, worst_ns = 0;
  for (int i = 0; i < 600; ++i) {
    SnapshotPtr s = run.tick();
    timer.start();
    panel.setSnapshot(s);
    const qint64 ns = timer.nsecsElapsed();
    feed_ns += ns;
    worst_ns = std::max(worst_ns, ns);
  }
  checkRingsPlotted(panel);
  QCoreApplication::processEvents();  // layout once, as the event loop would have
  // A UI tick as the console has it: a snapshot in, then one repaint of the whole panel.
  constexpr int kFrames = 20;
  qint64 frame_ns = 0;
  for (int i = 0; i < kFrames; ++i) {
    SnapshotPtr s = run.tick();
    timer.start();
    panel.setSnapshot(s);
    panel.repaint();
    frame_ns += timer.nsecsElapsed();
  }
  QVERIFY(panel.grab().save("/tmp/charts_100.png"));
  qInfo(
      "100 nodes, 600 snapshots: setSnapshot total %.1f ms, mean %.3f ms, worst %.3f ms; "
      "a tick with full rings (setSnapshot + repaint of the panel at 1200x800): %.1f ms",
      static_cast<double>(feed_ns) / 1e6, static_cast<double>(feed_ns) / 600 / 1e6,
      static_cast<double>(worst_ns) / 1e6, static_cast<double>(frame_ns) / kFrames / 1e6);
}

QTEST_MAIN(TestCharts)
#include "tst_charts.moc"
