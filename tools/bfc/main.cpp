// bfc: compiles a bpfilter ruleset. Everything lives in Driver.cpp.
#include <iostream>

#include "Driver.h"

int main(int argc, char **argv) {
  return bfc::driver::run(argc, argv, std::cin, std::cout, std::cerr);
}
