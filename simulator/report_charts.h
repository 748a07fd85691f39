#pragma once
// The charts of one scenario as SVG strings, as the HTML report draws them (report_html.cpp) and
// the console's PDF export renders them: throughput and latency over time with the fault windows
// shaded and numbered (the numbers are the lines of window_groups(), report_tables.h), and the
// latency percentile spectrum. Each is one self-contained <svg> element (svg_chart.h): 560 user
// units wide, about 280 high. Pure functions, no Qt.

#include <string>

#include "simulator/report.h"

namespace iris::sim {

std::string throughput_svg(const ScenarioResult& s);  // sent/s and delivered/s over time
std::string latency_svg(const ScenarioResult& s);     // p50 and p99 over time
std::string spectrum_svg(const ScenarioResult& s);    // latency by percentile; "no data" if none

}  // namespace iris::sim
