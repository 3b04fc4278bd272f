// io::read_csv on arbitrary bytes (plain or gzip, detected by content).
#include "descent/io/csv.hpp"
#include "../fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = descent::fuzz::write_input(data, size, ".csv");
  return descent::fuzz::guarded([&] {
    descent::io::read_csv(path);
    descent::io::CsvOptions o;
    o.allow_non_finite = true;
    o.header = descent::io::CsvOptions::Header::no;
    descent::io::read_csv(path, o);
  });
}
