// io::read_idx on arbitrary bytes (plain or gzip).
#include "descent/io/idx.hpp"
#include "../fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = descent::fuzz::write_input(data, size, ".idx");
  return descent::fuzz::guarded([&] { descent::io::read_idx(path); });
}
