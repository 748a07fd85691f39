#include "ui/live_chart.h"

#include <QAreaSeries>
#include <QChart>
#include <QChartView>
#include <QContextMenuEvent>
#include <QEvent>
#include <QFontMetrics>
#include <QGraphicsLayout>
#include <QLegend>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QMenu>
#include <QPaintEvent>
#include <QPainter>
#include <QPen>
#include <QResizeEvent>
#include <QVBoxLayout>
#include <QValueAxis>
#include <algorithm>
#include <array>
#include <cmath>
#include <deque>
#include <limits>

namespace iris::ui {

namespace {

// Tableau 10 without its red (kept for fault bands) and grey (kept for aggregates), plus two
// that stay apart from the rest on light and dark backgrounds.
constexpr std::array<QRgb, 9> kSeriesColors = {0x4e79a7, 0xf28e2b, 0x59a14f, 0xb07aa1, 0x76b7b2,
                                               0xd4a72c, 0x9c755f, 0xff9da7, 0x3b5fc4};

// A fixed-capacity ring of points, oldest first.
class Ring {
 public:
  explicit Ring(std::size_t capacity) : buf_(capacity) {}
  std::size_t size() const { return size_; }
  std::size_t capacity() const { return buf_.size(); }
  const QPointF& at(std::size_t i) const { return buf_[(head_ + i) % buf_.size()]; }
  void push(const QPointF& p) {
    if (size_ < buf_.size()) {
      buf_[(head_ + size_) % buf_.size()] = p;
      ++size_;
    } else {
      buf_[head_] = p;
      head_ = (head_ + 1) % buf_.size();
    }
  }
  void clear() { head_ = size_ = 0; }
  QList<QPointF> toList(bool positive_only) const {
    QList<QPointF> out;
    out.reserve(static_cast<qsizetype>(size_));
    for (std::size_t i = 0; i < size_; ++i) {
      if (!positive_only || at(i).y() > 0) out.append(at(i));
    }
    return out;
  }
  Ring resized(std::size_t capacity) const {
    Ring r(capacity);
    const std::size_t keep = std::min(size_, capacity);
    for (std::size_t i = size_ - keep; i < size_; ++i) r.push(at(i));
    return r;
  }

 private:
  std::vector<QPointF> buf_;
  std::size_t head_ = 0, size_ = 0;
};

struct Series {
  QLineSeries* line = nullptr;
  Ring ring;
  bool dirty = true;  // ring changed since the last replace()
  bool aggregate = false;
};

struct Window {
  double begin = 0, end = 0;
};

// The smallest of {1, 2, 2.5, 5} x 10^k not below raw: tick steps a reader can add up. For
// counts, whole steps only: {1, 2, 5} x 10^k, at least 1.
double niceStep(double raw, bool integer = false) {
  if (integer && raw <= 1) return 1;
  if (!(raw > 0) || !std::isfinite(raw)) return 1;
  const double e = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 2.5, 5.0}) {
    if (integer && m == 2.5 && e < 10) continue;
    if (m * e >= raw * (1 - 1e-9)) return m * e;
  }
  return 10 * e;
}

// Decimals that print every multiple of step exactly (0.25 -> 2, 50 -> 0).
int decimalsFor(double step) {
  int d = 0;
  for (double s = step; d < 4 && std::abs(s - std::round(s)) > 1e-6 * std::max(1.0, s); s *= 10) {
    ++d;
  }
  return d;
}

QFont smaller(QFont f, double factor) {
  if (f.pointSizeF() > 0) {
    f.setPointSizeF(std::max(7.0, f.pointSizeF() * factor));
  } else if (f.pixelSize() > 0) {
    f.setPixelSize(std::max(9, static_cast<int>(f.pixelSize() * factor)));
  }
  return f;
}

// The legend, below the chart: entries in rows that wrap to the width. QLegend lays a bottom legend
// out on one line and elides every label to nothing once nine node series and the fault band do
// not fit (a 400 px chart); Qt Graphs, the port target, has no legend at all.
class LegendStrip : public QWidget {
 public:
  struct Entry {
    QString label;
    QPen pen;       // a line sample
    QBrush swatch;  // or, when set, a filled box (the fault band)
  };

  using QWidget::QWidget;

  void setEntries(std::vector<Entry> entries) {
    entries_ = std::move(entries);
    fitHeight();
    update();
  }
  QStringList labels() const {
    QStringList out;
    for (const Entry& e : entries_) out << e.label;
    return out;
  }

  QSize sizeHint() const override { return {200, height()}; }
  QSize minimumSizeHint() const override { return {60, height()}; }

 protected:
  // A fixed height for the current width rather than heightForWidth(): a height-for-width item
  // makes the charts' scroll area size them by preferred instead of minimum height.
  void resizeEvent(QResizeEvent* event) override {
    QWidget::resizeEvent(event);
    fitHeight();
  }
  void paintEvent(QPaintEvent*) override {
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing, true);
    p.setFont(font());
    const int h = lineHeight();
    int y = kPad;
    for (const auto& [first, last, row_width] : rowsFor(width())) {
      int x = std::max(0, (width() - row_width) / 2);
      for (std::size_t i = first; i < last; ++i) {
        const Entry& e = entries_[i];
        const int mid = y + h / 2;
        if (e.swatch.style() != Qt::NoBrush) {
          p.fillRect(QRect(x + 2, mid - 5, kSample - 4, 10), e.swatch);
        } else {
          p.setPen(e.pen);
          p.drawLine(QPointF(x, mid), QPointF(x + kSample, mid));
        }
        p.setPen(palette().color(QPalette::Text));
        const int tw = fontMetrics().horizontalAdvance(e.label);
        p.drawText(QRect(x + kSample + kGap, y, tw + 1, h), Qt::AlignVCenter | Qt::AlignLeft,
                   e.label);
        x += entryWidth(e) + kSpacing;
      }
      y += h;
    }
  }

 private:
  static constexpr int kPad = 2, kSample = 16, kGap = 4, kSpacing = 12;
  struct Row {
    std::size_t first, last;
    int width;
  };
  int lineHeight() const { return fontMetrics().height() + 2; }
  void fitHeight() {
    const int w = width() > 0 ? width() : 400;
    const int h =
        entries_.empty() ? 0 : static_cast<int>(rowsFor(w).size()) * lineHeight() + 2 * kPad;
    if (h != height() || minimumHeight() != h) setFixedHeight(h);
  }
  int entryWidth(const Entry& e) const {
    return kSample + kGap + fontMetrics().horizontalAdvance(e.label);
  }
  std::vector<Row> rowsFor(int width) const {
    std::vector<Row> rows;
    std::size_t first = 0;
    int used = 0;
    for (std::size_t i = 0; i < entries_.size(); ++i) {
      const int w = entryWidth(entries_[i]);
      if (i > first && used + kSpacing + w > width) {
        rows.push_back({first, i, used});
        first = i;
        used = 0;
      }
      used += (i > first ? kSpacing : 0) + w;
    }
    if (first < entries_.size()) rows.push_back({first, entries_.size(), used});
    return rows;
  }

  std::vector<Entry> entries_;
};

}  // namespace

struct LiveChart::Impl {
  QChart* chart = nullptr;
  QChartView* view = nullptr;
  QValueAxis* x = nullptr;
  QValueAxis* y = nullptr;         // linear value axis
  QLogValueAxis* y_log = nullptr;  // logarithmic value axis: shown and used only while `log`
  bool log = false;
  bool integer = false;
  QLineSeries* band_upper = nullptr;
  QLineSeries* band_lower = nullptr;
  QAreaSeries* band = nullptr;
  LegendStrip* legend = nullptr;
  std::deque<Series> series;  // deque: a Series never moves once its QLineSeries is wired
  std::deque<Window> windows;
  bool fault_open = false;
  bool bands_dirty = true;
  bool legend_dirty = true;   // series, names, styles or theme changed since refresh()
  bool legend_fault = false;  // the legend shows the fault entry (only while a band is drawn)
  double last_t = 0;
  std::size_t capacity = kDefaultCapacity;
  double window_s = kDefaultWindowSeconds;
  double y_bottom = 0, y_top = 0, y_step = 0;  // as shown; 0: not yet ranged
  QString title, unit, shown_title;
  std::vector<double> visible;  // scratch: one series' values on screen, for the spike test
  int band_points = 0;
  bool dark = false;

  QAbstractAxis* yAxis() const {
    return log ? static_cast<QAbstractAxis*>(y_log) : static_cast<QAbstractAxis*>(y);
  }

  void rebuildLegend(const QString& fault_label) {
    std::vector<LegendStrip::Entry> entries;
    for (const Series& s : series) entries.push_back({s.line->name(), s.line->pen(), QBrush()});
    legend_fault = !windows.empty();
    if (legend_fault) {
      QColor c = band->brush().color();
      c.setAlpha(std::min(255, c.alpha() * 5 / 2));  // a small swatch needs more colour
      entries.push_back({fault_label, QPen(), QBrush(c)});
    }
    legend->setEntries(std::move(entries));
    legend_dirty = false;
  }
};

LiveChart::LiveChart(const QString& title, const QString& unit, QWidget* parent)
    : QWidget(parent), d_(std::make_unique<Impl>()) {
  d_->title = title;
  d_->unit = unit;
  d_->shown_title = title;
  d_->chart = new QChart;
  d_->chart->setTitle(title);
  d_->chart->setAnimationOptions(QChart::NoAnimation);  // 10 Hz updates: animation only lags
  d_->chart->setBackgroundRoundness(0);
  d_->chart->setMargins(QMargins(2, 2, 2, 2));
  d_->chart->layout()->setContentsMargins(0, 0, 0, 0);
  d_->chart->legend()->hide();  // ours: LegendStrip

  d_->x = new QValueAxis;
  d_->x->setTickType(QValueAxis::TicksDynamic);  // round labels (10 s, 20 s) while scrolling
  d_->x->setTickAnchor(0);
  d_->x->setLabelFormat("%.0f s");
  d_->y = new QValueAxis;
  d_->y->setTitleText(unit);
  d_->y_log = new QLogValueAxis;  // shown, and the series attached to it, only while logScale()
  d_->y_log->setTitleText(unit);
  d_->y_log->setBase(10);
  d_->y_log->setLabelFormat("%g");
  d_->y_log->setMinorTickCount(0);
  d_->chart->addAxis(d_->x, Qt::AlignBottom);
  d_->chart->addAxis(d_->y, Qt::AlignLeft);
  d_->chart->addAxis(d_->y_log, Qt::AlignLeft);
  d_->y_log->setVisible(false);

  // Fault bands first: series added later are drawn over them.
  d_->band_upper = new QLineSeries;
  d_->band_lower = new QLineSeries;
  d_->band = new QAreaSeries(d_->band_upper, d_->band_lower);
  d_->band_upper->setParent(d_->band);
  d_->band_lower->setParent(d_->band);
  d_->band->setName(tr("fault"));
  d_->chart->addSeries(d_->band);
  d_->band->attachAxis(d_->x);
  d_->band->attachAxis(d_->y);

  d_->view = new QChartView(d_->chart, this);
  d_->view->setRenderHint(QPainter::Antialiasing, true);
  d_->view->setFrameShape(QFrame::NoFrame);
  d_->view->setContextMenuPolicy(Qt::NoContextMenu);  // ours: contextMenuEvent()
  d_->view->setMinimumSize(160, 120);  // not the chart's own, which would widen narrow docks
  // Every tick changes every series and both axes: one full repaint beats region bookkeeping.
  d_->view->setViewportUpdateMode(QGraphicsView::FullViewportUpdate);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setSpacing(0);
  layout->addWidget(d_->view, 1);
  d_->legend = new LegendStrip(this);
  d_->legend->setBackgroundRole(QPalette::Base);  // one surface with the chart
  d_->legend->setAutoFillBackground(true);
  layout->addWidget(d_->legend);

  setWindowSeconds(kDefaultWindowSeconds);
  applyTheme();
  refresh();
}

LiveChart::~LiveChart() = default;

void LiveChart::setCapacity(std::size_t points) {
  d_->capacity = std::max<std::size_t>(points, 2);
  for (auto& s : d_->series) {
    s.ring = s.ring.resized(d_->capacity);
    s.dirty = true;
  }
}

std::size_t LiveChart::capacity() const {
  return d_->capacity;
}

void LiveChart::setWindowSeconds(double seconds) {
  d_->window_s = seconds > 0 ? seconds : kDefaultWindowSeconds;
  d_->x->setTickInterval(niceStep(d_->window_s / 6));
}

double LiveChart::windowSeconds() const {
  return d_->window_s;
}

int LiveChart::addSeries(const QString& name) {
  auto* line = new QLineSeries;
  line->setName(name);
  d_->chart->addSeries(line);
  line->attachAxis(d_->x);
  line->attachAxis(d_->yAxis());
  d_->series.push_back(Series{line, Ring(d_->capacity), true, false});
  const int i = static_cast<int>(d_->series.size()) - 1;
  styleSeries(i);
  d_->legend_dirty = true;
  return i;
}

int LiveChart::seriesCount() const {
  return static_cast<int>(d_->series.size());
}

QString LiveChart::seriesName(int series) const {
  if (series < 0 || series >= seriesCount()) return {};
  return d_->series[static_cast<std::size_t>(series)].line->name();
}

void LiveChart::renameSeries(int series, const QString& name) {
  if (series < 0 || series >= seriesCount()) return;
  auto* line = d_->series[static_cast<std::size_t>(series)].line;
  if (line->name() != name) {
    line->setName(name);
    d_->legend_dirty = true;
  }
}

void LiveChart::setSeriesAggregate(int series, bool aggregate) {
  if (series < 0 || series >= seriesCount()) return;
  d_->series[static_cast<std::size_t>(series)].aggregate = aggregate;
  styleSeries(series);
}

void LiveChart::setSeriesHistory(int series, const QList<QPointF>& points) {
  if (series < 0 || series >= seriesCount()) return;
  auto& s = d_->series[static_cast<std::size_t>(series)];
  s.ring.clear();
  const auto n = static_cast<std::size_t>(points.size());
  for (std::size_t i = n - std::min(n, d_->capacity); i < n; ++i) {
    const QPointF& p = points[static_cast<qsizetype>(i)];
    if (std::isfinite(p.x()) && std::isfinite(p.y())) s.ring.push(p);
  }
  s.dirty = true;
}

void LiveChart::removeAllSeries() {
  for (auto& s : d_->series) {
    d_->chart->removeSeries(s.line);
    delete s.line;
  }
  d_->series.clear();
  d_->legend_dirty = true;
  d_->windows.clear();
  d_->fault_open = false;
  d_->bands_dirty = true;
  d_->last_t = 0;
  d_->y_bottom = d_->y_top = d_->y_step = 0;
}

void LiveChart::addPoint(double t, const std::vector<double>& values) {
  if (!std::isfinite(t)) return;
  d_->last_t = t;
  const std::size_t n = std::min(values.size(), d_->series.size());
  for (std::size_t i = 0; i < n; ++i) {
    if (!std::isfinite(values[i])) continue;
    d_->series[i].ring.push(QPointF(t, values[i]));
    d_->series[i].dirty = true;
  }
  if (d_->fault_open) {
    d_->windows.back().end = t;
    d_->bands_dirty = true;
  }
}

void LiveChart::setFaultActive(bool active) {
  if (active == d_->fault_open) return;
  if (active) {
    d_->windows.push_back({d_->last_t, d_->last_t});
  } else {
    d_->windows.back().end = d_->last_t;
  }
  d_->fault_open = active;
  d_->bands_dirty = true;
}

bool LiveChart::faultActive() const {
  return d_->fault_open;
}

void LiveChart::refresh() {
  Impl& d = *d_;
  const double x_max = std::max(d.window_s, d.last_t);
  const double x_min = x_max - d.window_s;
  if (d.x->min() != x_min || d.x->max() != x_max) d.x->setRange(x_min, x_max);

  // Spikes: the axis is sized for what the lines sustain — the highest running median over
  // kSpikeWidth points (0.7 s at 10 Hz), which drops excursions of up to three points — and shows
  // peaks up to kSpikeRatio times that. Higher, shorter peaks (one p99.9 of seconds over a p50 of a
  // millisecond, a catch-up burst after a restart) leave the top edge and are named in the title,
  // instead of flattening every other line for the minute they stay on screen. A plateau of four
  // points or more is sustained and always fits.
  constexpr std::size_t kSpikeWidth = 7;
  constexpr double kSpikeRatio = 2;
  double lo = 0, hi = 0, sustained = 0;
  double lowest_positive = std::numeric_limits<double>::infinity();  // the log axis' floor
  double oldest = std::numeric_limits<double>::infinity();
  for (auto& s : d.series) {
    if (s.dirty) {
      s.line->replace(s.ring.toList(d.log));
      s.dirty = false;
    }
    if (s.ring.size() > 0) oldest = std::min(oldest, s.ring.at(0).x());
    // Newest first: stop at the first point left of the axis.
    d.visible.clear();
    for (std::size_t i = s.ring.size(); i-- > 0;) {
      const QPointF& p = s.ring.at(i);
      if (p.x() < x_min) break;
      if (d.log && p.y() <= 0) continue;
      lo = std::min(lo, p.y());
      hi = std::max(hi, p.y());
      if (p.y() > 0) lowest_positive = std::min(lowest_positive, p.y());
      d.visible.push_back(p.y());
    }
    const std::size_t n = d.visible.size();
    std::array<double, kSpikeWidth> w{};
    for (std::size_t i = 0; i < n; ++i) {
      const std::size_t a = i >= kSpikeWidth / 2 ? i - kSpikeWidth / 2 : 0;
      const std::size_t b = std::min(n, i + kSpikeWidth / 2 + 1);
      const std::size_t m = b - a;
      if (*std::max_element(d.visible.begin() + static_cast<std::ptrdiff_t>(a),
                            d.visible.begin() + static_cast<std::ptrdiff_t>(b)) <= sustained) {
        continue;  // cannot raise the running maximum
      }
      std::copy(d.visible.begin() + static_cast<std::ptrdiff_t>(a),
                d.visible.begin() + static_cast<std::ptrdiff_t>(b), w.begin());
      std::nth_element(w.begin(), w.begin() + static_cast<std::ptrdiff_t>(m / 2),
                       w.begin() + static_cast<std::ptrdiff_t>(m));
      sustained = std::max(sustained, w[m / 2]);
    }
  }
  // A log axis shows every magnitude at once: no spike needs cutting off there.
  const double reach = d.log || sustained <= 0 ? hi : std::min(hi, kSpikeRatio * sustained);

  double top = 0, bottom = 0;
  if (d.log) {
    // Whole decades, at most six of them (below that: noise nobody reads on a live chart).
    top = std::pow(10.0, std::ceil(std::log10(reach > 0 ? reach : 1)));
    bottom = std::isfinite(lowest_positive)
                 ? std::pow(10.0, std::floor(std::log10(lowest_positive)))
                 : top / 10;
    bottom = std::clamp(bottom, top / 1e6, top / 10);
    if (top != d.y_top || bottom != d.y_bottom || d.y_log->max() != top ||
        d.y_log->min() != bottom) {
      d.y_log->setRange(bottom, top);
      d.bands_dirty = true;
    }
  } else {
    // Headroom of 10 %, four or five round steps; grows at once, shrinks only once the data
    // needs less than half of the axis (no jitter at the boundary of a step).
    top = reach > 0 ? reach * 1.1 : 1;
    bottom = lo < 0 ? lo * 1.1 : 0;
    double step = niceStep((top - bottom) / 4, d.integer);
    top = std::ceil(top / step - 1e-9) * step;
    bottom = std::floor(bottom / step + 1e-9) * step;
    if (top <= d.y_top && bottom == d.y_bottom && reach > 0.5 * d.y_top && d.y_step > 0) {
      top = d.y_top;
      step = d.y_step;
    }
    if (top != d.y_top || bottom != d.y_bottom || step != d.y_step || d.y->max() != top ||
        d.y->min() != bottom) {
      d.y_step = step;
      d.y->setRange(bottom, top);
      d.y->setTickCount(static_cast<int>(std::lround((top - bottom) / step)) + 1);
      d.y->setLabelFormat(QStringLiteral("%.%1f").arg(decimalsFor(step)));
      d.bands_dirty = true;
    }
  }
  d.y_top = top;
  d.y_bottom = bottom;

  QString title = d.title;
  if (hi > top) {
    const QString peak = QString::number(hi, 'f', hi >= 100 ? 0 : 1);
    title = tr("%1 (peak %2 %3, off scale)").arg(d.title, peak, d.unit);
  }
  if (title != d.shown_title) {
    d.shown_title = title;
    d.chart->setTitle(title);
  }

  // Fault windows: keep those still overlapping some ring (bounded like the rings, whatever the
  // fault rate), drawn as full-height bands.
  while (!d.windows.empty()) {
    const bool front_open = d.fault_open && d.windows.size() == 1;
    if (d.windows.size() <= d.capacity && (front_open || d.windows.front().end >= oldest)) break;
    d.windows.pop_front();
    d.bands_dirty = true;
  }
  if (d.bands_dirty) {
    QList<QPointF> upper, lower;
    upper.reserve(static_cast<qsizetype>(d.windows.size() * 4));
    for (const Window& w : d.windows) {
      upper << QPointF(w.begin, bottom) << QPointF(w.begin, top) << QPointF(w.end, top)
            << QPointF(w.end, bottom);
    }
    if (!d.windows.empty()) {
      lower << QPointF(d.windows.front().begin, bottom) << QPointF(d.windows.back().end, bottom);
    }
    d.band_upper->replace(upper);
    d.band_lower->replace(lower);
    d.band_points = static_cast<int>(upper.size());
    d.bands_dirty = false;
  }
  if (d.legend_dirty || d.legend_fault != !d.windows.empty()) d.rebuildLegend(tr("fault"));
}

void LiveChart::setLogScale(bool log) {
  Impl& d = *d_;
  if (log == d.log) return;
  QAbstractAxis* from = d.yAxis();
  d.log = log;
  QAbstractAxis* to = d.yAxis();
  // Both axes stay in the chart (removing one makes QChart add a default axis of its own).
  d.band->detachAxis(from);
  d.band->attachAxis(to);
  for (auto& s : d.series) {
    s.line->detachAxis(from);
    s.line->attachAxis(to);
    s.dirty = true;  // a log axis plots only the positive points
  }
  from->setVisible(false);
  to->setVisible(true);
  d.y_top = d.y_bottom = 0;
  d.y_step = 0;
  d.bands_dirty = true;
  applyTheme();
  refresh();
}

void LiveChart::setIntegerValues(bool integer) {
  d_->integer = integer;
  d_->y_step = 0;  // re-range on the next refresh()
}

bool LiveChart::logScale() const {
  return d_->log;
}

std::size_t LiveChart::ringSize(int series) const {
  if (series < 0 || series >= seriesCount()) return 0;
  return d_->series[static_cast<std::size_t>(series)].ring.size();
}

int LiveChart::plottedCount(int series) const {
  if (series < 0 || series >= seriesCount()) return 0;
  return d_->series[static_cast<std::size_t>(series)].line->count();
}

int LiveChart::faultWindowCount() const {
  return static_cast<int>(d_->windows.size());
}

std::vector<std::pair<double, double>> LiveChart::faultWindows() const {
  std::vector<std::pair<double, double>> out;
  for (const Window& w : d_->windows) out.emplace_back(w.begin, w.end);
  return out;
}

QStringList LiveChart::legendLabels() const {
  return d_->legend->labels();
}

int LiveChart::faultBandPointCount() const {
  return d_->band_points;
}

double LiveChart::timeMin() const {
  return d_->x->min();
}

double LiveChart::timeMax() const {
  return d_->x->max();
}

double LiveChart::valueMin() const {
  return d_->y_bottom;
}

double LiveChart::valueMax() const {
  return d_->y_top;
}

bool LiveChart::darkTheme() const {
  return d_->dark;
}

QSize LiveChart::minimumSizeHint() const {
  return {240, 200};
}

QSize LiveChart::sizeHint() const {
  return {400, 300};
}

void LiveChart::contextMenuEvent(QContextMenuEvent* event) {
  QMenu menu(this);
  QAction* log = menu.addAction(tr("Logarithmic scale"));
  log->setCheckable(true);
  log->setChecked(d_->log);
  if (menu.exec(event->globalPos()) == log) setLogScale(!d_->log);
}

void LiveChart::changeEvent(QEvent* event) {
  QWidget::changeEvent(event);
  if (event->type() == QEvent::PaletteChange || event->type() == QEvent::FontChange) applyTheme();
}

// The chart theme picks light or dark; the palette then sets background, text and grid so the
// chart sits in the dock like any other widget. setTheme() resets every colour and font, so all
// of the styling is redone here.
void LiveChart::applyTheme() {
  Impl& d = *d_;
  const QPalette pal = palette();
  d.dark = pal.color(QPalette::Window).lightness() < 128;
  d.chart->setTheme(d.dark ? QChart::ChartThemeDark : QChart::ChartThemeLight);

  const QColor text = pal.color(QPalette::Text);
  QColor grid = text;
  grid.setAlpha(d.dark ? 50 : 35);
  QColor axis_line = text;
  axis_line.setAlpha(110);

  d.chart->setBackgroundBrush(pal.color(QPalette::Base));
  d.chart->setBackgroundPen(Qt::NoPen);
  d.chart->setTitleBrush(text);
  QFont title = font();
  title.setBold(true);
  d.chart->setTitleFont(title);
  const QFont small = smaller(font(), 0.85);
  for (QAbstractAxis* a : {static_cast<QAbstractAxis*>(d.x), static_cast<QAbstractAxis*>(d.y),
                           static_cast<QAbstractAxis*>(d.y_log)}) {
    a->setLabelsBrush(text);
    a->setLabelsFont(small);
    a->setTitleBrush(text);
    a->setTitleFont(small);
    a->setGridLinePen(QPen(grid, 1));
    a->setLinePen(QPen(axis_line, 1));
    a->setMinorGridLineVisible(false);
  }

  QColor fault(214, 39, 40, d.dark ? 80 : 45);
  d.band->setBrush(fault);
  d.band->setPen(Qt::NoPen);
  d.legend->setFont(small);
  d.legend_dirty = true;
  for (int i = 0; i < seriesCount(); ++i) styleSeries(i);
}

void LiveChart::styleSeries(int series) {
  const Series& s = d_->series[static_cast<std::size_t>(series)];
  QPen pen;
  pen.setWidthF(1.6);
  pen.setCapStyle(Qt::RoundCap);
  pen.setJoinStyle(Qt::RoundJoin);
  if (s.aggregate) {
    QColor c = palette().color(QPalette::Text);
    c.setAlpha(140);
    pen.setColor(c);
    pen.setStyle(Qt::DashLine);
  } else {
    pen.setColor(
        QColor::fromRgb(kSeriesColors[static_cast<std::size_t>(series) % kSeriesColors.size()]));
  }
  s.line->setPen(pen);
  d_->legend_dirty = true;
}

}  // namespace iris::ui
