#pragma once
// ChartsPanel: the console's live charts, one LiveChart each for message rates, delivery latency
// and four per-node gauges (sessions, memory, inbox depth, store backlog), fed one point per
// snapshot; fault windows (console faults or any fault the cluster reports) are shaded in all of
// them. Latency is on a log axis (p50 near a millisecond, p99.9 at seconds under churn or failover;
// linear on the chart's context menu). The charts reflow in one to three columns with the panel's
// width and scroll vertically below a readable height, so the panel fits a side dock as well as a
// full window. Hidden, the panel records points and refreshes the charts when shown again.
//
// Per-node charts draw every node up to kTopNodes + 1 nodes. Beyond that (a 100-node cluster
// would mean 100 lines per chart: unreadable, and the paint cost grows with them) each per-node
// chart shows its kTopNodes busiest nodes by that chart's own metric plus one dashed line, the
// mean of all the other nodes — a mean rather than a sum, so it stays on the scale of the node
// lines instead of flattening them against the axis. Busiest is a moving average (about 1 s);
// a node takes a slot only from one that is at least 25 % less busy, and slots are sticky (a
// node keeps its colour while it stays), so the legend does not churn. A node entering a slot
// brings its history with it.

#include <QWidget>
#include <array>
#include <memory>

#include "ui/cluster_source.h"

class QGridLayout;
class QScrollArea;

namespace iris::ui {

class LiveChart;

class ChartsPanel : public QWidget {
  Q_OBJECT
 public:
  enum class Chart { kMessages, kLatency, kSessions, kMemory, kQueue, kStore };
  static constexpr int kChartCount = 6;
  static constexpr int kTopNodes = 8;

  explicit ChartsPanel(QWidget* parent = nullptr);
  ~ChartsPanel() override;

  LiveChart* chart(Chart which) const;
  int columns() const { return columns_; }

  // Seconds of history every chart shows and keeps (points at the source's 10 Hz; default 60).
  void setHistorySeconds(int seconds);
  int historySeconds() const { return history_s_; }

  QSize minimumSizeHint() const override;
  QSize sizeHint() const override;

 public slots:
  // One point per chart at s->time_s; a snapshot older than the last one starts the charts over
  // (a new source). Refreshes the charts once, or on the next show while hidden.
  void setSnapshot(const iris::ui::SnapshotPtr& s);
  void clear();

 protected:
  void resizeEvent(QResizeEvent* event) override;
  void showEvent(QShowEvent* event) override;

 private:
  struct NodeChart;
  void addClusterSeries();
  void reflow();
  void refreshCharts();

  std::array<LiveChart*, kChartCount> charts_{};
  std::array<std::unique_ptr<NodeChart>, 4> node_charts_;  // sessions, memory, queue, store
  QScrollArea* scroll_ = nullptr;
  QWidget* grid_widget_ = nullptr;
  QGridLayout* grid_ = nullptr;
  int columns_ = 0;
  double last_t_ = -1;
  bool stale_ = false;  // points added while hidden, not yet refreshed
  int history_s_ = 60;
};

}  // namespace iris::ui
