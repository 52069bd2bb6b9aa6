#pragma once
// The bundled sample scene (resources/scenes/sample_room.ply, Open3D test data, MIT) that s4studio
// opens when no file is given.

#include <QString>

namespace s4::gui {

/// A readable file path of the sample scene, or an empty string (with a logged error) if it could
/// not be provided.
QString sampleScenePath();

/// The resource path of the sample scene and of its licence text, inside the executable.
inline constexpr const char* kSampleSceneResource = ":/s4studio/scenes/sample_room.ply";
inline constexpr const char* kSampleLicenseResource = ":/s4studio/scenes/LICENSE_Open3D_test_data";

}  // namespace s4::gui
