#pragma once
// Line charts as inline SVG, for the HTML report: axes with tick labels and units, a legend below
// the plot, shaded labelled bands (fault windows), a gap where a value is missing, "no data" when
// nothing is there. Band labels sit in lanes above the plot, so that overlapping or short bands
// never print on top of each other; a label that does not fit keeps only its tag. Self-contained:
// presentation attributes only, no ids, no external references, so any number of charts can sit
// in one page and print as they look. Pure functions.

#include <optional>
#include <string>
#include <vector>

namespace iris::sim::svg {

struct Series {
  std::string label;
  std::string color;    // a CSS colour: "#1a73e8"
  bool dashed = false;  // drawn over the solid series, so a dashed line equal to one stays visible
  std::vector<double> x, y;  // the same length; a non-finite value is a gap in the line
};

struct Band {
  std::string label;        // short, printed above the plot when it fits: "KillNode n01", "cut ×4"
  double from = 0, to = 0;  // in x units
  // Printed in bold before the label, and alone where the label does not fit: "1", the band's
  // number in a list beside the chart.
  std::string tag{};
  std::string detail{};  // the band's tooltip; the label when empty
};

struct LineChart {
  std::string title;
  std::string x_axis;  // the axis title with its unit: "time (s)"
  std::string y_axis;  // "latency (ms)"
  // Non-empty: x is categorical (the series' x values are indices into it), e.g. percentiles.
  std::vector<std::string> categories;
  // The x range covers at least [x_from, x_to], and always every point and every band.
  std::optional<double> x_from, x_to;
  std::vector<Series> series;
  std::vector<Band> bands;
  std::string band_legend = "fault window";
  bool mark_points = false;  // a dot and its value at every point (for short series)
  // A logarithmic y axis when the positive values span three decades or more (0.5 ms beside
  // 8,000 ms); values <= 0 are then gaps. Otherwise, and by default, linear from zero.
  bool log_y_when_wide = false;
};

// One <svg> element, 560 user units wide and 280 high (about 12 more for each lane of band
// labels), scaled to its container by the page's CSS.
std::string render(const LineChart& chart);

}  // namespace iris::sim::svg
