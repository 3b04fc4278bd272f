// io::read_matrix_market_sparse and _dense on arbitrary bytes.
#include "descent/io/matrix_market.hpp"
#include "../fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = descent::fuzz::write_input(data, size, ".mtx");
  descent::fuzz::guarded([&] { descent::io::read_matrix_market_sparse(path); });
  return descent::fuzz::guarded([&] { descent::io::read_matrix_market_dense(path); });
}
