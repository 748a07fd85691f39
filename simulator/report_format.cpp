#include "simulator/report_format.h"

#include <fmt/format.h>

#include <array>
#include <cmath>

namespace iris::sim::reporting {

namespace {

constexpr char32_t kMalformed = 0xFFFFFFFF;
constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

struct CodePoint {
  char32_t value;
  std::size_t length;  // bytes consumed: 1 for a malformed byte, so decoding always advances
};

// One UTF-8 sequence at s[i]; overlong forms, surrogates and values past U+10FFFF are malformed.
CodePoint decode(std::string_view s, std::size_t i) {
  const auto lead = static_cast<unsigned char>(s[i]);
  if (lead < 0x80) return {lead, 1};
  const std::size_t n = lead >= 0xF8   ? 0
                        : lead >= 0xF0 ? 4
                        : lead >= 0xE0 ? 3
                        : lead >= 0xC0 ? 2
                                       : 0;
  if (n == 0 || i + n > s.size()) return {kMalformed, 1};
  char32_t cp = lead & (0x7F >> n);
  for (std::size_t k = 1; k < n; ++k) {
    const auto c = static_cast<unsigned char>(s[i + k]);
    if ((c & 0xC0) != 0x80) return {kMalformed, 1};
    cp = (cp << 6) | (c & 0x3F);
  }
  constexpr std::array<char32_t, 5> kShortest = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kShortest[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return {kMalformed, 1};
  return {cp, n};
}

// Calls emit(code point, its bytes, out) for each well-formed sequence; malformed bytes become
// U+FFFD.
template <typename Emit>
std::string transcode(std::string_view s, Emit emit) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    const CodePoint cp = decode(s, i);
    if (cp.value == kMalformed) {
      out += kReplacement;
    } else {
      emit(cp.value, s.substr(i, cp.length), out);
    }
    i += cp.length;
  }
  return out;
}

bool allowed_in_xml(char32_t cp) {
  if (cp < 0x20) return cp == '\t' || cp == '\n' || cp == '\r';
  return cp != 0xFFFE && cp != 0xFFFF;
}

// "-1234567" -> "-1,234,567".
std::string group_thousands(std::string digits) {
  const std::size_t first = digits.starts_with('-') ? 1 : 0;
  for (std::size_t i = digits.size(); i > first + 3; i -= 3) digits.insert(i - 3, ",");
  return digits;
}

std::string trim_zeros(std::string s) {
  if (s.find('.') == std::string::npos) return s;
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s;
}

}  // namespace

std::string number(double v) {
  if (!std::isfinite(v)) return "n/a";
  const double a = std::fabs(v);
  if (a == 0) return "0";
  if (a >= 1e15) return fmt::format("{:.3g}", v);
  if (a >= 999.995) return group_thousands(std::to_string(std::llround(v)));
  if (a >= 1) return trim_zeros(fmt::format("{:.2f}", v));
  if (a < 1e-9) return fmt::format("{:.3g}", v);
  // Three significant digits without an exponent: 0.00123, 0.000002.
  const int decimals = 2 - static_cast<int>(std::floor(std::log10(a)));
  return trim_zeros(fmt::format("{:.{}f}", v, decimals));
}

std::string fixed(double v, int decimals) {
  return std::isfinite(v) ? fmt::format("{:.{}f}", v, decimals) : "0";
}

std::string count(std::uint64_t n) {
  return group_thousands(std::to_string(n));
}

std::string bytes(std::uint64_t n) {
  if (n < 1024) return std::to_string(n) + " B";
  constexpr std::array<const char*, 4> kUnits = {"KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(n) / 1024;
  std::size_t unit = 0;
  while (v >= 1024 && unit + 1 < kUnits.size()) {
    v /= 1024;
    ++unit;
  }
  return fmt::format("{:.1f} {}", v, kUnits[unit]);
}

std::string hex_hash(std::uint64_t hash) {
  return fmt::format("{:016x}", hash);
}

const char* verdict(bool pass) {
  return pass ? "PASS" : "FAIL";
}

std::string percentile_label(double p) {
  if (!std::isfinite(p)) return "n/a";
  if (p >= 1) return "max";
  return "p" + trim_zeros(fmt::format("{:.4f}", p * 100));
}

std::string value_text(double v, const std::string& unit) {
  if (unit == "B" && std::isfinite(v) && v >= 1024 && v < 1e18) {
    return bytes(static_cast<std::uint64_t>(std::llround(v)));
  }
  return unit.empty() ? number(v) : number(v) + " " + unit;
}

std::string budget_text(const Figure& f) {
  if (!f.budget) return "—";
  return (f.bound == Figure::Bound::kAtMost ? "≤ " : "≥ ") + value_text(*f.budget, f.unit);
}

const char* check_text(const Figure& f) {
  if (!f.budget) return "—";
  if (f.ok()) return "ok";
  return f.bound == Figure::Bound::kAtMost ? "OVER" : "UNDER";
}

std::string figure_line(const Figure& f) {
  std::string line = fmt::format("  {:<24} {:>12} {:<8}", f.name, number(f.value), f.unit);
  if (!f.budget) return line.erase(line.find_last_not_of(' ') + 1);
  const char* kind = f.bound == Figure::Bound::kAtMost ? "budget" : "floor";
  return line + fmt::format(" ({} {} {}: {})", kind, number(*f.budget), f.unit, check_text(f));
}

std::string invariant_lines(const InvariantResult& i) {
  std::string s =
      fmt::format("  {:<5}{} ({})\n", i.ok() ? "ok" : "FAIL", i.name, count(i.violations));
  for (const auto& e : i.examples) s += "         " + e + "\n";
  return s;
}

std::string machine_text(const MachineInfo& m) {
  std::vector<std::string> parts;
  parts.push_back(m.cpu.empty() ? "unknown CPU" : m.cpu);
  if (m.cores > 0) parts.push_back(fmt::format("{} cores", m.cores));
  if (m.memory_bytes > 0) parts.push_back(bytes(m.memory_bytes) + " RAM");
  if (!m.os.empty()) parts.push_back(m.os);
  return join(parts, ", ");
}

std::string window_text(const FaultWindow& w) {
  return w.label + ": " + span_text(w.from_s, w.to_s);
}

std::string span_text(double from_s, double to_s) {
  return fmt::format("{} s – {} s", number(from_s), number(to_s));
}

std::string valid_utf8(std::string_view s) {
  return transcode(s, [](char32_t, std::string_view seq, std::string& out) { out += seq; });
}

std::string xml_escape(std::string_view s) {
  return transcode(s, [](char32_t cp, std::string_view seq, std::string& out) {
    switch (cp) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        if (allowed_in_xml(cp)) out += seq;
    }
  });
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += sep;
    out += parts[i];
  }
  return out;
}

}  // namespace iris::sim::reporting
