#include "gui/ColorSwatch.h"

#include <QColor>
#include <QPainter>
#include <QPixmap>

namespace s4::gui {

QIcon colorSwatch(const Rgb8& c) {
    QPixmap pixmap(14, 14);
    pixmap.fill(QColor(c[0], c[1], c[2]));
    QPainter painter(&pixmap);
    painter.setPen(QColor(0, 0, 0, 90));
    painter.drawRect(0, 0, 13, 13);
    return QIcon(pixmap);
}

}  // namespace s4::gui
