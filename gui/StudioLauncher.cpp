#include "gui/StudioLauncher.h"

#include <QApplication>
#include <QMainWindow>

namespace s4::gui {

int runStudio(int& argc, char** argv, const StudioOptions& options) {
    QApplication app(argc, argv);
    QMainWindow window;
    window.setWindowTitle("S4Studio");
    window.show();
    return app.exec();
}

} // namespace s4::gui
