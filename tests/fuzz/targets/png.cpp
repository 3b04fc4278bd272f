// io::read_png on arbitrary bytes.
#include "descent/io/png.hpp"
#include "../fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = descent::fuzz::write_input(data, size, ".png");
  return descent::fuzz::guarded([&] { descent::io::read_png(path); });
}
