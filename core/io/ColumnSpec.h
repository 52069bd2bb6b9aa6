#pragma once
// What each column of a text point cloud means: parsed from an explicit spec ("x,y,z,r,g,b,label"),
// taken from a header line of names ("x y z red green blue", CloudCompare's "//X,Y,Z,R,G,B"), or
// guessed from the column count and the values (rules in guessColumnLayout below).

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace s4 {

enum class ColumnKind {
    X,
    Y,
    Z,
    Red,
    Green,
    Blue,
    NormalX,
    NormalY,
    NormalZ,
    Intensity,
    Label,
    Instance,
    Scalar,
    Skip
};

struct Column {
    ColumnKind kind = ColumnKind::Skip;
    std::string name;  ///< the scalar field's name for ColumnKind::Scalar; the canonical name otherwise
};

using ColumnLayout = std::vector<Column>;

/// The column a name stands for. Canonical names: x y z r g b nx ny nz intensity label instance skip;
/// case-insensitive aliases: red/green/blue, normal_x/normalx/n_x (and y, z), i/reflectance/remission,
/// class/classification/semantic, instance_id/object, "_" for skip. Any other name is a float scalar
/// field of that name (spaces replaced by '_').
Column columnFromName(std::string_view name);

/// Splits a column list: at commas, semicolons or tabs if the text has any (so CloudCompare's
/// "Scalar field" stays one name), otherwise at spaces.
std::vector<std::string> splitColumnNames(std::string_view text);

/// Layout of an explicit spec such as "x,y,z,r,g,b,label" or "x y z skip intensity".
/// Throws s4::InvalidArgument if layoutProblem() finds one.
ColumnLayout parseColumnSpec(std::string_view spec);

/// Why a layout cannot be used ("has no z column", "names 'r' twice", "has r but not g and b"), or
/// an empty string if it is fine.
std::string layoutProblem(const ColumnLayout& layout);

/// "x y z nx ny nz label": the layout as a spec string.
std::string describeLayout(const ColumnLayout& layout);

/// Facts about the values of one column, over every data row (non-finite values ignored).
struct ColumnProfile {
    bool integral = true;  ///< every finite value is a whole number
    double min = 0.0;
    double max = 0.0;
    bool anyFinite = false;
};

/// What the guess looks at: the column count, a leading point-count line (Open3D/Leica .pts), each
/// column's profile and, per column k, whether columns k, k+1, k+2 have unit length on every row.
struct TableProfile {
    std::size_t columns = 0;
    bool hasCountLine = false;
    std::vector<ColumnProfile> column;
    std::vector<bool> unitTripleAt;
};

/// True if a triple of columns looks like colours: integers in 0..255, or values in 0..1.
bool looksLikeColour(const ColumnProfile& a, const ColumnProfile& b, const ColumnProfile& c);

/// Guesses a layout from the values alone. Rules (columns are 1-based):
///  -  3: x y z
///  -  4: x y z intensity
///  -  6: x y z + T(4–6)
///  -  7: with a count line (Leica PTS) and colour-like 5–7: x y z intensity r g b; otherwise
///        x y z + T(4–6) + L(7)   (ShapeNetPart "x y z nx ny nz label")
///  -  9: x y z + T(4–6) + the other of rgb/normals for 7–9 (rgb first unless 4–6 are unit vectors)
///  - 10: the 9-column rule + L(10)
///  - any other count ≥ 3: x y z, then float scalar fields column_4, column_5, ...
/// T(k..k+2) = normals if every row is a unit vector (|n| within 0.02 of 1, or exactly 0), else rgb if
/// the values look like colours (integers 0..255 or floats in 0..1), else normals.
/// L(k) = label if every value is an integer in int32 range, else intensity.
ColumnLayout guessColumnLayout(const TableProfile& profile);

}  // namespace s4
