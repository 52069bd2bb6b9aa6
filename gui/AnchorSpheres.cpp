#include "gui/AnchorSpheres.h"

#include "gui/PointCloudViewport.h"
#include "gui/TokenizationColors.h"
#include "gui/VtkPointArrays.h"

#include <vtkPoints.h>
#include <vtkProperty.h>


namespace s4::gui {

AnchorSpheres::AnchorSpheres(PointCloudViewport* viewport)
    : viewport_(viewport), renderer_(viewport->renderer()) {
    // One sphere of radius r, instanced at every centre: 12 × 8 facets read as round at patch sizes
    // and keep 1024 wireframe spheres at ~100k line segments.
    sphere_->SetRadius(1.0);
    sphere_->SetThetaResolution(12);
    sphere_->SetPhiResolution(8);
    mapper_->SetSourceConnection(sphere_->GetOutputPort());
    mapper_->SetInputData(centres_);
    mapper_->ScalingOff();  // one radius for all: the actor's scale would also move the centres
    mapper_->ScalarVisibilityOff();
    mapper_->OrientOff();
    actor_->SetMapper(mapper_);
    vtkProperty* property = actor_->GetProperty();
    property->SetRepresentationToWireframe();
    property->LightingOff();
    // A paler shade of the anchor red: the spheres frame the red anchors without hiding the cloud.
    property->SetColor(kAnchorColor[0] / 255.0, (kAnchorColor[1] + 110) / 255.0, (kAnchorColor[2] + 110) / 255.0);
    property->SetLineWidth(1.0f);
    actor_->VisibilityOff();
    renderer_->AddActor(actor_);
}

AnchorSpheres::~AnchorSpheres() {
    renderer_->RemoveActor(actor_);
}

void AnchorSpheres::setSpheres(const std::vector<Eigen::Vector3f>& centres, double radius) {
    centres_->Initialize();
    centres_->SetPoints(packedPoints(centres));  // the glyph mapper needs points only, no cells
    centres_->Modified();
    count_ = centres.size();
    radius_ = radius;
    sphere_->SetRadius(radius > 0 ? radius : 1.0);
    refresh();
}

void AnchorSpheres::setVisible(bool visible) {
    visible_ = visible;
    refresh();
}

bool AnchorSpheres::isDrawn() const {
    return actor_->GetVisibility() != 0;
}

void AnchorSpheres::refresh() {
    actor_->SetVisibility(visible_ && count_ > 0 && radius_ > 0);
    if (viewport_) viewport_->update();
}

}  // namespace s4::gui
