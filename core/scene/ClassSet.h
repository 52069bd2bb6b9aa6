#pragma once
// Named class sets (ScanNet 20, S3DIS 13, ShapeNetPart parts, ModelNet40, SemanticKITTI, NYU40): the
// label ids a dataset stores, their display names and the text used to prompt CLIP for them.

#include <filesystem>
#include <string>
#include <vector>

namespace s4 {

struct ClassInfo {
    int id = 0;              ///< the id stored in label files
    std::string name;        ///< display name
    std::string prompt;      ///< words used in prompt templates ("other furniture")
    std::string category;    ///< ShapeNetPart object category, empty elsewhere
};

struct ClassSet {
    std::string name;
    std::string description;
    int ignoreId = -1;       ///< label id that means "unannotated" (-1: none)
    std::vector<ClassInfo> classes;

    /// The class with this id, or nullptr.
    const ClassInfo* byId(int id) const;
    /// Classes of one ShapeNetPart category (case-insensitive), empty if unknown.
    std::vector<ClassInfo> category(const std::string& categoryName) const;
};

/// Names of the class sets shipped in resources/classes ("scannet20", "s3dis13", ...).
std::vector<std::string> builtinClassSetNames();
/// A shipped class set by name. Throws s4::InvalidArgument for an unknown name.
ClassSet builtinClassSet(const std::string& name);
/// Reads a class set: a .json file in the shipped format, or a text file with one class per line,
/// either "name" (ids 0, 1, ...) or "id name...". Throws s4::IoError with file and line.
ClassSet loadClassSet(const std::filesystem::path& path);
/// builtinClassSet(nameOrPath) if it names a shipped set, else loadClassSet(nameOrPath).
ClassSet resolveClassSet(const std::string& nameOrPath);

} // namespace s4
