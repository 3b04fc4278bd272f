// Compiles the shared precompiled <torch/torch.h>; every torch target reuses it.
