#pragma once
// The console's languages: English (the source text) plus the translations in translations/,
// compiled to .qm by the build and embedded under :/i18n/. The choice is a preference
// ("ui/language" in QSettings; empty: the system's language) applied at start.

#include <QCoreApplication>
#include <QString>
#include <utility>
#include <vector>

namespace iris::ui {

// Language code and the language's own name (shown untranslated, so anyone finds theirs).
std::vector<std::pair<QString, QString>> languages();

// Installs the translator for `code` ("de", "zh_CN"; empty: the system's language). Returns
// the language in use ("en" when no translation applies).
QString install_translation(QCoreApplication& app, const QString& code);

}  // namespace iris::ui
