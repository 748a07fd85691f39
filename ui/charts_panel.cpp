#include "ui/charts_panel.h"

#include <QGridLayout>
#include <QList>
#include <QPointF>
#include <QScrollArea>
#include <QStyle>
#include <algorithm>
#include <cmath>
#include <deque>
#include <limits>
#include <string>
#include <unordered_map>
#include <vector>

#include "ui/live_chart.h"

namespace iris::ui {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr int kMinChartWidth = 300;  // below this a legend of nine node ids wraps to three lines
constexpr int kMaxColumns = 3;
// Busy-ness is a moving average with this weight per snapshot: ~1 s at the source's 10 Hz, so a
// single spike does not reshuffle the legend.
constexpr double kBusyWeight = 0.1;
// A node takes a slot only from one at least this much less busy (no flapping between equals).
constexpr double kSwapMargin = 1.25;

using Metric = double (*)(const sim::NodeSnapshot&);

double sessions(const sim::NodeSnapshot& n) {
  return static_cast<double>(n.sessions);
}
double memoryKiB(const sim::NodeSnapshot& n) {
  return static_cast<double>(n.memory_bytes) / 1024;
}
double inbox(const sim::NodeSnapshot& n) {
  return static_cast<double>(n.inbox_messages);
}
double storeRows(const sim::NodeSnapshot& n) {
  return static_cast<double>(n.store_rows);
}

}  // namespace

// One per-node chart: every node's history (bounded like the chart's rings), the per-snapshot
// totals for the aggregate line, and which node each series slot shows.
struct ChartsPanel::NodeChart {
  struct Track {
    std::deque<QPointF> history;  // (t, value), oldest first, at most `capacity`
    double busy = 0;
    bool seen = false;
    int slot = -1;  // series index, -1: not drawn
  };
  struct Total {
    double t = 0, sum = 0;
    int count = 0;
  };

  NodeChart(LiveChart* c, Metric m) : chart(c), metric(m) {}

  void reset() {
    tracks.clear();
    order.clear();
    totals.clear();
    slot_ids.clear();
    aggregate = false;
    others = -1;
  }

  void update(double t, const std::vector<sim::NodeSnapshot>& nodes) {
    for (const auto& n : nodes) {
      auto [it, added] = tracks.try_emplace(n.id);
      if (added) order.push_back(n.id);
      Track& tr = it->second;
      const double v = value(n);
      tr.busy = tr.seen ? tr.busy + kBusyWeight * (v - tr.busy) : v;
      tr.seen = true;
    }

    // Slots change before this snapshot's point goes in: a node moved into a slot gets its
    // history up to the previous snapshot, then this point like every other series.
    if (!aggregate && order.size() <= static_cast<std::size_t>(kTopNodes) + 1) {
      for (const auto& id : order) {
        if (tracks[id].slot < 0) assign(id, static_cast<int>(slot_ids.size()));
      }
    } else {
      bool changed = false;
      if (!aggregate) {
        enterTopMode();
        changed = true;
      }
      if (swapBusiest() || changed) chart->setSeriesHistory(kTopNodes, othersHistory());
    }

    std::vector<double> values(slot_ids.size(), kNaN);
    double sum = 0, selected_sum = 0;
    int count = 0, selected = 0;
    for (const auto& n : nodes) {
      Track& tr = tracks[n.id];
      const double v = value(n);
      tr.history.emplace_back(t, v);
      if (tr.history.size() > capacity()) tr.history.pop_front();
      sum += v;
      ++count;
      if (tr.slot >= 0) {
        values[static_cast<std::size_t>(tr.slot)] = v;
        selected_sum += v;
        ++selected;
      }
    }
    totals.push_back({t, sum, count});
    if (totals.size() > capacity()) totals.pop_front();
    if (aggregate) {
      const int rest = count - selected;
      values[kTopNodes] = rest > 0 ? (sum - selected_sum) / rest : kNaN;
      if (rest != others) {
        others = rest;
        chart->renameSeries(kTopNodes, ChartsPanel::tr("others (mean of %n)", nullptr, rest));
      }
    }
    chart->addPoint(t, values);
  }

 private:
  std::size_t capacity() const { return chart->capacity(); }

  double value(const sim::NodeSnapshot& n) const {
    const double v = metric(n);
    return std::isfinite(v) ? v : 0;
  }

  QList<QPointF> history(const std::string& id) const {
    const auto& h = tracks.at(id).history;
    return QList<QPointF>(h.begin(), h.end());
  }

  // Puts node `id` into series `slot` (a new series when slot == seriesCount()).
  void assign(const std::string& id, int slot) {
    const QString name = QString::fromStdString(id);
    if (slot >= chart->seriesCount()) {
      slot = chart->addSeries(name);
    } else {
      chart->renameSeries(slot, name);
    }
    if (slot_ids.size() <= static_cast<std::size_t>(slot))
      slot_ids.resize(static_cast<std::size_t>(slot) + 1);
    std::string& held = slot_ids[static_cast<std::size_t>(slot)];
    if (!held.empty()) tracks[held].slot = -1;
    held = id;
    tracks[id].slot = slot;
    chart->setSeriesHistory(slot, history(id));
  }

  // From one series per node to kTopNodes node slots and the aggregate in slot kTopNodes. Nodes
  // already in the first kTopNodes slots stay there (same colour); swapBusiest() fills the rest.
  void enterTopMode() {
    aggregate = true;
    while (slot_ids.size() > static_cast<std::size_t>(kTopNodes)) {
      if (!slot_ids.back().empty()) tracks[slot_ids.back()].slot = -1;
      slot_ids.pop_back();
    }
    slot_ids.resize(static_cast<std::size_t>(kTopNodes) + 1);  // new slots empty
    while (chart->seriesCount() < kTopNodes + 1) chart->addSeries(QString());
    for (int i = 0; i < kTopNodes; ++i) {
      if (slot_ids[static_cast<std::size_t>(i)].empty()) chart->setSeriesHistory(i, {});
    }
    chart->setSeriesAggregate(kTopNodes, true);
    others = -1;
  }

  // Fills empty node slots with the busiest undrawn nodes, then swaps the least busy drawn node
  // for the busiest undrawn one while that one is kSwapMargin busier. Returns whether any slot
  // changed.
  bool swapBusiest() {
    bool changed = false;
    for (int round = 0; round < 2 * kTopNodes; ++round) {
      int worst = -1;
      double worst_busy = std::numeric_limits<double>::infinity();
      for (int k = 0; k < kTopNodes; ++k) {
        const std::string& id = slot_ids[static_cast<std::size_t>(k)];
        const double b = id.empty() ? -std::numeric_limits<double>::infinity() : tracks[id].busy;
        if (b < worst_busy) {
          worst_busy = b;
          worst = k;
        }
      }
      const std::string* best = nullptr;
      double best_busy = -std::numeric_limits<double>::infinity();
      for (const auto& id : order) {
        const Track& tr = tracks[id];
        if (tr.slot < 0 && tr.busy > best_busy) {
          best_busy = tr.busy;
          best = &id;
        }
      }
      if (best == nullptr || worst < 0) break;
      const bool empty = slot_ids[static_cast<std::size_t>(worst)].empty();
      if (!empty && !(best_busy > worst_busy * kSwapMargin + 1e-9)) break;
      assign(*best, worst);
      changed = true;
    }
    return changed;
  }

  // The aggregate's past for the current slots: at each snapshot, the mean of the nodes not in a
  // slot. Node histories hold a subset of the totals' times (a node joins later), matched by time.
  QList<QPointF> othersHistory() {
    std::vector<double> selected_sum(totals.size(), 0);
    std::vector<int> selected(totals.size(), 0);
    for (int k = 0; k < kTopNodes; ++k) {
      const std::string& id = slot_ids[static_cast<std::size_t>(k)];
      if (id.empty()) continue;
      std::size_t j = 0;
      for (const QPointF& p : tracks[id].history) {
        while (j < totals.size() && totals[j].t < p.x()) ++j;
        if (j == totals.size()) break;
        if (totals[j].t == p.x()) {
          selected_sum[j] += p.y();
          ++selected[j];
        }
      }
    }
    QList<QPointF> out;
    out.reserve(static_cast<qsizetype>(totals.size()));
    for (std::size_t j = 0; j < totals.size(); ++j) {
      const int rest = totals[j].count - selected[j];
      if (rest > 0) out.append(QPointF(totals[j].t, (totals[j].sum - selected_sum[j]) / rest));
    }
    return out;
  }

 public:
  LiveChart* chart;
  Metric metric;
  std::unordered_map<std::string, Track> tracks;
  std::vector<std::string> order;     // node ids in order of first appearance
  std::deque<Total> totals;           // per snapshot, oldest first, at most `capacity`
  std::vector<std::string> slot_ids;  // node id per series; empty: unassigned or the aggregate
  bool aggregate = false;             // more than kTopNodes + 1 nodes seen: top nodes + the mean
  int others = -1;                    // nodes in the aggregate, as its name says
};

ChartsPanel::ChartsPanel(QWidget* parent) : QWidget(parent) {
  charts_[static_cast<int>(Chart::kMessages)] =
      new LiveChart(tr("Messages per second"), tr("msg/s"));
  charts_[static_cast<int>(Chart::kLatency)] = new LiveChart(tr("Delivery latency"), tr("ms"));
  charts_[static_cast<int>(Chart::kSessions)] =
      new LiveChart(tr("Connections per node"), tr("sessions"));
  charts_[static_cast<int>(Chart::kMemory)] = new LiveChart(tr("Memory per node"), tr("KiB"));
  charts_[static_cast<int>(Chart::kQueue)] =
      new LiveChart(tr("Queue depth per node"), tr("inbox messages"));
  charts_[static_cast<int>(Chart::kStore)] =
      new LiveChart(tr("Store backlog per node"), tr("store rows"));
  for (Chart c : {Chart::kSessions, Chart::kQueue, Chart::kStore}) chart(c)->setIntegerValues(true);
  // Latency on a log axis: p50 sits near a millisecond while p99.9 reaches seconds whenever a
  // recipient is offline (churn) or a node fails over — on a linear axis p50 and p99 are a flat
  // line at zero under a comb of p99.9 (seen in the screenshots of tst_charts). Linear is one
  // click away on the chart's context menu.
  chart(Chart::kLatency)->setLogScale(true);
  const std::array<Metric, 4> metrics = {sessions, memoryKiB, inbox, storeRows};
  for (std::size_t i = 0; i < node_charts_.size(); ++i) {
    node_charts_[i] = std::make_unique<NodeChart>(charts_[i + 2], metrics[i]);
  }
  addClusterSeries();

  grid_widget_ = new QWidget;
  grid_ = new QGridLayout(grid_widget_);
  grid_->setContentsMargins(4, 4, 4, 4);
  grid_->setSpacing(6);
  scroll_ = new QScrollArea(this);
  scroll_->setFrameShape(QFrame::NoFrame);
  scroll_->setWidgetResizable(true);
  // Charts shrink to any width the panel allows (minimumSizeHint): no horizontal scrolling.
  scroll_->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  scroll_->setWidget(grid_widget_);
  // No layout for the panel itself: resizeEvent() reflows the grid first and only then sizes the
  // scroll area, so the scroll area never sees the old column count at the new size.
  reflow();
  scroll_->setGeometry(rect());
}

ChartsPanel::~ChartsPanel() = default;

LiveChart* ChartsPanel::chart(Chart which) const {
  return charts_[static_cast<std::size_t>(which)];
}

QSize ChartsPanel::minimumSizeHint() const {
  // One chart at its smallest, beside the vertical scroll bar; a little more than one chart high.
  const QSize chart = charts_[0]->minimumSizeHint();
  const QMargins m = grid_->contentsMargins();
  return {chart.width() + m.left() + m.right() + style()->pixelMetric(QStyle::PM_ScrollBarExtent),
          chart.height() + m.top() + m.bottom()};
}

QSize ChartsPanel::sizeHint() const {
  return {2 * kMinChartWidth + 40, 3 * 240};
}

void ChartsPanel::addClusterSeries() {
  LiveChart* messages = chart(Chart::kMessages);
  messages->addSeries(tr("sent"));
  messages->addSeries(tr("delivered"));
  // Highest first: the legend reads top to bottom like the lines, and a lower percentile is drawn
  // over a higher one where they meet (p99 equals p99.9 in an interval of under 100 deliveries).
  LiveChart* latency = chart(Chart::kLatency);
  latency->addSeries(tr("p99.9"));
  latency->addSeries(tr("p99"));
  latency->addSeries(tr("p50"));
}

void ChartsPanel::setHistorySeconds(int seconds) {
  history_s_ = std::clamp(seconds, 10, 600);
  for (LiveChart* c : charts_) {
    c->setCapacity(static_cast<std::size_t>(history_s_) * 10);
    c->setWindowSeconds(history_s_);
  }
  refreshCharts();
}

void ChartsPanel::clear() {
  for (LiveChart* c : charts_) c->removeAllSeries();
  for (auto& n : node_charts_) n->reset();
  addClusterSeries();
  last_t_ = -1;
  refreshCharts();
}

void ChartsPanel::setSnapshot(const SnapshotPtr& s) {
  if (!s) return;
  const double t = s->time_s;
  if (t < last_t_) clear();
  last_t_ = t;

  const sim::IntervalStats& in = s->interval;
  const bool rates = in.interval_s > 0;
  chart(Chart::kMessages)
      ->addPoint(t, {rates ? in.sent_per_s : kNaN, rates ? in.delivered_per_s : kNaN});
  // All three zero: no delivery in the interval — no point rather than a false 0 ms.
  const bool latency = in.p50_ms > 0 || in.p99_ms > 0 || in.p999_ms > 0;
  chart(Chart::kLatency)
      ->addPoint(t, latency ? std::vector<double>{in.p999_ms, in.p99_ms, in.p50_ms}
                            : std::vector<double>{});
  for (auto& n : node_charts_) n->update(t, s->cluster.nodes);

  const bool faulty = !s->faults.empty() || !s->cluster.active_faults.empty();
  for (LiveChart* c : charts_) c->setFaultActive(faulty);

  if (isVisible()) {
    refreshCharts();
  } else {
    stale_ = true;
  }
}

void ChartsPanel::refreshCharts() {
  for (LiveChart* c : charts_) c->refresh();
  stale_ = false;
}

void ChartsPanel::resizeEvent(QResizeEvent* event) {
  QWidget::resizeEvent(event);
  reflow();
  scroll_->setGeometry(rect());
}

void ChartsPanel::showEvent(QShowEvent* event) {
  QWidget::showEvent(event);
  if (stale_) refreshCharts();
}

// Columns follow the panel's own width (not the viewport's, which a vertical scroll bar would
// change and so flip the layout back and forth).
void ChartsPanel::reflow() {
  const int spacing = grid_->spacing();
  const int fit = (width() - 8 + spacing) / (kMinChartWidth + spacing);
  const int cols = std::clamp(fit, 1, kMaxColumns);
  if (cols == columns_) return;
  columns_ = cols;
  for (LiveChart* c : charts_) grid_->removeWidget(c);
  const int rows = (kChartCount + cols - 1) / cols;
  for (int i = 0; i < kChartCount; ++i)
    grid_->addWidget(charts_[static_cast<std::size_t>(i)], i / cols, i % cols);
  for (int r = 0; r < kChartCount; ++r) grid_->setRowStretch(r, r < rows ? 1 : 0);
  for (int c = 0; c < kMaxColumns; ++c) grid_->setColumnStretch(c, c < cols ? 1 : 0);
}

}  // namespace iris::ui
