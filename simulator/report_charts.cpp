#include "simulator/report_charts.h"

#include <limits>
#include <utility>
#include <vector>

#include "simulator/report_format.h"
#include "simulator/report_tables.h"
#include "simulator/svg_chart.h"

namespace iris::sim {

namespace {

using namespace reporting;

constexpr const char* kSentColor = "#80868b";
constexpr const char* kDeliveredColor = "#1a73e8";
constexpr const char* kP50Color = "#1a73e8";
constexpr const char* kP99Color = "#e37400";
constexpr const char* kSpectrumColor = "#8430ce";

// Each point at its bucket's middle; a latency of 0 (nothing delivered) is a gap, not a zero.
std::vector<double> bucket_middles(const ScenarioResult& s) {
  std::vector<double> x;
  for (const auto& p : s.timeline) x.push_back(p.t_s + s.bucket_s / 2);
  return x;
}

template <typename Field>
std::vector<double> values(const ScenarioResult& s, Field field, bool zero_is_missing) {
  std::vector<double> y;
  for (const auto& p : s.timeline) {
    const double v = p.*field;
    y.push_back(zero_is_missing && v == 0 ? std::numeric_limits<double>::quiet_NaN() : v);
  }
  return y;
}

// Fault windows with the same start and end share one band and one number, the number of their
// line in the list under the charts.
svg::LineChart timeline_chart(const ScenarioResult& s, std::string title, std::string y_axis) {
  svg::LineChart c;
  c.title = std::move(title);
  c.x_axis = "time since start (s)";
  c.y_axis = std::move(y_axis);
  c.x_from = 0;
  if (!s.timeline.empty()) c.x_to = s.timeline.back().t_s + s.bucket_s;
  const auto groups = window_groups(s);
  for (std::size_t i = 0; i < groups.size(); ++i) {
    const std::string tag = std::to_string(i + 1);
    c.bands.push_back({group_short(groups[i]), groups[i].from_s, groups[i].to_s, tag,
                       tag + ". " + group_text(groups[i])});
  }
  return c;
}

}  // namespace

std::string throughput_svg(const ScenarioResult& s) {
  auto c = timeline_chart(s, "Throughput", "messages/s");
  const auto x = bucket_middles(s);
  c.series.push_back({"sent/s", kSentColor, true, x, values(s, &TimePoint::sent_per_s, false)});
  c.series.push_back(
      {"delivered/s", kDeliveredColor, false, x, values(s, &TimePoint::delivered_per_s, false)});
  return svg::render(c);
}

std::string latency_svg(const ScenarioResult& s) {
  auto c = timeline_chart(s, "Latency", "latency (ms)");
  c.log_y_when_wide = true;
  const auto x = bucket_middles(s);
  c.series.push_back({"p50", kP50Color, false, x, values(s, &TimePoint::p50_ms, true)});
  c.series.push_back({"p99", kP99Color, false, x, values(s, &TimePoint::p99_ms, true)});
  return svg::render(c);
}

std::string spectrum_svg(const ScenarioResult& s) {
  svg::LineChart c;
  c.title = "Latency percentile spectrum";
  c.x_axis = "percentile";
  c.y_axis = "latency (ms)";
  c.mark_points = true;
  c.log_y_when_wide = true;
  svg::Series line{"latency", kSpectrumColor, false, {}, {}};
  if (!has_latency(s)) return svg::render(c);  // "no data", not a line of zeros
  for (const auto& p : s.spectrum) {
    line.x.push_back(static_cast<double>(c.categories.size()));
    line.y.push_back(p.ms);
    c.categories.push_back(percentile_label(p.p));
  }
  c.series.push_back(std::move(line));
  return svg::render(c);
}

}  // namespace iris::sim
