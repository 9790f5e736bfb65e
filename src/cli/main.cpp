// The neuroshop executable: everything is in the cli library (src/cli/app.h), so it can be tested.
#include "cli/app.h"

int main(int argc, char** argv) { return neuroshop::cli::run(argc, argv); }
