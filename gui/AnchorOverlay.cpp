#include "gui/AnchorOverlay.h"

#include "gui/PointCloudViewport.h"
#include "gui/TokenizationColors.h"
#include "gui/VtkPointArrays.h"

#include <vtkCellArray.h>
#include <vtkPoints.h>
#include <vtkProperty.h>
#include <vtkRenderer.h>


namespace s4::gui {

AnchorOverlay::AnchorOverlay(PointCloudViewport* viewport)
    : viewport_(viewport), renderer_(viewport->renderer()) {
    mapper_->SetInputData(polyData_);
    mapper_->ScalarVisibilityOff();
    actor_->SetMapper(mapper_);
    vtkProperty* property = actor_->GetProperty();
    property->SetRepresentationToPoints();
    property->LightingOff();
    property->SetColor(kAnchorColor[0] / 255.0, kAnchorColor[1] / 255.0, kAnchorColor[2] / 255.0);
    // Round glyphs read as markers rather than as part of the cloud.
    property->RenderPointsAsSpheresOn();
    property->SetPointSize(9.0f);
    actor_->VisibilityOff();
    // Drawn after the cloud; glyphs sit on their own points, which may hide them from some angles.
    renderer_->AddActor(actor_);
}

AnchorOverlay::~AnchorOverlay() {
    renderer_->RemoveActor(actor_);
}

void AnchorOverlay::setAnchors(const std::vector<Eigen::Vector3f>& positions) {
    polyData_->Initialize();
    polyData_->SetPoints(packedPoints(positions));
    polyData_->SetVerts(vertexCells(static_cast<vtkIdType>(positions.size())));
    polyData_->Modified();
    count_ = positions.size();
    refresh();
}

void AnchorOverlay::setVisible(bool visible) {
    visible_ = visible;
    refresh();
}

void AnchorOverlay::setGlyphSize(float pixels) {
    actor_->GetProperty()->SetPointSize(pixels);
    refresh();
}

void AnchorOverlay::setColor(std::uint8_t r, std::uint8_t g, std::uint8_t b) {
    actor_->GetProperty()->SetColor(r / 255.0, g / 255.0, b / 255.0);
    refresh();
}

void AnchorOverlay::refresh() {
    actor_->SetVisibility(visible_ && count_ > 0);
    if (viewport_) viewport_->update();
}

}  // namespace s4::gui
