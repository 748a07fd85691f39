#include "simulator/svg_chart.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <iterator>
#include <limits>
#include <numeric>

#include "simulator/report_format.h"

namespace iris::sim::svg {

namespace {

using reporting::fixed;
using reporting::xml_escape;

constexpr double kWidth = 560;
constexpr double kLeft = 64, kRight = kWidth - 16;
constexpr double kPlotTop = 34;   // the plot's top when there is no band label above it
constexpr double kLanesTop = 27;  // the top of the first lane of band labels
constexpr double kLaneHeight = 12;
constexpr std::size_t kMaxLanes = 5;
constexpr double kPlotHeight = 174;
constexpr double kBelowPlot = 72;  // tick labels, axis title and legend
constexpr int kTargetTicks = 5;
constexpr int kMaxTicks = 50;            // a bound on the tick loop, whatever the range
constexpr double kCharWidth = 6.2;       // average glyph width at 11 px, for laying out the legend
constexpr double kLabelCharWidth = 5.8;  // at 10 px, for the band labels
constexpr double kLabelGap = 14;         // between two band labels in one lane
constexpr const char* kBandColor = "#d93025";
constexpr const char* kBandTextColor = "#a50e0e";
constexpr const char* kAxisColor = "#5f6368";
constexpr const char* kGridColor = "#e0e0e0";
constexpr const char* kMinorGridColor = "#f1f3f4";
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

struct Range {
  double lo = 0, hi = 1;
  void cover(double v) {
    if (!std::isfinite(v)) return;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
};

// Maps a domain range onto pixels, linearly or by the logarithm (where a value <= 0 has no
// place: NaN, drawn as a gap).
struct Scale {
  Range domain;
  double from_px, to_px;
  bool log = false;
  double operator()(double v) const {
    if (!log) return from_px + (v - domain.lo) / (domain.hi - domain.lo) * (to_px - from_px);
    if (!(v > 0)) return kNaN;
    const double lo = std::log10(domain.lo), hi = std::log10(domain.hi);
    return from_px + (std::log10(v) - lo) / (hi - lo) * (to_px - from_px);
  }
};

// Where things go vertically: the plot keeps its height; each lane of band labels above it makes
// the chart taller.
struct Layout {
  std::size_t lanes = 0;
  double top() const {
    return lanes == 0 ? kPlotTop : kLanesTop + static_cast<double>(lanes) * kLaneHeight + 5;
  }
  double bottom() const { return top() + kPlotHeight; }
  double height() const { return bottom() + kBelowPlot; }
  double legend_y() const { return height() - 14; }
  static double lane_top(std::size_t lane) {
    return kLanesTop + static_cast<double>(lane) * kLaneHeight;
  }
};

std::string px(double v) {
  return fixed(v, 1);
}

template <typename... Args>
void put(std::string& out, fmt::format_string<Args...> format, Args&&... args) {
  fmt::format_to(std::back_inserter(out), format, std::forward<Args>(args)...);
}

// Characters, not bytes: "×" is one.
double text_width(const std::string& s, double char_width) {
  const auto chars = std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; });
  return static_cast<double>(chars) * char_width;
}

bool has_data(const LineChart& c) {
  for (const auto& s : c.series) {
    for (std::size_t i = 0; i < std::min(s.x.size(), s.y.size()); ++i) {
      if (std::isfinite(s.x[i]) && std::isfinite(s.y[i])) return true;
    }
  }
  return false;
}

// 1, 2 or 5 times a power of ten, giving about kTargetTicks ticks over `span`.
double nice_step(double span) {
  const double raw = span / kTargetTicks;
  const double magnitude = std::pow(10, std::floor(std::log10(raw)));
  const double f = raw / magnitude;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * magnitude;
}

Range x_range(const LineChart& c) {
  if (!c.categories.empty()) return {-0.5, static_cast<double>(c.categories.size()) - 0.5};
  Range r{std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity()};
  if (c.x_from) r.cover(*c.x_from);
  if (c.x_to) r.cover(*c.x_to);
  for (const auto& s : c.series) {
    for (double x : s.x) r.cover(x);
  }
  for (const auto& b : c.bands) {
    r.cover(b.from);
    r.cover(b.to);
  }
  if (!(r.hi > r.lo)) r.hi = r.lo + 1;
  return r;
}

// From zero (or the lowest value, if negative) up to a round number above the highest.
Range linear_y_range(const LineChart& c) {
  Range r{0, 0};
  for (const auto& s : c.series) {
    for (double y : s.y) r.cover(y);
  }
  if (!(r.hi > r.lo)) return {r.lo, r.lo + 1};
  const double step = nice_step(r.hi - r.lo);
  return {std::floor(r.lo / step) * step, std::ceil(r.hi / step) * step};
}

// Whole decades around the positive values, when they span three or more; nullopt otherwise.
std::optional<Range> log_y_range(const LineChart& c) {
  if (!c.log_y_when_wide) return std::nullopt;
  double lo = std::numeric_limits<double>::infinity(), hi = 0;
  for (const auto& s : c.series) {
    for (double y : s.y) {
      if (!std::isfinite(y) || y <= 0) continue;
      lo = std::min(lo, y);
      hi = std::max(hi, y);
    }
  }
  if (!(hi > 0)) return std::nullopt;
  const double first = std::floor(std::log10(lo)), last = std::ceil(std::log10(hi));
  if (last - first < 3) return std::nullopt;
  return Range{std::pow(10, first), std::pow(10, last)};
}

Scale y_scale(const LineChart& c, const Layout& layout) {
  if (const auto log = log_y_range(c)) return {*log, layout.bottom(), layout.top(), true};
  return {linear_y_range(c), layout.bottom(), layout.top(), false};
}

std::vector<double> linear_ticks(Range r) {
  const double step = nice_step(r.hi - r.lo);
  const double first = std::ceil(r.lo / step);
  std::vector<double> out;
  for (int k = 0; k < kMaxTicks; ++k) {
    const double v = (first + k) * step;
    if (v > r.hi + step * 1e-9) break;
    out.push_back(std::abs(v) < step * 1e-9 ? 0 : v);  // no "-0" from rounding
  }
  return out;
}

// A labelled tick at every decade (1, 10, 100 ...); `minor` gets 2 and 5 times each decade.
std::vector<double> log_ticks(Range r, std::vector<double>& minor) {
  std::vector<double> out;
  const int first = static_cast<int>(std::lround(std::log10(r.lo)));
  const int last = static_cast<int>(std::lround(std::log10(r.hi)));
  for (int k = first; k <= last && out.size() < static_cast<std::size_t>(kMaxTicks); ++k) {
    const double decade = std::pow(10, k);
    out.push_back(decade);
    if (k < last) {
      minor.push_back(2 * decade);
      minor.push_back(5 * decade);
    }
  }
  return out;
}

void title(std::string& out, const LineChart& c) {
  put(out, R"(<text x="{}" y="18" font-size="13" font-weight="600" fill="#202124">{}</text>)",
      px(kLeft), xml_escape(c.title));
}

void grid_line(std::string& out, double at_px, const char* color) {
  const std::string at = px(at_px);
  put(out, R"(<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}"/>)", px(kLeft), at, px(kRight), at,
      color);
}

void y_axis(std::string& out, const LineChart& c, const Scale& y, const Layout& layout) {
  std::vector<double> minor;
  const auto major = y.log ? log_ticks(y.domain, minor) : linear_ticks(y.domain);
  for (double v : minor) grid_line(out, y(v), kMinorGridColor);
  for (double v : major) {
    grid_line(out, y(v), kGridColor);
    put(out, R"(<text x="{}" y="{}" text-anchor="end" dominant-baseline="middle">{}</text>)",
        px(kLeft - 6), px(y(v)), xml_escape(reporting::number(v)));
  }
  const std::string axis_title = y.log ? c.y_axis + ", log scale" : c.y_axis;
  put(out,
      R"svg(<text transform="translate(14 {}) rotate(-90)" text-anchor="middle" fill="{}">{}</text>)svg",
      px((layout.top() + layout.bottom()) / 2), kAxisColor, xml_escape(axis_title));
}

void x_tick(std::string& out, double at_px, const std::string& label, const Layout& layout) {
  put(out, R"(<line x1="{0}" y1="{1}" x2="{0}" y2="{2}" stroke="{3}"/>)", px(at_px),
      px(layout.bottom()), px(layout.bottom() + 4), kAxisColor);
  put(out, R"(<text x="{}" y="{}" text-anchor="middle">{}</text>)", px(at_px),
      px(layout.bottom() + 16), xml_escape(label));
}

void x_axis(std::string& out, const LineChart& c, const Scale& x, const Layout& layout) {
  if (c.categories.empty()) {
    for (double v : linear_ticks(x.domain)) x_tick(out, x(v), reporting::number(v), layout);
  } else {
    for (std::size_t i = 0; i < c.categories.size(); ++i) {
      x_tick(out, x(static_cast<double>(i)), c.categories[i], layout);
    }
  }
  put(out, R"(<line x1="{0}" y1="{2}" x2="{1}" y2="{2}" stroke="{3}"/>)", px(kLeft), px(kRight),
      px(layout.bottom()), kAxisColor);
  put(out, R"(<text x="{}" y="{}" text-anchor="middle" fill="{}">{}</text>)",
      px((kLeft + kRight) / 2), px(layout.bottom() + 34), kAxisColor, xml_escape(c.x_axis));
}

// A band's label above the plot, in the first lane where it touches no other: a tab as wide as the
// band, with the text inside it when it fits, else just after it (or just before it, at the right
// edge), so that which band a label names stays plain however short the band.
struct BandLabel {
  std::size_t band = 0;
  std::size_t lane = 0;
  double at = 0;          // where the text starts
  bool with_text = true;  // false: the tag alone
};

// Where a text `width` wide goes beside the tab [from, to], and what of the lane it takes.
struct Spot {
  double at, lo, hi;
};

Spot spot(double from, double to, double width) {
  constexpr double kPad = 3;
  if (to - from >= width + 2 * kPad) return {from + kPad, from, to};
  if (to + kPad + width <= kRight) return {to + kPad, from, to + kPad + width};
  if (from - kPad - width >= kLeft) return {from - kPad - width, from - kPad - width, to};
  const double at = std::max(kLeft, kRight - width);
  return {at, std::min(at, from), std::max(at + width, to)};
}

std::vector<BandLabel> place_band_labels(const LineChart& c, const Scale& x) {
  std::vector<std::size_t> order(c.bands.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return std::min(c.bands[a].from, c.bands[a].to) < std::min(c.bands[b].from, c.bands[b].to);
  });
  std::vector<double> lane_end(kMaxLanes, -std::numeric_limits<double>::infinity());
  std::vector<BandLabel> out;
  for (std::size_t i : order) {
    const Band& b = c.bands[i];
    if (b.label.empty() && b.tag.empty()) continue;
    const double from = x(std::min(b.from, b.to)), to = x(std::max(b.from, b.to));
    const double tag_width = text_width(b.tag, kLabelCharWidth + 0.8);  // bold
    const double full_width = tag_width + (b.tag.empty() || b.label.empty() ? 0 : 4) +
                              text_width(b.label, kLabelCharWidth);
    // The full label first, then the tag alone (when there is a tag to fall back on).
    std::vector<std::pair<bool, double>> forms = {{true, full_width}};
    if (!b.tag.empty() && !b.label.empty()) forms.emplace_back(false, tag_width);
    std::optional<std::pair<BandLabel, Spot>> placed;
    for (const auto& [with_text, width] : forms) {
      const Spot where = spot(from, to, width);
      for (std::size_t lane = 0; lane < kMaxLanes && !placed; ++lane) {
        if (lane_end[lane] <= where.lo) placed = {BandLabel{i, lane, where.at, with_text}, where};
      }
      if (placed) break;
    }
    if (!placed) {  // every lane is taken here: the shortest form where it overlaps least
      const auto lane = static_cast<std::size_t>(
          std::min_element(lane_end.begin(), lane_end.end()) - lane_end.begin());
      const Spot where = spot(from, to, forms.back().second);
      placed = {BandLabel{i, lane, where.at, forms.back().first}, where};
    }
    const auto& [label, where] = *placed;
    lane_end[label.lane] = std::max(lane_end[label.lane], where.hi + kLabelGap);
    out.push_back(label);
  }
  return out;
}

std::size_t lanes_used(const std::vector<BandLabel>& labels) {
  std::size_t n = 0;
  for (const auto& l : labels) n = std::max(n, l.lane + 1);
  return n;
}

std::string band_tooltip(const Band& b) {
  if (!b.detail.empty()) return b.detail;
  return fmt::format("{}: {} – {}", b.label, reporting::number(b.from), reporting::number(b.to));
}

void band_shading(std::string& out, const LineChart& c, const Scale& x, const Layout& layout) {
  for (const Band& b : c.bands) {
    const double from = x(std::min(b.from, b.to)), to = x(std::max(b.from, b.to));
    put(out,
        R"(<rect class="fault-band" x="{}" y="{}" width="{}" height="{}" fill="{}" )"
        R"(fill-opacity="0.12"><title>{}</title></rect>)",
        px(from), px(layout.top()), px(std::max(to - from, 1.0)), px(kPlotHeight), kBandColor,
        xml_escape(band_tooltip(b)));
  }
  // Edges, so that bands that touch or overlap stay apart.
  for (const Band& b : c.bands) {
    for (double edge : {b.from, b.to}) {
      put(out,
          R"(<line x1="{0}" y1="{1}" x2="{0}" y2="{2}" stroke="{3}" stroke-opacity="0.45" )"
          R"(stroke-width="0.8"/>)",
          px(x(edge)), px(layout.top()), px(layout.bottom()), kBandColor);
    }
  }
}

void band_labels(std::string& out, const LineChart& c, const Scale& x,
                 const std::vector<BandLabel>& labels) {
  for (const BandLabel& l : labels) {
    const Band& b = c.bands[l.band];
    const double top = Layout::lane_top(l.lane);
    const double from = x(std::min(b.from, b.to)), to = x(std::max(b.from, b.to));
    put(out, R"(<rect x="{}" y="{}" width="{}" height="{}" rx="2" fill="{}" fill-opacity="0.22"/>)",
        px(from), px(top), px(std::max(to - from, 2.0)), px(kLaneHeight - 1), kBandColor);
    put(out, R"(<text x="{}" y="{}" font-size="10" fill="{}">)", px(l.at), px(top + 8.5),
        kBandTextColor);
    if (!b.tag.empty()) put(out, R"(<tspan font-weight="700">{}</tspan>)", xml_escape(b.tag));
    if (l.with_text && !b.label.empty()) {
      out += (b.tag.empty() ? "" : " ") + xml_escape(b.label);
    }
    put(out, "<title>{}</title></text>", xml_escape(band_tooltip(b)));
  }
}

const char* dash(const Series& s) {
  return s.dashed ? R"( stroke-dasharray="5 3")" : "";
}

// A run of consecutive points, in pixels: a line, or a dot when it is a single point.
void run(std::string& out, const Series& s, std::vector<std::pair<double, double>>& points) {
  if (points.size() == 1) {
    put(out, R"(<circle cx="{}" cy="{}" r="2.5" fill="{}"/>)", px(points[0].first),
        px(points[0].second), s.color);
  } else if (points.size() > 1) {
    std::vector<std::string> xy;
    for (const auto& [x, y] : points) xy.push_back(px(x) + "," + px(y));
    put(out, R"(<polyline fill="none" stroke="{}" stroke-width="1.8"{} points="{}"/>)", s.color,
        dash(s), reporting::join(xy, " "));
  }
  points.clear();
}

// A polyline per run of points that have a place on the chart: a missing value is a gap, never a
// drop to zero.
void line(std::string& out, const Series& s, const Scale& x, const Scale& y) {
  std::vector<std::pair<double, double>> points;
  for (std::size_t i = 0; i < std::min(s.x.size(), s.y.size()); ++i) {
    const double px_x = std::isfinite(s.x[i]) ? x(s.x[i]) : kNaN;
    const double px_y = std::isfinite(s.y[i]) ? y(s.y[i]) : kNaN;
    if (std::isfinite(px_x) && std::isfinite(px_y)) {
      points.emplace_back(px_x, px_y);
    } else {
      run(out, s, points);
    }
  }
  run(out, s, points);
}

// A dot and its value at every point. The value sits above the dot, unless the line climbs
// steeply from it: then above and to the left (the line arrives from below), or, at the first
// point, below it, where the line is not.
void point_marks(std::string& out, const Series& s, const Scale& x, const Scale& y,
                 const Layout& layout) {
  const std::size_t n = std::min(s.x.size(), s.y.size());
  std::vector<std::pair<double, double>> at(n, {kNaN, kNaN});
  for (std::size_t i = 0; i < n; ++i) {
    if (std::isfinite(s.x[i]) && std::isfinite(s.y[i])) at[i] = {x(s.x[i]), y(s.y[i])};
  }
  const auto placed = [&](std::size_t i) {
    return std::isfinite(at[i].first) && std::isfinite(at[i].second);
  };
  for (std::size_t i = 0; i < n; ++i) {
    if (!placed(i)) continue;
    const auto [cx, cy] = at[i];
    const bool climbs = i + 1 < n && placed(i + 1) && at[i + 1].second < cy - 10;
    const bool first = i == 0 || !placed(i - 1);
    double tx = cx, ty = cy - 7;
    const char* anchor = "middle";
    if (climbs && !first) {
      tx = cx - 5;
      ty = cy - 5;
      anchor = "end";
    } else if (climbs && cy + 15 < layout.bottom()) {
      ty = cy + 15;
    }
    put(out, R"(<circle cx="{}" cy="{}" r="3" fill="{}"/>)", px(cx), px(cy), s.color);
    put(out, R"(<text x="{}" y="{}" text-anchor="{}" font-size="10">{}</text>)", px(tx), px(ty),
        anchor, xml_escape(reporting::number(s.y[i])));
  }
}

void legend_entry(std::string& out, double& at, double y, const std::string& label,
                  const std::string& mark) {
  out += mark;
  put(out, R"(<text x="{}" y="{}" dominant-baseline="middle">{}</text>)", px(at + 22), px(y),
      xml_escape(label));
  at += 22 + text_width(label, kCharWidth) + 16;
}

void legend(std::string& out, const LineChart& c, const Layout& layout) {
  const double y = layout.legend_y();
  double at = kLeft;
  for (const auto& s : c.series) {
    legend_entry(out, at, y, s.label,
                 fmt::format(R"(<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" )"
                             R"(stroke-width="2.5"{}/>)",
                             px(at), px(y), px(at + 18), px(y), s.color, dash(s)));
  }
  if (c.bands.empty()) return;
  legend_entry(out, at, y, c.band_legend,
               fmt::format(R"(<rect x="{}" y="{}" width="18" height="10" fill="{}" )"
                           R"(fill-opacity="0.25"/>)",
                           px(at), px(y - 5), kBandColor));
}

void no_data(std::string& out, const Layout& layout) {
  put(out, R"(<rect x="{}" y="{}" width="{}" height="{}" fill="none" stroke="{}"/>)", px(kLeft),
      px(layout.top()), px(kRight - kLeft), px(kPlotHeight), kGridColor);
  put(out, R"(<text x="{}" y="{}" text-anchor="middle" fill="{}" font-size="13">no data</text>)",
      px((kLeft + kRight) / 2), px((layout.top() + layout.bottom()) / 2), kAxisColor);
}

void open_svg(std::string& out, const LineChart& c, const Layout& layout) {
  put(out,
      R"(<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {} {}" )"
      R"(width="{}" height="{}" role="img" font-family="sans-serif" font-size="11" )"
      R"(fill="#202124"><title>{}</title>)",
      kWidth, layout.height(), kWidth, layout.height(), xml_escape(c.title));
  title(out, c);
}

}  // namespace

std::string render(const LineChart& chart) {
  std::string out;
  const Scale x{x_range(chart), kLeft, kRight};
  const auto labels = place_band_labels(chart, x);
  const Layout layout{lanes_used(labels)};  // with no data too: as tall as its neighbour
  if (!has_data(chart)) {
    open_svg(out, chart, layout);
    no_data(out, layout);
    out += "</svg>";
    return out;
  }
  const Scale y = y_scale(chart, layout);
  open_svg(out, chart, layout);
  band_shading(out, chart, x, layout);
  y_axis(out, chart, y, layout);
  x_axis(out, chart, x, layout);
  band_labels(out, chart, x, labels);
  // Solid lines first, dashed over them: a dashed line that equals a solid one stays visible.
  for (bool dashed : {false, true}) {
    for (const auto& s : chart.series) {
      if (s.dashed == dashed) line(out, s, x, y);
    }
  }
  if (chart.mark_points) {
    for (const auto& s : chart.series) point_marks(out, s, x, y, layout);
  }
  legend(out, chart, layout);
  out += "</svg>";
  return out;
}

}  // namespace iris::sim::svg
