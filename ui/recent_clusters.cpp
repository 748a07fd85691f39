#include "ui/recent_clusters.h"

#include <QCoreApplication>
#include <QSettings>
#include <QUrl>
#include <QUrlQuery>

namespace iris::ui {

namespace {
constexpr auto kKey = "clusters/recent";
constexpr auto kSimPrefix = "sim:";
}  // namespace

QStringList RecentClusters::load() {
  QStringList list = QSettings().value(kKey).toStringList();
  list.removeAll(QString());
  while (list.size() > kMax) list.removeLast();
  return list;
}

void RecentClusters::add(const QString& spec) {
  if (spec.isEmpty()) return;
  QStringList list = load();
  list.removeAll(spec);
  list.prepend(spec);
  while (list.size() > kMax) list.removeLast();
  QSettings().setValue(kKey, list);
}

void RecentClusters::clear() {
  QSettings().remove(kKey);
}

QString RecentClusters::simulatedSpec(const EmbeddedOptions& o) {
  QUrlQuery q;
  q.addQueryItem(QStringLiteral("nodes"), QString::number(o.nodes));
  q.addQueryItem(QStringLiteral("seed"), QString::number(o.seed));
  q.addQueryItem(QStringLiteral("users"), QString::number(o.workload.users));
  return QLatin1String(kSimPrefix) + QLatin1Char('?') + q.toString();
}

std::optional<EmbeddedOptions> RecentClusters::parseSimulated(const QString& spec,
                                                              const EmbeddedOptions& base) {
  if (!spec.startsWith(QLatin1String(kSimPrefix) + QLatin1Char('?'))) return std::nullopt;
  const QUrlQuery q(spec.mid(static_cast<int>(qstrlen(kSimPrefix)) + 1));
  bool ok_nodes = false, ok_seed = false, ok_users = false;
  const uint nodes = q.queryItemValue(QStringLiteral("nodes")).toUInt(&ok_nodes);
  const qulonglong seed = q.queryItemValue(QStringLiteral("seed")).toULongLong(&ok_seed);
  const uint users = q.queryItemValue(QStringLiteral("users")).toUInt(&ok_users);
  // The ranges of the "New simulated cluster" dialog.
  if (!ok_nodes || !ok_seed || !ok_users || nodes < 1 || nodes > 200 || seed < 1 || users < 2 ||
      users > 1'000'000) {
    return std::nullopt;
  }
  EmbeddedOptions o = base;
  o.nodes = nodes;
  o.seed = seed;
  o.workload.users = users;
  return o;
}

std::optional<RemoteOptions> RecentClusters::parseAttach(const QString& spec) {
  if (!spec.startsWith(QLatin1String("attach:?"))) return std::nullopt;
  const QUrlQuery q(spec.mid(8));
  RemoteOptions o;
  for (const QString& a : q.queryItemValue(QStringLiteral("nodes"), QUrl::FullyDecoded)
                              .split(QLatin1Char(','), Qt::SkipEmptyParts)) {
    o.nodes << a.trimmed();
  }
  if (o.nodes.isEmpty()) return std::nullopt;
  o.tls = q.queryItemValue(QStringLiteral("tls")) == QLatin1String("1");
  o.ca_file = q.queryItemValue(QStringLiteral("ca"), QUrl::FullyDecoded);
  return o;
}

QString RecentClusters::label(const QString& spec) {
  if (auto a = parseAttach(spec)) {
    return QCoreApplication::translate("iris::ui::RecentClusters", "Attached: %1%2")
        .arg(a->nodes.join(QStringLiteral(", ")), a->tls ? QStringLiteral(" (TLS)") : QString());
  }
  if (auto o = parseSimulated(spec, EmbeddedOptions{})) {
    return QCoreApplication::translate("iris::ui::RecentClusters",
                                       "Simulated: %1 nodes · seed %2 · %3 users")
        .arg(o->nodes)
        .arg(o->seed)
        .arg(o->workload.users);
  }
  return spec;
}

}  // namespace iris::ui
