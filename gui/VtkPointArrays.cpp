#include "gui/VtkPointArrays.h"

#include <vtkCellArray.h>
#include <vtkFloatArray.h>
#include <vtkIdTypeArray.h>
#include <vtkNew.h>
#include <vtkPoints.h>

#include <cstring>

namespace s4::gui {

vtkSmartPointer<vtkPoints> packedPoints(const std::vector<Eigen::Vector3f>& positions) {
    static_assert(sizeof(Eigen::Vector3f) == 3 * sizeof(float), "positions must be packed xyz");
    auto points = vtkSmartPointer<vtkPoints>::New();
    points->SetDataTypeToFloat();
    points->SetNumberOfPoints(static_cast<vtkIdType>(positions.size()));
    if (!positions.empty()) {
        auto* coords = vtkFloatArray::SafeDownCast(points->GetData());
        std::memcpy(coords->GetPointer(0), positions.data(), positions.size() * sizeof(Eigen::Vector3f));
    }
    return points;
}

vtkSmartPointer<vtkCellArray> vertexCells(vtkIdType n) {
    vtkNew<vtkIdTypeArray> offsets, connectivity;
    offsets->SetNumberOfValues(n + 1);
    connectivity->SetNumberOfValues(n);
    for (vtkIdType i = 0; i < n; ++i) {
        offsets->SetValue(i, i);
        connectivity->SetValue(i, i);
    }
    offsets->SetValue(n, n);
    auto verts = vtkSmartPointer<vtkCellArray>::New();
    verts->SetData(offsets, connectivity);
    return verts;
}

} // namespace s4::gui
