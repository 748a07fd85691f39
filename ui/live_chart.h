#pragma once
// LiveChart: one scrolling time chart of the console — the only class that touches Qt Charts
// (deprecated from Qt 6.10 in favour of Qt Graphs: a port replaces live_chart.cpp and nothing
// else). Its header names no Qt Charts type.
//
// Each series keeps its points in a bounded ring (capacity() points, oldest dropped). addPoint()
// and setFaultActive() only record; refresh() — once per UI tick — pushes every changed ring to
// its series with one QXYSeries::replace() (never clear()+append(): 100 ms vs 55 s for the same
// points), scrolls the time axis to the last windowSeconds(), rescales the value axis and redraws
// the fault windows as translucent bands.
//
// The value axis is linear (logarithmic on request), auto-ranged with 10 % headroom, sized for
// what the lines sustain: a peak of a few points more than twice as high as any line's running
// median leaves the top edge and is named in the title ("peak 3160 msg/s, off scale") instead of
// flattening every other line for the minute it stays on screen. The axis grows at once and
// shrinks only when the data needs less than half of it: no jitter, and nothing stuck once a peak
// has scrolled out. Follows the widget palette (light or dark chart theme). Never uses OpenGL
// (it crashes under the offscreen platform).

#include <QList>
#include <QPointF>
#include <QString>
#include <QStringList>
#include <QWidget>
#include <cstddef>
#include <memory>
#include <utility>
#include <vector>

namespace iris::ui {

class LiveChart : public QWidget {
  Q_OBJECT
 public:
  static constexpr std::size_t kDefaultCapacity = 600;  // a minute at the source's 10 Hz
  static constexpr double kDefaultWindowSeconds = 60;

  // `unit` titles the value axis ("ms", "msg/s").
  LiveChart(const QString& title, const QString& unit, QWidget* parent = nullptr);
  ~LiveChart() override;

  // Points kept per series (at least 2); existing rings keep their newest points.
  void setCapacity(std::size_t points);
  std::size_t capacity() const;
  // Seconds of time axis shown, ending at the newest point (before that: 0 to seconds).
  void setWindowSeconds(double seconds);
  double windowSeconds() const;

  // A new series, empty until the next addPoint(); returns its index (0, 1, ... in order).
  int addSeries(const QString& name);
  int seriesCount() const;
  QString seriesName(int series) const;
  void renameSeries(int series, const QString& name);
  // An aggregate ("mean of the other nodes"): drawn muted and dashed, behind the others' colours.
  void setSeriesAggregate(int series, bool aggregate);
  // Replaces the series' ring with `points` (ascending time; only the newest capacity() kept):
  // a series whose subject changed (another node in the same slot) gets that subject's past.
  void setSeriesHistory(int series, const QList<QPointF>& points);
  // Drops every series and fault window: the chart starts over (a new source, time restarted).
  void removeAllSeries();

  // One point per series at time t: values[i] for series i. Missing (values shorter than
  // seriesCount()) and non-finite values add no point to that series.
  void addPoint(double t, const std::vector<double>& values);
  // Whether a fault is active as of the newest point: a window opens at the newest point's time
  // and closes at the time of the newest point when it is called with false.
  void setFaultActive(bool active);
  bool faultActive() const;

  // A logarithmic value axis (decades; non-positive points are left out while it is on), for
  // series of very different magnitudes such as latency percentiles. Also on the context menu.
  void setLogScale(bool log);
  bool logScale() const;

  // Counts (sessions, messages, rows): value ticks on whole numbers only.
  void setIntegerValues(bool integer);

  // Pushes the rings to the chart (replace() per changed series), rescales the axes, redraws the
  // fault bands. Cheap when nothing changed.
  void refresh();

  // What the chart holds (tests, diagnostics).
  std::size_t ringSize(int series) const;
  int plottedCount(int series) const;  // points in the chart's series after the last refresh()
  int faultWindowCount() const;        // windows kept (older than every ring: dropped)
  std::vector<std::pair<double, double>> faultWindows() const;  // (begin, end), oldest first
  int faultBandPointCount() const;   // points of the bands' upper outline after refresh()
  QStringList legendLabels() const;  // the series' names, then "fault" while a band is drawn
  double timeMin() const;
  double timeMax() const;
  double valueMin() const;
  double valueMax() const;
  bool darkTheme() const;

  QSize minimumSizeHint() const override;
  QSize sizeHint() const override;

 protected:
  void changeEvent(QEvent* event) override;
  void contextMenuEvent(QContextMenuEvent* event) override;

 private:
  struct Impl;
  void applyTheme();
  void styleSeries(int series);
  std::unique_ptr<Impl> d_;
};

}  // namespace iris::ui
