// Sequence manifests: the list of linear systems `descent solve-seq` solves in order.
//
// A manifest is a text file with one system per line:
//   A_PATH  B_PATH  [CONTEXT ...]
// separated by spaces or tabs. Paths are Matrix Market files, relative to the manifest's folder
// unless absolute. The optional numbers after them are context values (e.g. the diffusion
// coefficient or the diagonal shift) for contextual learners. Blank lines and lines starting
// with '#' are ignored.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace descent::linalg {

struct ManifestEntry {
  std::string a_path;  ///< resolved against the manifest's folder
  std::string b_path;
  std::vector<double> contexts;  ///< the numbers after the two paths
  std::size_t line = 0;          ///< 1-based line in the manifest
};

/// Reads a manifest. Throws descent::InputError (file, line, field) for a line with fewer than
/// two fields or a context that is not a finite number, and descent::Error if the file cannot
/// be read or lists no system.
std::vector<ManifestEntry> read_manifest(const std::string& path);

/// Writes a manifest (paths written as given, relative paths preferred), with a comment header.
/// Throws descent::Error if the file cannot be written or a path contains whitespace.
void write_manifest(const std::string& path, const std::vector<ManifestEntry>& entries,
                    const std::string& header_comment = {});

}  // namespace descent::linalg
