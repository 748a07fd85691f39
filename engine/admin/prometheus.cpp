#include "engine/admin/prometheus.h"

#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace iris::admin {

namespace {

// Help text escapes backslash and newline; label values also the double quote.
void escape(std::string& out, std::string_view s, bool quote) {
  for (char c : s) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (quote && c == '"') {
      out += "\\\"";
    } else {
      out += c;
    }
  }
}

void number(std::string& out, double v) {
  if (std::isnan(v)) {
    out += "NaN";
  } else if (std::isinf(v)) {
    out += v > 0 ? "+Inf" : "-Inf";
  } else if (v == std::floor(v) && std::abs(v) < 1e15) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.0f", v);
    out += buf;
  } else {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.9g", v);
    out += buf;
  }
}

}  // namespace

bool PrometheusText::valid_name(std::string_view name) {
  if (name.empty()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
    if (!letter && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

void PrometheusText::family(std::string_view name, std::string_view help, const char* type) {
  if (!valid_name(name)) throw std::invalid_argument("bad metric name " + std::string(name));
  if (current_ == name) return;
  current_ = std::string(name);
  out_ += "# HELP ";
  out_ += name;
  out_ += ' ';
  escape(out_, help, false);
  out_ += "\n# TYPE ";
  out_ += name;
  out_ += ' ';
  out_ += type;
  out_ += '\n';
}

void PrometheusText::sample(std::string_view name, const Labels& labels, double value) {
  out_ += name;
  if (!labels.empty()) {
    out_ += '{';
    for (std::size_t i = 0; i < labels.size(); ++i) {
      if (!valid_name(labels[i].first) || labels[i].first.find(':') != std::string::npos)
        throw std::invalid_argument("bad label name " + labels[i].first);
      if (i) out_ += ',';
      out_ += labels[i].first;
      out_ += "=\"";
      escape(out_, labels[i].second, true);
      out_ += '"';
    }
    out_ += '}';
  }
  out_ += ' ';
  number(out_, value);
  out_ += '\n';
}

void PrometheusText::counter(std::string_view name, std::string_view help, double value,
                             const Labels& labels) {
  family(name, help, "counter");
  sample(name, labels, value);
}

void PrometheusText::gauge(std::string_view name, std::string_view help, double value,
                           const Labels& labels) {
  family(name, help, "gauge");
  sample(name, labels, value);
}

void PrometheusText::summary(std::string_view name, std::string_view help,
                             const std::vector<std::pair<double, double>>& quantiles, double sum,
                             std::uint64_t count, const Labels& labels) {
  family(name, help, "summary");
  for (const auto& [q, v] : quantiles) {
    Labels l = labels;
    std::string qs;
    number(qs, q);
    l.emplace_back("quantile", qs);
    sample(name, l, v);
  }
  sample(std::string(name) + "_sum", labels, sum);
  sample(std::string(name) + "_count", labels, static_cast<double>(count));
}

}  // namespace iris::admin
