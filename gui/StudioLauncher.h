#pragma once
// Entry point of the studio window, called by app/main.cpp after argument parsing.

#include <string>

namespace s4::gui {

struct StudioOptions {
    std::string openFile;             ///< scene to open at start (empty: the bundled sample scene)
    std::string view;                 ///< initial colour/layer mode, e.g. "rgb", "superpoints"
    std::string screenshot;           ///< PNG path to save once the scene is shown
    bool exitAfterScreenshot = false; ///< quit after saving the screenshot
};

/// Creates the QApplication and the main window, runs the event loop, returns the exit code.
int runStudio(int& argc, char** argv, const StudioOptions& options);

} // namespace s4::gui
