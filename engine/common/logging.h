#pragma once
// Logging setup (spdlog) and structured events. Text mode: readable lines with key=value fields.
// JSON mode: one JSON object per line; event() fields become JSON members, so session and message
// ids are queryable. Call setup_logging() once at start-up, before other threads log.

#include <spdlog/spdlog.h>

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace iris::logging {

enum class Format { kText, kJson };

// level: trace, debug, info, warn, error, off. Returns false on an unknown level name.
bool setup_logging(Format format, std::string_view level);

using Field = std::pair<std::string_view, std::string>;

// Builds the message for a structured event in the current format.
std::string event_message(std::string_view event, std::initializer_list<Field> fields);

inline void event(spdlog::level::level_enum level, std::string_view name,
                  std::initializer_list<Field> fields) {
  if (spdlog::should_log(level)) spdlog::log(level, "{}", event_message(name, fields));
}

std::string json_escape(std::string_view s);

}  // namespace iris::logging
