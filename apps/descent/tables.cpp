#include "tables.hpp"

#include <cctype>
#include <filesystem>

#include "descent/core/error.hpp"
#include "descent/io/csv.hpp"
#include "descent/io/matrix_market.hpp"
#include "descent/io/npy.hpp"

namespace descent::cli {

std::string extension(const std::string& path) {
  std::string e = std::filesystem::path(path).extension().string();
  for (auto& c : e) c = char(std::tolower(static_cast<unsigned char>(c)));
  return e;
}

Eigen::MatrixXd read_table(const std::string& path, const std::string& what,
                           const std::string& more_formats) {
  const std::string e = extension(path);
  if (e == ".npy") {
    const io::NpyArray a = io::read_npy(path);
    if (!io::all_finite(a)) throw InputError(path, 0, what, "contains nan or inf");
    return io::read_npy_matrix(path);
  }
  if (e == ".mtx") return io::read_matrix_market_dense(path);
  if (e == ".csv" || e == ".txt") return io::read_csv_matrix(path);
  throw Error(what + " '" + path + "': unsupported file type (use .npy, .csv or .mtx" +
              more_formats + ")");
}

}  // namespace descent::cli
