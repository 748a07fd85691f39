#include "simulator/report.h"

#include <fmt/format.h>
#include <sys/utsname.h>

#include <charconv>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string_view>
#include <thread>

#include "engine/common/atomic_file.h"
#include "simulator/report_format.h"

namespace iris::sim {

namespace {

using reporting::lower;

std::string_view trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\"");
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(" \t\"") - first + 1);
}

// The value of the first "key<separator>value" line of a file such as /proc/cpuinfo ("model
// name\t: ...") or /etc/os-release ("PRETTY_NAME=\"...\""), quotes and blanks trimmed.
std::optional<std::string> field(const char* path, std::string_view key, char separator) {
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    const auto at = line.find(separator);
    if (at != std::string::npos && trim(std::string_view(line).substr(0, at)) == key) {
      return std::string(trim(std::string_view(line).substr(at + 1)));
    }
  }
  return std::nullopt;
}

unsigned cpuinfo_processors() {
  std::ifstream in("/proc/cpuinfo");
  unsigned n = 0;
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("processor")) ++n;
  }
  return n;
}

std::uint64_t memory_total_bytes() {
  const auto kb = field("/proc/meminfo", "MemTotal", ':');  // "16318424 kB"
  std::uint64_t value = 0;
  if (kb) std::from_chars(kb->data(), kb->data() + kb->size(), value);
  return value * 1024;
}

std::string os_text() {
  std::string os;
  if (utsname u{}; ::uname(&u) == 0) os = std::string(u.sysname) + " " + u.release;
  if (auto pretty = field("/etc/os-release", "PRETTY_NAME", '=')) {
    os += (os.empty() ? "" : ", ") + *pretty;
  }
  return os;
}

using Writer = std::string (*)(const FireReport&);

Writer writer_for(const std::string& extension) {
  const std::string ext = lower(extension);
  if (ext == ".json") return [](const FireReport& r) { return to_json(r); };
  if (ext == ".md") return &to_markdown;
  if (ext == ".html") return &to_html;
  if (ext == ".xml") return &to_junit;
  return nullptr;
}

}  // namespace

MachineInfo this_machine() {
  MachineInfo m;
  m.cpu = field("/proc/cpuinfo", "model name", ':').value_or("");
  m.cores = std::thread::hardware_concurrency();
  if (m.cores == 0) m.cores = cpuinfo_processors();
  m.memory_bytes = memory_total_bytes();
  m.os = os_text();
  return m;
}

std::string write_report(const FireReport& report, const std::string& path) {
  const std::string ext = std::filesystem::path(path).extension().string();
  const Writer writer = writer_for(ext);
  if (writer == nullptr) return "unknown report format '" + ext + "' (use .json .md .html .xml)";
  if (Status s = write_file_atomically(path, writer(report)); !s) {
    return "cannot write the report: " + s.message();
  }
  return "";
}

std::string summary(const ScenarioResult& r) {
  using namespace reporting;
  std::string s = fmt::format("{} {} (seed {}): {}\n", r.id, r.name, r.seed,
                              r.pass || r.reason.empty() ? verdict(r.pass) : "FAIL — " + r.reason);
  for (const auto& i : r.invariants) s += invariant_lines(i);
  for (const auto& f : r.figures) s += figure_line(f) + "\n";
  s += fmt::format("  trace {}, {} events, {} s virtual in {} s real\n", hex_hash(r.trace_hash),
                   count(r.events), number(r.virtual_seconds), number(r.real_seconds));
  return s + "  replay: " + r.replay + "\n";
}

}  // namespace iris::sim
