#include "ui/i18n.h"

#include <QLocale>
#include <QTranslator>

namespace iris::ui {

std::vector<std::pair<QString, QString>> languages() {
  return {{"en", "English"}, {"de", "Deutsch"}, {"zh_CN", QString::fromUtf8("简体中文")}};
}

QString install_translation(QCoreApplication& app, const QString& code) {
  const QLocale locale = code.isEmpty() ? QLocale::system() : QLocale(code);
  if (locale.language() == QLocale::English) return "en";
  auto* translator = new QTranslator(&app);
  // Tries iris_de_DE, then iris_de, ... under the embedded :/i18n/ folder.
  if (!translator->load(locale, "iris", "_", ":/i18n")) {
    delete translator;
    return "en";
  }
  QCoreApplication::installTranslator(translator);
  return translator->language();
}

}  // namespace iris::ui
