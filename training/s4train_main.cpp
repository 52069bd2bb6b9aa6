// s4train: the pretraining job. Not implemented in this build; prints its usage.
#include "training/TrainingJob.h"

#include <cstring>
#include <iostream>

int main(int argc, char** argv) {
    const bool askedForHelp = argc > 1 && (std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0);
    (askedForHelp ? std::cout : std::cerr) << s4::training::usage();
    return askedForHelp ? 0 : 2;
}
