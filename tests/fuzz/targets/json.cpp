// io::read_json and the Summary reader (`descent report`'s) on arbitrary bytes.
#include "descent/io/json.hpp"
#include "../fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = descent::fuzz::write_input(data, size, ".json");
  return descent::fuzz::guarded([&] {
    const descent::io::Json j = descent::io::read_json(path);
    descent::io::summary_from_json(j);
  });
}
