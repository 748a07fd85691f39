#include "engine/common/logging.h"

#include <spdlog/details/os.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>

#include <atomic>
#include <cstdio>
#include <mutex>

namespace iris::logging {
namespace {

std::atomic<bool> g_json{false};
constexpr char kFieldsMarker = '\x1e';  // message already holds JSON members

class JsonSink final : public spdlog::sinks::base_sink<std::mutex> {
 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t ts;
    formatter_->format(msg, ts);  // pattern is the timestamp only
    std::string_view text(msg.payload.data(), msg.payload.size());
    std::string line = "{\"ts\":\"" + std::string(ts.data(), ts.size()) + "\",\"level\":\"" +
                       std::string(spdlog::level::to_string_view(msg.level).data()) + "\"";
    if (!text.empty() && text.front() == kFieldsMarker) {
      line += ",";
      line += text.substr(1);
    } else {
      line += ",\"msg\":\"" + json_escape(text) + "\"";
    }
    line += "}\n";
    std::fwrite(line.data(), 1, line.size(), stderr);
  }
  void flush_() override { std::fflush(stderr); }
};

}  // namespace

std::string json_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 8);
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out;
}

bool setup_logging(Format format, std::string_view level) {
  auto lvl = spdlog::level::from_str(std::string(level));
  if (lvl == spdlog::level::off && level != "off") return false;
  g_json = format == Format::kJson;
  std::shared_ptr<spdlog::logger> logger;
  if (format == Format::kJson) {
    auto sink = std::make_shared<JsonSink>();
    logger = std::make_shared<spdlog::logger>("iris", sink);
    // The sink's formatter renders only the timestamp (UTC, no end-of-line).
    logger->set_formatter(std::make_unique<spdlog::pattern_formatter>(
        "%Y-%m-%dT%H:%M:%S.%fZ", spdlog::pattern_time_type::utc, ""));
  } else {
    logger = std::make_shared<spdlog::logger>(
        "iris", std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
    logger->set_pattern("%Y-%m-%d %H:%M:%S.%e %^%-5l%$ %v");
  }
  logger->set_level(lvl);
  logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(logger);
  return true;
}

std::string event_message(std::string_view event, std::initializer_list<Field> fields) {
  std::string m;
  if (g_json) {
    m += kFieldsMarker;
    m += "\"event\":\"" + json_escape(event) + "\"";
    for (const auto& [k, v] : fields) m += ",\"" + std::string(k) + "\":\"" + json_escape(v) + "\"";
  } else {
    m = std::string(event);
    for (const auto& [k, v] : fields) m += " " + std::string(k) + "=" + v;
  }
  return m;
}

}  // namespace iris::logging
