#pragma once
// The individual readers behind readScene(). Each one validates its own header/magic and treats
// the input as hostile: declared counts are checked against the file size before allocating.

#include "core/io/SceneReader.h"

namespace s4 {

Scene readPly(const std::filesystem::path& path, const ReadOptions& options, const Progress& progress);
Scene readPcd(const std::filesystem::path& path, const ReadOptions& options, const Progress& progress);
Scene readText(const std::filesystem::path& path, const ReadOptions& options, const Progress& progress);
Scene readShapeNetPartPts(const std::filesystem::path& path, const ReadOptions& options, const Progress& progress);
Scene readS3disRoom(const std::filesystem::path& path, const ReadOptions& options, const Progress& progress);
Scene readOff(const std::filesystem::path& path, const ReadOptions& options, const Progress& progress);
Scene readKittiBin(const std::filesystem::path& path, const ReadOptions& options, const Progress& progress);
Scene readMmdetBin(const std::filesystem::path& path, const ReadOptions& options, const Progress& progress);
Scene readNpy(const std::filesystem::path& path, const ReadOptions& options, const Progress& progress);
Scene readLas(const std::filesystem::path& path, const ReadOptions& options, const Progress& progress);

} // namespace s4
