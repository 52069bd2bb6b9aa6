#include "core/io/PlyPropertyMapping.h"

#include "core/scene/AttributeArray.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

namespace s4 {
namespace {

std::string lower(const std::string& s) {
    std::string out = s;
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
    return out;
}

PlyRole roleOfName(const std::string& name) {
    static const std::map<std::string, PlyRole> kRoles = {
        {"x", PlyRole::X},
        {"y", PlyRole::Y},
        {"z", PlyRole::Z},
        {"red", PlyRole::Red},
        {"r", PlyRole::Red},
        {"diffuse_red", PlyRole::Red},
        {"green", PlyRole::Green},
        {"g", PlyRole::Green},
        {"diffuse_green", PlyRole::Green},
        {"blue", PlyRole::Blue},
        {"b", PlyRole::Blue},
        {"diffuse_blue", PlyRole::Blue},
        {"nx", PlyRole::NX},
        {"ny", PlyRole::NY},
        {"nz", PlyRole::NZ},
        {"normal_x", PlyRole::NX},
        {"normal_y", PlyRole::NY},
        {"normal_z", PlyRole::NZ},
        {"intensity", PlyRole::Intensity},
        {"scalar_intensity", PlyRole::Intensity},
        {"remission", PlyRole::Intensity},
        {"label", PlyRole::Label},
        {"class", PlyRole::Label},
        {"semantic", PlyRole::Label},
        {"scalar_label", PlyRole::Label},
        {"instance", PlyRole::Instance},
        {"instance_id", PlyRole::Instance},
        {"objectid", PlyRole::Instance},
        {"superpoint", PlyRole::Superpoint},
        {"segment", PlyRole::Superpoint},
    };
    const auto it = kRoles.find(lower(name));
    return it == kRoles.end() ? PlyRole::Generic : it->second;
}

// "feat_12" -> ("feat", 12); false if the name does not end in _<digits>.
bool splitIndexedName(const std::string& name, std::string& base, int& index) {
    const std::size_t underscore = name.rfind('_');
    if (underscore == std::string::npos || underscore == 0 || underscore + 1 >= name.size()) return false;
    const std::string digits = name.substr(underscore + 1);
    if (digits.size() > 4 ||
        !std::all_of(digits.begin(), digits.end(), [](unsigned char c) { return std::isdigit(c); }))
        return false;
    if (digits.size() > 1 && digits[0] == '0') return false;
    base = name.substr(0, underscore);
    index = std::stoi(digits);
    return true;
}

}  // namespace

PlyVertexMapping mapVertexProperties(const PlyElement& vertex) {
    PlyVertexMapping mapping;
    const std::size_t n = vertex.properties.size();
    mapping.targets.resize(n);

    std::set<PlyRole> claimed;
    for (std::size_t i = 0; i < n; ++i) {
        const PlyProperty& p = vertex.properties[i];
        if (p.isList) {
            mapping.targets[i].role = PlyRole::Skip;
            mapping.notes.push_back("list property '" + p.name + "' of element '" + vertex.name +
                                    "' skipped");
            continue;
        }
        PlyRole role = roleOfName(p.name);
        if (role != PlyRole::Generic && !claimed.insert(role).second) role = PlyRole::Generic;
        mapping.targets[i].role = role;
    }
    // Colour and normal are all-or-nothing triples.
    auto demoteUnlessAll = [&](PlyRole a, PlyRole b, PlyRole c) {
        const bool all = claimed.count(a) && claimed.count(b) && claimed.count(c);
        if (!all)
            for (auto& t : mapping.targets)
                if (t.role == a || t.role == b || t.role == c) t.role = PlyRole::Generic;
        return all;
    };
    mapping.hasColour = demoteUnlessAll(PlyRole::Red, PlyRole::Green, PlyRole::Blue);
    mapping.hasNormal = demoteUnlessAll(PlyRole::NX, PlyRole::NY, PlyRole::NZ);

    // Group name_0 .. name_{k-1} into one k-component field when the indices are exactly 0..k-1.
    std::map<std::string, std::vector<std::pair<int, std::size_t>>> groups;  // base -> (index, property)
    std::set<std::string> genericNames;
    for (std::size_t i = 0; i < n; ++i) {
        if (mapping.targets[i].role != PlyRole::Generic) continue;
        genericNames.insert(vertex.properties[i].name);
        std::string base;
        int index = 0;
        if (splitIndexedName(vertex.properties[i].name, base, index)) groups[base].push_back({index, i});
    }
    for (std::size_t i = 0; i < n; ++i)
        if (mapping.targets[i].role == PlyRole::Generic)
            mapping.targets[i].attribute = vertex.properties[i].name;
    for (auto& [base, members] : groups) {
        if (members.size() < 2 || genericNames.count(base)) continue;
        std::sort(members.begin(), members.end());
        bool consecutive = true;
        for (std::size_t k = 0; k < members.size(); ++k)
            consecutive = consecutive && members[k].first == int(k);
        if (!consecutive) continue;
        for (const auto& [index, property] : members) {
            mapping.targets[property].attribute = base;
            mapping.targets[property].component = index;
            mapping.targets[property].components = static_cast<int>(members.size());
        }
    }

    // Keep generic names clear of the standard attribute names.
    const std::set<std::string> reserved = {attr::kColor, attr::kNormal,   attr::kIntensity,
                                            attr::kLabel, attr::kInstance, attr::kSuperpoint};
    std::set<std::string> used;
    for (const auto& t : mapping.targets)
        if (t.role == PlyRole::Generic) used.insert(t.attribute);
    std::map<std::string, std::string> renamed;
    for (auto& t : mapping.targets) {
        if (t.role != PlyRole::Generic || !reserved.count(t.attribute)) continue;
        auto it = renamed.find(t.attribute);
        if (it == renamed.end()) {
            std::string fresh = "ply_" + t.attribute;
            while (used.count(fresh) || reserved.count(fresh)) fresh = "ply_" + fresh;
            used.insert(fresh);
            mapping.notes.push_back("property '" + t.attribute + "' kept as scalar field '" + fresh +
                                    "' (its name is taken by a standard attribute)");
            it = renamed.emplace(t.attribute, fresh).first;
        }
        t.attribute = it->second;
    }
    return mapping;
}

}  // namespace s4
