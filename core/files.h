// File helpers with the durability contract every stage relies on.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "core/status.h"

namespace cratedig {

// Writes `data` to `path` so that a reader (or a crash) sees either the old
// file or the whole new one, never a part: write to "<path>.tmp.<pid>",
// fsync, rename over `path`, fsync the directory. Creates parent folders.
Status WriteFileAtomic(const std::filesystem::path& path,
                       std::string_view data);

// fsyncs an existing file and renames it to `to` (same filesystem), then
// fsyncs the directory. For callers that stream into their own temp file.
Status CommitTempFile(const std::filesystem::path& tmp,
                      const std::filesystem::path& to);

Result<std::string> ReadFile(const std::filesystem::path& path);

// Lower-case hex SHA-256 of `data` / of a file's contents.
std::string Sha256Hex(std::string_view data);
Result<std::string> Sha256File(const std::filesystem::path& path);

}  // namespace cratedig
