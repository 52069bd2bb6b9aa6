#pragma once
// Our positions as VTK arrays without per-point calls: the float32 xyz block copied in one go, and one
// vertex cell per point built directly as offset/connectivity arrays. Shared by the viewport and its
// overlays (anchors, radius spheres).

#include <Eigen/Core>

#include <vtkSmartPointer.h>
#include <vtkType.h>

#include <vector>

class vtkCellArray;
class vtkPoints;

namespace s4::gui {

/// float32 vtkPoints holding a copy of `positions`.
vtkSmartPointer<vtkPoints> packedPoints(const std::vector<Eigen::Vector3f>& positions);
/// One vertex cell per point 0..n-1.
vtkSmartPointer<vtkCellArray> vertexCells(vtkIdType n);

} // namespace s4::gui
