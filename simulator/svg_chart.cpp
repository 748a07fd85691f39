#include "simulator/svg_chart.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <iterator>
#include <limits>

#include "simulator/report_format.h"

namespace iris::sim::svg {

namespace {

using reporting::fixed;
using reporting::xml_escape;

constexpr double kWidth = 560, kHeight = 280;
constexpr double kLeft = 64, kRight = kWidth - 16, kTop = 34, kBottom = kHeight - 72;
constexpr double kLegendY = kHeight - 14;
constexpr int kTargetTicks = 5;
constexpr int kMaxTicks = 50;       // a bound on the tick loop, whatever the range
constexpr double kCharWidth = 6.2;  // average glyph width at 11 px, for laying out the legend
constexpr const char* kBandColor = "#d93025";
constexpr const char* kAxisColor = "#5f6368";
constexpr const char* kGridColor = "#e0e0e0";

struct Range {
  double lo = 0, hi = 1;
  void cover(double v) {
    if (!std::isfinite(v)) return;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
};

// Maps a domain range onto pixels.
struct Scale {
  Range domain;
  double from_px, to_px;
  double operator()(double v) const {
    return from_px + (v - domain.lo) / (domain.hi - domain.lo) * (to_px - from_px);
  }
};

std::string px(double v) {
  return fixed(v, 1);
}

template <typename... Args>
void put(std::string& out, fmt::format_string<Args...> format, Args&&... args) {
  fmt::format_to(std::back_inserter(out), format, std::forward<Args>(args)...);
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
Range y_range(const LineChart& c) {
  Range r{0, 0};
  for (const auto& s : c.series) {
    for (double y : s.y) r.cover(y);
  }
  if (!(r.hi > r.lo)) return {r.lo, r.lo + 1};
  const double step = nice_step(r.hi - r.lo);
  return {std::floor(r.lo / step) * step, std::ceil(r.hi / step) * step};
}

std::vector<double> ticks(Range r) {
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

void title(std::string& out, const LineChart& c) {
  put(out, R"(<text x="{}" y="18" font-size="13" font-weight="600" fill="#202124">{}</text>)",
      px(kLeft), xml_escape(c.title));
}

void y_axis(std::string& out, const LineChart& c, const Scale& y) {
  for (double v : ticks(y.domain)) {
    const std::string at = px(y(v));
    put(out, R"(<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}"/>)", px(kLeft), at, px(kRight),
        at, kGridColor);
    put(out, R"(<text x="{}" y="{}" text-anchor="end" dominant-baseline="middle">{}</text>)",
        px(kLeft - 6), at, xml_escape(reporting::number(v)));
  }
  put(out,
      R"svg(<text transform="translate(14 {}) rotate(-90)" text-anchor="middle" fill="{}">{}</text>)svg",
      px((kTop + kBottom) / 2), kAxisColor, xml_escape(c.y_axis));
}

void x_tick(std::string& out, double at_px, const std::string& label) {
  put(out, R"(<line x1="{0}" y1="{1}" x2="{0}" y2="{2}" stroke="{3}"/>)", px(at_px), px(kBottom),
      px(kBottom + 4), kAxisColor);
  put(out, R"(<text x="{}" y="{}" text-anchor="middle">{}</text>)", px(at_px), px(kBottom + 16),
      xml_escape(label));
}

void x_axis(std::string& out, const LineChart& c, const Scale& x) {
  if (c.categories.empty()) {
    for (double v : ticks(x.domain)) x_tick(out, x(v), reporting::number(v));
  } else {
    for (std::size_t i = 0; i < c.categories.size(); ++i) {
      x_tick(out, x(static_cast<double>(i)), c.categories[i]);
    }
  }
  put(out, R"(<line x1="{0}" y1="{2}" x2="{1}" y2="{2}" stroke="{3}"/>)", px(kLeft), px(kRight),
      px(kBottom), kAxisColor);
  put(out, R"(<text x="{}" y="{}" text-anchor="middle" fill="{}">{}</text>)",
      px((kLeft + kRight) / 2), px(kBottom + 34), kAxisColor, xml_escape(c.x_axis));
}

// Labels are staggered over three lines so that adjacent windows stay readable.
void bands(std::string& out, const LineChart& c, const Scale& x) {
  for (std::size_t i = 0; i < c.bands.size(); ++i) {
    const Band& b = c.bands[i];
    const double from = x(std::min(b.from, b.to)), to = x(std::max(b.from, b.to));
    put(out,
        R"(<rect class="fault-band" x="{}" y="{}" width="{}" height="{}" fill="{}" )"
        R"(fill-opacity="0.13"><title>{}</title></rect>)",
        px(from), px(kTop), px(std::max(to - from, 1.0)), px(kBottom - kTop), kBandColor,
        xml_escape(fmt::format("{}: {} – {}", b.label, reporting::number(b.from),
                               reporting::number(b.to))));
    put(out, R"(<text x="{}" y="{}" font-size="10" fill="#a50e0e">{}</text>)", px(from + 3),
        px(kTop + 11 + static_cast<double>(i % 3) * 11), xml_escape(b.label));
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

// A polyline per run of finite points: a missing value is a gap, never a drop to zero.
void line(std::string& out, const Series& s, const Scale& x, const Scale& y) {
  std::vector<std::pair<double, double>> points;
  for (std::size_t i = 0; i < std::min(s.x.size(), s.y.size()); ++i) {
    if (std::isfinite(s.x[i]) && std::isfinite(s.y[i])) {
      points.emplace_back(x(s.x[i]), y(s.y[i]));
    } else {
      run(out, s, points);
    }
  }
  run(out, s, points);
}

void point_marks(std::string& out, const Series& s, const Scale& x, const Scale& y) {
  for (std::size_t i = 0; i < std::min(s.x.size(), s.y.size()); ++i) {
    if (!std::isfinite(s.x[i]) || !std::isfinite(s.y[i])) continue;
    put(out, R"(<circle cx="{}" cy="{}" r="3" fill="{}"/>)", px(x(s.x[i])), px(y(s.y[i])), s.color);
    put(out, R"(<text x="{}" y="{}" text-anchor="middle" font-size="10">{}</text>)", px(x(s.x[i])),
        px(y(s.y[i]) - 7), xml_escape(reporting::number(s.y[i])));
  }
}

void legend_entry(std::string& out, double& at, const std::string& label, const std::string& mark) {
  out += mark;
  put(out, R"(<text x="{}" y="{}" dominant-baseline="middle">{}</text>)", px(at + 22), px(kLegendY),
      xml_escape(label));
  at += 22 + kCharWidth * static_cast<double>(label.size()) + 16;
}

void legend(std::string& out, const LineChart& c) {
  constexpr double y = kLegendY;
  double at = kLeft;
  for (const auto& s : c.series) {
    legend_entry(out, at, s.label,
                 fmt::format(R"(<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" )"
                             R"(stroke-width="2.5"{}/>)",
                             px(at), px(y), px(at + 18), px(y), s.color, dash(s)));
  }
  if (c.bands.empty()) return;
  legend_entry(out, at, c.band_legend,
               fmt::format(R"(<rect x="{}" y="{}" width="18" height="10" fill="{}" )"
                           R"(fill-opacity="0.25"/>)",
                           px(at), px(y - 5), kBandColor));
}

void no_data(std::string& out) {
  put(out, R"(<rect x="{}" y="{}" width="{}" height="{}" fill="none" stroke="{}"/>)", px(kLeft),
      px(kTop), px(kRight - kLeft), px(kBottom - kTop), kGridColor);
  put(out, R"(<text x="{}" y="{}" text-anchor="middle" fill="{}" font-size="13">no data</text>)",
      px((kLeft + kRight) / 2), px((kTop + kBottom) / 2), kAxisColor);
}

void plot(std::string& out, const LineChart& c) {
  const Scale x{x_range(c), kLeft, kRight};
  const Scale y{y_range(c), kBottom, kTop};
  bands(out, c, x);
  y_axis(out, c, y);
  x_axis(out, c, x);
  for (const auto& s : c.series) {
    line(out, s, x, y);
    if (c.mark_points) point_marks(out, s, x, y);
  }
  legend(out, c);
}

}  // namespace

std::string render(const LineChart& chart) {
  std::string out;
  put(out,
      R"(<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {} {}" )"
      R"(width="{}" height="{}" role="img" font-family="sans-serif" font-size="11" )"
      R"(fill="#202124"><title>{}</title>)",
      kWidth, kHeight, kWidth, kHeight, xml_escape(chart.title));
  title(out, chart);
  if (has_data(chart)) {
    plot(out, chart);
  } else {
    no_data(out);
  }
  out += "</svg>";
  return out;
}

}  // namespace iris::sim::svg
