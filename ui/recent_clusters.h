#pragma once
// The clusters an operator opened lately, newest first, kept in QSettings ("clusters/recent") for
// File > Recent clusters. An entry is a spec string: "sim:?nodes=5&seed=42&users=200" for an
// embedded simulated cluster (the seed replays its run), "attach:?nodes=h:p,h:p&tls=0" for real
// nodes. Tokens never go in a spec.

#include <QString>
#include <QStringList>
#include <optional>

#include "ui/embedded_source.h"
#include "ui/remote_source.h"

namespace iris::ui {

class RecentClusters {
 public:
  static constexpr int kMax = 8;

  static QStringList load();
  // Puts `spec` first (once), keeps at most kMax.
  static void add(const QString& spec);
  static void clear();

  // What the menu shows: "5 nodes · seed 42 · 200 users".
  static QString label(const QString& spec);

  static QString simulatedSpec(const EmbeddedOptions& options);
  // The options of a simulated spec, the rest (rate, mix) from `base`; empty if it is not one or
  // its figures are out of range.
  static std::optional<EmbeddedOptions> parseSimulated(const QString& spec,
                                                       const EmbeddedOptions& base);
  // The nodes, TLS and CA of an "attach:?nodes=h:p,h:p&tls=1" spec (RemoteSource::spec()); never
  // a token.
  static std::optional<RemoteOptions> parseAttach(const QString& spec);
};

}  // namespace iris::ui
