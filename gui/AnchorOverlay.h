#pragma once
// Anchors (sampled patch centres) drawn over the point cloud as larger glyph points: a second VTK actor
// in the viewport's renderer, with its own point size and one colour, shown or hidden on its own.

#include <Eigen/Core>

#include <vtkActor.h>
#include <vtkNew.h>
#include <vtkPolyData.h>
#include <vtkPolyDataMapper.h>
#include <vtkRenderer.h>
#include <vtkSmartPointer.h>

#include <QPointer>

#include <cstdint>
#include <vector>

namespace s4::gui {

class PointCloudViewport;

class AnchorOverlay {
public:
    /// Adds the (empty, hidden) actor to the viewport's renderer.
    explicit AnchorOverlay(PointCloudViewport* viewport);
    ~AnchorOverlay();
    AnchorOverlay(const AnchorOverlay&) = delete;
    AnchorOverlay& operator=(const AnchorOverlay&) = delete;

    /// Replaces the glyph positions (empty: nothing to draw).
    void setAnchors(const std::vector<Eigen::Vector3f>& positions);
    void setVisible(bool visible);
    bool isVisible() const { return visible_; }
    std::size_t anchorCount() const { return count_; }
    /// Glyph size in pixels.
    void setGlyphSize(float pixels);
    /// Glyph colour (default kAnchorColor); other markers (the picked point) reuse the overlay.
    void setColor(std::uint8_t r, std::uint8_t g, std::uint8_t b);
    /// The glyph positions (for tests and for re-projecting).
    vtkPolyData* polyData() const { return polyData_.GetPointer(); }

private:
    void refresh();

    QPointer<PointCloudViewport> viewport_;  ///< may be destroyed first (sibling widgets)
    vtkSmartPointer<vtkRenderer> renderer_;  ///< held so removing the actor stays safe
    vtkNew<vtkPolyData> polyData_;
    vtkNew<vtkPolyDataMapper> mapper_;
    vtkNew<vtkActor> actor_;
    bool visible_ = false;
    std::size_t count_ = 0;
};

}  // namespace s4::gui
