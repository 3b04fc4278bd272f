// The defects the fuzz targets found (docs/reliability.md), each refused as bad input now; the
// inputs are also in tests/fuzz/corpus as regression_* files.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "../support/temp_dir.hpp"
#include "descent/core/error.hpp"
#include "descent/io/json.hpp"
#include "descent/io/libsvm.hpp"
#include "descent/io/matrix_market.hpp"
#include "descent/io/npy.hpp"

namespace {

namespace fs = std::filesystem;

std::string corpus(const std::string& target, const std::string& name) {
  return std::string(DESCENT_SOURCE_DIR) + "/tests/fuzz/corpus/" + target + "/" + name;
}

TEST(FuzzRegressions, NpyZeroRowsWithAHugeDimensionIsRefused) {
  // shape (0, 10^11): no data, but copying the matrix looped over 10^11 columns.
  EXPECT_THROW(descent::io::read_npy_matrix(corpus("npy", "regression_zero_rows_huge_cols.npy")),
               descent::InputError);
}

TEST(FuzzRegressions, LibsvmWithOneHugeIndexReadsWithoutAGigabyteReserve) {
  // One entry at index 943158582: the matrix is that wide but holds one value.
  const auto d = descent::io::read_libsvm(corpus("libsvm", "regression_huge_index.libsvm"));
  EXPECT_EQ(d.features.rows(), 1);
  EXPECT_EQ(d.features.cols(), 943158582);
  EXPECT_EQ(d.features.nonZeros(), 1);
}

TEST(FuzzRegressions, MatrixMarketWithHugeDimensionsIsRefusedBeforeAllocating) {
  // A two-line coordinate file claiming ~10^9 rows and columns: O(rows + cols) index memory.
  EXPECT_THROW(descent::io::read_matrix_market_sparse(
                   corpus("matrix_market", "regression_huge_dimensions.mtx")),
               descent::InputError);
  // A zero dimension beside a large one loads as an empty matrix at once.
  const auto m = descent::io::read_npy_matrix(corpus("npy", "regression_zero_rows_large_cols.npy"));
  EXPECT_EQ(m.size(), 0);
}

TEST(FuzzRegressions, JsonNumberTooLargeIsAnInputError) {
  const fs::path dir = descent::test::fresh_temp_dir("fuzz_regressions");
  const std::string path = (dir / "big.json").string();
  std::ofstream(path) << "{\"a\": 1" << std::string(400, '0') << "}";
  try {
    descent::io::read_json(path);
    FAIL() << "accepted a number too large for a double";
  } catch (const descent::InputError& e) {
    EXPECT_NE(std::string(e.what()).find("big.json"), std::string::npos) << e.what();
  }
  EXPECT_THROW(descent::io::read_json(corpus("json", "regression_number_overflow.json")),
               descent::InputError);
  fs::remove_all(dir);
}

}  // namespace
