#include "descent/linalg/manifest.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "descent/core/error.hpp"

namespace descent::linalg {

namespace fs = std::filesystem;

std::vector<ManifestEntry> read_manifest(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw Error("cannot open manifest '" + path + "'");
  const fs::path base = fs::path(path).parent_path();
  auto resolve = [&](const std::string& p) {
    const fs::path q(p);
    return q.is_absolute() || base.empty() ? q.string() : (base / q).string();
  };
  std::vector<ManifestEntry> out;
  std::string line;
  for (std::size_t number = 1; std::getline(in, line); ++number) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::istringstream fields(line);
    std::vector<std::string> f;
    for (std::string w; fields >> w;) f.push_back(w);
    if (f.empty() || f[0][0] == '#') continue;
    if (f.size() < 2)
      throw InputError(path, number, "b path",
                       "expected 'A.mtx b.mtx [context ...]', got one field");
    ManifestEntry e;
    e.a_path = resolve(f[0]);
    e.b_path = resolve(f[1]);
    e.line = number;
    for (std::size_t k = 2; k < f.size(); ++k) {
      char* end = nullptr;
      errno = 0;
      const double v = std::strtod(f[k].c_str(), &end);
      if (end == f[k].c_str() || *end != '\0' || errno == ERANGE || !std::isfinite(v))
        throw InputError(path, number, "column " + std::to_string(k + 1),
                         "context '" + f[k] + "' is not a finite number");
      e.contexts.push_back(v);
    }
    out.push_back(std::move(e));
  }
  if (out.empty()) throw Error("manifest '" + path + "' lists no system");
  return out;
}

void write_manifest(const std::string& path, const std::vector<ManifestEntry>& entries,
                    const std::string& header_comment) {
  std::ostringstream s;
  s.precision(17);
  s << "# descent sequence manifest: A.mtx b.mtx [context ...]\n";
  if (!header_comment.empty()) s << "# " << header_comment << "\n";
  for (const auto& e : entries) {
    for (const auto& p : {e.a_path, e.b_path})
      if (p.find_first_of(" \t\n") != std::string::npos)
        throw Error("write_manifest: path '" + p + "' contains whitespace");
    s << e.a_path << ' ' << e.b_path;
    for (double c : e.contexts) s << ' ' << c;
    s << '\n';
  }
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp);
    if (!(out << s.str())) throw Error("cannot write manifest '" + path + "'");
  }
  fs::rename(tmp, path);
}

}  // namespace descent::linalg
