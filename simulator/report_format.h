#pragma once
// Text helpers shared by the report writers (report_*.cpp, svg_chart.cpp): numbers for people,
// escaping, and the one-line renderings of a figure, an invariant and a machine that several
// formats print. Internal to iris_report; pure functions, safe from any thread.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "simulator/report.h"

namespace iris::sim::reporting {

// A value for people: "12,345" (>= 1000), "12.35" (>= 1, at most 2 decimals), "0.00123" (3
// significant digits, no exponent down to 1e-9), "n/a" for NaN or infinity.
std::string number(double v);
// v with exactly `decimals` decimals and no grouping, for attributes and coordinates; a value that
// is not finite gives "0" (callers that must show it use number()).
std::string fixed(double v, int decimals);
std::string count(std::uint64_t n);        // "12,345"
std::string bytes(std::uint64_t n);        // "512 B", "1.5 KiB", "12.3 MiB", "2.0 GiB"
std::string hex_hash(std::uint64_t hash);  // 16 hex digits, as summary() and JSON print it

const char* verdict(bool pass);  // "PASS" / "FAIL"
// 0.5 -> "p50", 0.999 -> "p99.9", 1.0 -> "max".
std::string percentile_label(double p);
// A figure's value with its unit: "0.998 ms", "1,845 msgs/s", "236.2 KiB" (a unit of "B" is
// shown in KiB, MiB ... past 1,023 bytes), "0.992" (no unit).
std::string value_text(double v, const std::string& unit);
// "≤ 100 ms" or "≥ 1,000 msgs/s", as value_text() prints the unit ("—" without a budget).
std::string budget_text(const Figure& f);
// "ok", "OVER" (above an upper budget) or "UNDER" (below a floor); "—" without a budget.
const char* check_text(const Figure& f);

// Terminal/plain-text lines, shared by summary() and the JUnit details.
std::string figure_line(const Figure& f);               // name, value unit, budget: ok/OVER
std::string invariant_lines(const InvariantResult& i);  // "ok   name (0)" + indented examples
std::string machine_text(const MachineInfo& m);         // "cpu, 2 cores, 7.8 GiB, os"
std::string window_text(const FaultWindow& w);          // "label: 5 s – 10 s"
std::string span_text(double from_s, double to_s);      // "5 s – 10 s"

// `s` as valid UTF-8: every malformed sequence becomes U+FFFD. Model strings are bytes from the
// engine (payload excerpts, ids); every writer passes them through this or xml_escape().
std::string valid_utf8(std::string_view s);
// For XML 1.0 and HTML text and attributes: escapes & < > " ', drops the code points XML 1.0
// forbids (controls other than tab, newline, carriage return; U+FFFE, U+FFFF) and repairs UTF-8.
std::string xml_escape(std::string_view s);

std::string lower(std::string_view s);  // ASCII only
std::string join(const std::vector<std::string>& parts, std::string_view sep);

}  // namespace iris::sim::reporting
