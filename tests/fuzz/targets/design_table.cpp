// offline::read_design_table (users' tables of measured designs, numeric or letters) on
// arbitrary bytes.
#include "descent/offline/design_table.hpp"
#include "../fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = descent::fuzz::write_input(data, size, ".csv");
  descent::fuzz::guarded([&] { descent::offline::read_design_table(path, {}); });
  return descent::fuzz::guarded([&] {
    descent::offline::DesignTableOptions o;
    o.target = "y";
    o.alphabet = {"A", "C", "G", "T"};
    descent::offline::read_design_table(path, o);
  });
}
