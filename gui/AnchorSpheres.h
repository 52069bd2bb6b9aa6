#pragma once
// Spheres of the grouping radius r around every anchor, drawn as wireframes over the cloud so the
// patch extent can be judged. One vtkGlyph3DMapper instances a single low-resolution sphere at all
// anchors (1024 anchors cost one draw call), so toggling or moving them stays cheap.

#include <Eigen/Core>

#include <vtkActor.h>
#include <vtkGlyph3DMapper.h>
#include <vtkNew.h>
#include <vtkPolyData.h>
#include <vtkRenderer.h>
#include <vtkSmartPointer.h>
#include <vtkSphereSource.h>

#include <QPointer>

#include <vector>

namespace s4::gui {

class PointCloudViewport;

class AnchorSpheres {
public:
    /// Adds the (empty, hidden) actor to the viewport's renderer.
    explicit AnchorSpheres(PointCloudViewport* viewport);
    ~AnchorSpheres();
    AnchorSpheres(const AnchorSpheres&) = delete;
    AnchorSpheres& operator=(const AnchorSpheres&) = delete;

    /// Sphere centres and their common radius (world units); empty or radius <= 0 draws nothing.
    void setSpheres(const std::vector<Eigen::Vector3f>& centres, double radius);
    void setVisible(bool visible);
    bool isVisible() const { return visible_; }
    /// True when spheres are actually drawn (visible, some centres, positive radius).
    bool isDrawn() const;
    std::size_t sphereCount() const { return count_; }
    double radius() const { return radius_; }
    /// The glyph input (one point per sphere) and the mapper, for tests.
    vtkPolyData* centres() const { return centres_.GetPointer(); }
    vtkGlyph3DMapper* mapper() const { return mapper_.GetPointer(); }

private:
    void refresh();

    QPointer<PointCloudViewport> viewport_;
    vtkSmartPointer<vtkRenderer> renderer_;
    vtkNew<vtkSphereSource> sphere_;
    vtkNew<vtkPolyData> centres_;
    vtkNew<vtkGlyph3DMapper> mapper_;
    vtkNew<vtkActor> actor_;
    bool visible_ = false;
    std::size_t count_ = 0;
    double radius_ = 0.0;
};

}  // namespace s4::gui
