// io::read_libsvm on arbitrary bytes.
#include "descent/io/libsvm.hpp"
#include "../fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = descent::fuzz::write_input(data, size, ".libsvm");
  return descent::fuzz::guarded([&] { descent::io::read_libsvm(path); });
}
