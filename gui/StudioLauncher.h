#pragma once
// Entry point of the studio window, called by app/main.cpp after argument parsing.

#include <limits>
#include <string>

namespace s4::gui {

struct StudioOptions {
    std::string openFile;              ///< scene to open at start (empty: the bundled sample scene)
    std::string view;                  ///< initial colour mode ("rgb", ...) or tokenization layer
                                       ///< ("superpoints", "anchors", "patches"), or "sweep":
                                       ///< the γ sweep window (its screenshot shows that window),
                                       ///< or "prompts": the Prompts panel in front
    std::string screenshot;            ///< PNG path to save once the scene is shown
    bool exitAfterScreenshot = false;  ///< quit after saving the screenshot (or after the scene is shown)
    /// WFPS γ of the tokenization panel in [0, 1]; NaN keeps the panel's default.
    double gamma = std::numeric_limits<double>::quiet_NaN();
    std::string tokenizer;  ///< "knn", "ball" or "s4token"; empty keeps the panel's default
};

/// Creates the QApplication and the main window, runs the event loop, returns the exit code:
/// 0 on success, 1 if the scene or the screenshot failed in a scripted (--exit) run, 2 for bad
/// options or no display.
int runStudio(int& argc, char** argv, const StudioOptions& options);

/// Process set-up the viewport needs before any QApplication exists: QT_QPA_PLATFORM=xcb unless the
/// user chose a platform (Debian's VTK renders through GLX only), and the default OpenGL surface
/// format (3.2 core, RGBA8, no multisampling). Tests call it too.
void prepareGuiEnvironment();

}  // namespace s4::gui
