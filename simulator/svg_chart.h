#pragma once
// Line charts as inline SVG, for the HTML report: axes with tick labels and units, a legend,
// shaded labelled bands (fault windows), a gap where a value is missing, "no data" when nothing
// is there. Self-contained: presentation attributes only, no ids, no external references, so any
// number of charts can sit in one page and print as they look. Pure functions.

#include <optional>
#include <string>
#include <vector>

namespace iris::sim::svg {

struct Series {
  std::string label;
  std::string color;  // a CSS colour: "#1a73e8"
  bool dashed = false;
  std::vector<double> x, y;  // the same length; a non-finite value is a gap in the line
};

struct Band {
  std::string label;
  double from = 0, to = 0;  // in x units
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
};

// One <svg> element, 560 x 280 user units, scaled to its container by the page's CSS.
std::string render(const LineChart& chart);

}  // namespace iris::sim::svg
